package filestore

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/klauspost/compress/s2"
)

// Compression is how sealed blocks are stored.
type Compression int

// The compressions. The active block is never compressed; a sealed block
// is rewritten compressed by maintenance (atomically, like a compaction).
const (
	NoCompression Compression = iota
	S2
)

// flagS2 marks a block whose records are s2-compressed:
//
//	compressed block = header(flags 1) crc:u32 s2(records)
//
// crc covers the compressed bytes. The block's image (what offsets in the
// index refer to) is the header with flags 0 followed by the records, as
// if it had never been compressed.
const flagS2 = 1

// imageMax bounds a decompressed image: a block, plus one oversized record.
const imageMax = MaxBlockSize + recordBodyMax + headerSize

// encodeBlock compresses a block image into file contents.
func encodeBlock(image []byte) []byte {
	comp := s2.Encode(nil, image[headerSize:])
	file := make([]byte, headerSize+4+len(comp))
	copy(file, image[:headerSize])
	setHeaderFlags(file, flagS2)
	binary.LittleEndian.PutUint32(file[headerSize:], crc32.Checksum(comp, castagnoli))
	copy(file[headerSize+4:], comp)
	return file
}

// decodeBlock returns the image of a compressed block file; why is
// non-empty if it does not check or decode.
func decodeBlock(file []byte) (image []byte, why string) {
	if len(file) < headerSize+4 {
		return nil, "short compressed block"
	}
	comp := file[headerSize+4:]
	if binary.LittleEndian.Uint32(file[headerSize:]) != crc32.Checksum(comp, castagnoli) {
		return nil, "compressed block checksum mismatch"
	}
	n, err := s2.DecodedLen(comp)
	if err != nil || n > imageMax {
		return nil, "compressed block length invalid"
	}
	image = make([]byte, headerSize+n)
	copy(image, file[:headerSize])
	setHeaderFlags(image, 0)
	if _, err := s2.Decode(image[headerSize:], comp); err != nil {
		return nil, "compressed block does not decode"
	}
	return image, ""
}
