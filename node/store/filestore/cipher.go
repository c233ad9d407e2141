package filestore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"

	"jsnode/node/internal/frame"
)

// Encryption at rest. A message record of an encrypted store is
//
//	sealed msg = type 6: seq:u64 salt:[16] ctr:u64 AEAD(msg body)
//
// (the msg body as in an unencrypted record, seq included; the clear seq
// is the additional data, so a record cannot be moved to another
// sequence). salt is drawn once per Open from Config.Rand and ctr counts
// the records sealed since, so a nonce never repeats under a key, even
// when a crash loses records and their positions are written again:
//
//   - "chachapoly": XChaCha20-Poly1305 with the key, nonce salt||ctr;
//   - "aes": AES-GCM under SHA-256(key||salt), nonce 0:u32||ctr.
//
// Tombstones, first records and syncmarks hold sequences only and stay
// clear; the record checksum covers the ciphertext, so damage is told
// from a wrong key (an intact record that does not open).

// Ciphers names.
const (
	CipherChaCha = "chachapoly"
	CipherAES    = "aes"
)

const (
	saltSize     = 16
	sealedFixed  = 8 + saltSize + 8
	sealOverhead = sealedFixed + 16 // and the AEAD tag
)

// errWrongKey is an intact encrypted record that does not open.
var errWrongKey = errors.New("filestore: an encrypted record does not open: wrong key")

type sealer struct {
	kind   string
	key    []byte
	salt   [saltSize]byte
	ctr    uint64
	aead   cipher.AEAD // for salt
	opened map[[saltSize]byte]cipher.AEAD
}

func newSealer(kind string, key []byte, rnd io.Reader) (*sealer, error) {
	switch {
	case kind != CipherChaCha && kind != CipherAES:
		return nil, fmt.Errorf("filestore: unknown cipher %q", kind)
	case len(key) != 32:
		return nil, fmt.Errorf("filestore: a %s key has 32 bytes, not %d", kind, len(key))
	case rnd == nil:
		return nil, errors.New("filestore: Config.Rand is required with a cipher")
	}
	c := &sealer{kind: kind, key: append([]byte(nil), key...), opened: map[[saltSize]byte]cipher.AEAD{}}
	if _, err := io.ReadFull(rnd, c.salt[:]); err != nil {
		return nil, fmt.Errorf("filestore: drawing a salt: %w", err)
	}
	aead, err := c.aeadFor(c.salt)
	c.aead = aead
	return c, err
}

func (c *sealer) aeadFor(salt [saltSize]byte) (cipher.AEAD, error) {
	if a := c.opened[salt]; a != nil {
		return a, nil
	}
	var a cipher.AEAD
	var err error
	if c.kind == CipherChaCha {
		a, err = chacha20poly1305.NewX(c.key)
	} else {
		sub := sha256.Sum256(append(append([]byte(nil), c.key...), salt[:]...))
		var blk cipher.Block
		if blk, err = aes.NewCipher(sub[:]); err == nil {
			a, err = cipher.NewGCM(blk)
		}
	}
	if err == nil {
		c.opened[salt] = a
	}
	return a, err
}

func (c *sealer) nonce(salt []byte, ctr uint64) []byte {
	if c.kind == CipherChaCha {
		return binary.LittleEndian.AppendUint64(append(make([]byte, 0, 24), salt...), ctr)
	}
	return binary.LittleEndian.AppendUint64(make([]byte, 4, 12), ctr)
}

// sealedSize is the record size of a msg record whose plain size is n.
func sealedSize(n int) int { return n + sealOverhead }

// appendSealed appends the sealed msg record of the plain msg record rec.
func (c *sealer) appendSealed(dst, rec []byte) []byte {
	body := rec[recordHeaderSize+1:]
	b, start := frame.Begin(dst, byte(recMsgSealed))
	ad := len(b)
	b = append(b, body[:8]...)
	b = append(b, c.salt[:]...)
	b = binary.LittleEndian.AppendUint64(b, c.ctr)
	b = c.aead.Seal(b, c.nonce(c.salt[:], c.ctr), body, b[ad:ad+8])
	c.ctr++
	return finishRecord(b, start)
}

// open returns the plain msg body of a sealed body.
func (c *sealer) open(body []byte) ([]byte, error) {
	if len(body) < sealOverhead {
		return nil, errWrongKey
	}
	var salt [saltSize]byte
	copy(salt[:], body[8:])
	a, err := c.aeadFor(salt)
	if err != nil {
		return nil, err
	}
	ctr := binary.LittleEndian.Uint64(body[8+saltSize:])
	plain, err := a.Open(nil, c.nonce(salt[:], ctr), body[sealedFixed:], body[:8])
	if err != nil || len(plain) < 8 || string(plain[:8]) != string(body[:8]) {
		return nil, errWrongKey
	}
	return plain, nil
}
