// Package frame is the checksummed record framing both of jsnode's logs
// write (node/raftlog's segments, node/store/filestore's blocks): a
// 12-byte header — the body length, its complement, and a CRC-32C over
// the length and the body — then the body, whose first byte is the
// record's type. The complement makes a length read from garbage fail
// before any checksum is computed; the checksum covers the length so a
// damaged length can never pass as a shorter valid record.
package frame

import (
	"encoding/binary"
	"hash/crc32"
)

// HeaderSize is the length, its complement and the checksum.
const HeaderSize = 4 + 4 + 4

// Status is what Parse found at the start of its data.
type Status int

const (
	OK    Status = iota
	Short        // the record runs past the end of the data
	Bad          // guard, bounds or checksum mismatch
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Begin reserves a record header at the end of dst and writes the type;
// the caller appends the rest of the body and calls Finish(b, start).
func Begin(dst []byte, typ byte) (b []byte, start int) {
	start = len(dst)
	b = append(dst, make([]byte, HeaderSize)...)
	return append(b, typ), start
}

// Finish fills in the header of the record that begins at start and
// runs to the end of b.
func Finish(b []byte, start int) []byte {
	body := b[start+HeaderSize:]
	n := uint32(len(body))
	binary.LittleEndian.PutUint32(b[start:], n)
	binary.LittleEndian.PutUint32(b[start+4:], ^n)
	binary.LittleEndian.PutUint32(b[start+8:], checksum(b[start:start+4], body))
	return b
}

// Parse checks the record at the start of b, whose body may be at most
// bodyMax bytes. On OK it returns the type, the rest of the body (after
// the type byte, aliasing b) and the record's total size.
func Parse(b []byte, bodyMax int) (typ byte, rest []byte, size int, st Status) {
	if len(b) < HeaderSize {
		return 0, nil, 0, Short
	}
	n := binary.LittleEndian.Uint32(b)
	if n != ^binary.LittleEndian.Uint32(b[4:]) || n == 0 || uint64(n) > uint64(bodyMax) {
		return 0, nil, 0, Bad
	}
	size = HeaderSize + int(n)
	if len(b) < size {
		return 0, nil, 0, Short
	}
	body := b[HeaderSize:size]
	if checksum(b[:4], body) != binary.LittleEndian.Uint32(b[8:]) {
		return 0, nil, 0, Bad
	}
	return body[0], body[1:], size, OK
}

func checksum(length, body []byte) uint32 {
	return crc32.Update(crc32.Checksum(length, castagnoli), castagnoli, body)
}
