package filestore

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"jsnode/disk"
	"jsnode/disk/memfs"
	"jsnode/node/store"
	"jsnode/node/store/storetest"
)

var testKey = bytes.Repeat([]byte{7}, 32)

func cipherConfig(kind string) Config {
	return Config{testBlockSize: 1024, Cipher: kind, Key: testKey, Rand: rand.NewChaCha8([32]byte{1})}
}

func TestConformanceEncrypted(t *testing.T) {
	for _, kind := range []string{CipherChaCha, CipherAES} {
		t.Run(kind, func(t *testing.T) { storetest.Run(t, opener(cipherConfig(kind))) })
	}
}

func TestRapidEncrypted(t *testing.T) {
	for _, kind := range []string{CipherChaCha, CipherAES} {
		t.Run(kind, func(t *testing.T) { storetest.Rapid(t, opener(cipherConfig(kind))) })
	}
}

func TestCrashRapidEncrypted(t *testing.T) {
	cfg := cipherConfig(CipherChaCha)
	cfg.testBlockSize = 700
	crashRapid(t, cfg)
}

// An encrypted store reads the compressed blocks of an earlier life.
func TestEncryptedReadsCompressed(t *testing.T) {
	mem := memfs.New()
	s, q := reopen(t, mem, Config{testBlockSize: 1024, Compression: S2})
	for i := 1; i <= 60; i++ {
		mustAppend(t, s, "a", strings.Repeat("x", 50))
	}
	makeDurable(t, s, q)
	q.RunAll()
	if !s.blocks[0].compressed {
		t.Fatal("block 1 not compressed")
	}
	cfg := cipherConfig(CipherChaCha)
	cfg.Compression = S2
	s2, q2 := reopen(t, mem.CrashClone(memfs.CrashOptions{}), cfg)
	mustAppend(t, s2, "a", "sealed")
	makeDurable(t, s2, q2)
	for seq := uint64(1); seq <= 61; seq++ {
		if _, err := s2.Load(seq); err != nil {
			t.Fatalf("Load(%d): %v", seq, err)
		}
	}
	if s2.cfg.Compression != NoCompression {
		t.Fatal("compression stayed on with a cipher")
	}
}

func TestEncryptedAtRest(t *testing.T) {
	for _, kind := range []string{CipherChaCha, CipherAES} {
		t.Run(kind, func(t *testing.T) {
			mem := memfs.New()
			cfg := cipherConfig(kind)
			s, q := reopen(t, mem, cfg)
			for i := 1; i <= 50; i++ {
				if _, err := s.Append("secret.subject", []byte("NATS/1.0\r\nX: hidden\r\n\r\n"), fmt.Appendf(nil, "plaintext-%d", i), 1, 0); err != nil {
					t.Fatal(err)
				}
			}
			makeDurable(t, s, q)
			for name, data := range blockFiles(t, mem) {
				for _, clear := range []string{"secret.subject", "plaintext-", "hidden"} {
					if bytes.Contains(data, []byte(clear)) {
						t.Fatalf("%s holds %q in the clear", name, clear)
					}
				}
			}
			s2, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), cfg)
			for i := uint64(1); i <= 50; i++ {
				m, err := s2.Load(i)
				if err != nil || string(m.Data) != fmt.Sprintf("plaintext-%d", i) || m.Subject != "secret.subject" {
					t.Fatalf("Load(%d) = %+v, %v", i, m, err)
				}
			}
			// without the key, or with another, Open says so
			plain := Config{testBlockSize: 1024, Syncer: &disk.SyncQueue{}}
			if _, err := Open(mem, testDir, plain); err == nil || !strings.Contains(err.Error(), "encrypted") {
				t.Fatalf("Open without a cipher: %v", err)
			}
			other := cipherConfig(kind)
			other.Key = bytes.Repeat([]byte{8}, 32)
			other.Syncer = &disk.SyncQueue{}
			if _, err := Open(mem, testDir, other); !errors.Is(err, errWrongKey) {
				t.Fatalf("Open with another key: %v", err)
			}
		})
	}
}

func TestEncryptedDamageReported(t *testing.T) {
	mem := memfs.New()
	cfg := cipherConfig(CipherAES)
	s, q := reopen(t, mem, cfg)
	for i := 1; i <= 40; i++ {
		mustAppend(t, s, "a", fmt.Sprintf("m%d", i))
	}
	makeDurable(t, s, q)
	mustAppend(t, s, "a", "last")
	makeDurable(t, s, q)
	name, off := offsetOf(t, s, 4)
	if err := mem.FlipBit(name, off+recordHeaderSize+30, 1); err != nil {
		t.Fatal(err)
	}
	s2, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), cfg)
	if r := s2.Recovery(); len(r.Damaged) != 1 || len(r.Lost) != 1 || r.Lost[0] != 4 {
		t.Fatalf("Recovery = %+v", r)
	}
	if _, err := s2.Load(4); !errors.Is(err, store.ErrDeleted) {
		t.Fatalf("Load(4) = %v", err)
	}
}

func TestCipherConfig(t *testing.T) {
	q := &disk.SyncQueue{}
	for _, cfg := range []Config{
		{Syncer: q, Cipher: "rot13", Key: testKey, Rand: rand.NewChaCha8([32]byte{})},
		{Syncer: q, Cipher: CipherAES, Key: testKey[:16], Rand: rand.NewChaCha8([32]byte{})},
		{Syncer: q, Cipher: CipherChaCha, Key: testKey},
	} {
		if _, err := Open(memfs.New(), testDir, cfg); err == nil {
			t.Errorf("Open(%s, %d-byte key, rand %v) succeeded", cfg.Cipher, len(cfg.Key), cfg.Rand != nil)
		}
	}
}
