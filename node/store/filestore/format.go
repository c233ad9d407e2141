package filestore

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"jsnode/node/internal/frame"
)

// On-disk format, version 1. Fixed-width integers are little-endian; every
// checksum is CRC-32C (Castagnoli).
//
//	block     = header record*            (file msgs/NNNNNNNN.blk)
//	header    = "JSMB" version:u8 flags:u8 0 0 number:u64 first:u64 crc:u32
//	            (flags: 1 = the records are s2-compressed, see compress.go;
//	            first: the next sequence when the block was made, so the
//	            newest block alone bounds every sequence ever given;
//	            crc over the 28 bytes before it)
//	record    = length:u32 ^length:u32 crc:u32 type:u8 body
//	            (length = 1 + len(body); crc over the length field, type
//	            and body; ^length guards the length before it is trusted)
//	msg       = type 1: seq:u64 ts:u64 ttl:uvarint subjLen:uvarint subj
//	            hdrLen:uvarint hdr data
//	tombstone = type 2: seq:uvarint (the message at seq was removed)
//	first     = type 3: seq:uvarint (every sequence below seq is gone, and
//	            the next sequence is at least seq)
//	erased    = type 4: seq:u64 then zeros: a msg record overwritten in
//	            place by an erasing remove, same length, still checksummed
//	syncmark  = type 5: block:uvarint offset:uvarint: a sync job covering
//	            every byte of the blocks before block, and of block before
//	            offset, completed. Written before the next record after
//	            the job, it lets recovery tell damage of synced bytes
//	            (reported) from a torn tail of unsynced ones (cut off).
const (
	formatVersion = 1
	blockMagic    = "JSMB"

	headerSize       = 4 + 4 + 8 + 8 + 4
	recordHeaderSize = frame.HeaderSize
	// msgFixed is type, seq and ts.
	msgFixed = 1 + 8 + 8
	// recordBodyMax bounds a record body: larger lengths are damage.
	recordBodyMax = 64 << 20
)

type recordType byte

const (
	recMsg       recordType = 1
	recTombstone recordType = 2
	recFirst     recordType = 3
	recErased    recordType = 4
	recSyncMark  recordType = 5
	recMsgSealed recordType = 6 // see cipher.go

	// syncMarkMax bounds a syncmark record.
	syncMarkMax = recordHeaderSize + 1 + 2*10
)

// pos is a position in the store's files: block number, then offset.
type pos struct {
	blk uint32
	off int64
}

func (p pos) before(q pos) bool { return p.blk < q.blk || p.blk == q.blk && p.off < q.off }

func appendSyncMark(dst []byte, p pos) []byte {
	b, start := frame.Begin(dst, byte(recSyncMark))
	b = binary.AppendUvarint(b, uint64(p.blk))
	b = binary.AppendUvarint(b, uint64(p.off))
	return finishRecord(b, start)
}

func decodeSyncMark(body []byte) (pos, bool) {
	blk, n := binary.Uvarint(body)
	if n <= 0 || blk > 1<<32-1 {
		return pos{}, false
	}
	off, m := binary.Uvarint(body[n:])
	if m <= 0 || n+m != len(body) || off > 1<<62 {
		return pos{}, false
	}
	return pos{uint32(blk), int64(off)}, true
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func appendHeader(dst []byte, num uint32, first uint64) []byte {
	start := len(dst)
	b := append(dst, blockMagic...)
	b = append(b, formatVersion, 0, 0, 0)
	b = binary.LittleEndian.AppendUint64(b, uint64(num))
	b = binary.LittleEndian.AppendUint64(b, first)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
}

// setHeaderFlags rewrites the flags of the header at the start of b.
func setHeaderFlags(b []byte, flags byte) {
	b[5] = flags
	binary.LittleEndian.PutUint32(b[24:], crc32.Checksum(b[:24], castagnoli))
}

// parseHeader decodes a block header; why is non-empty if b has none.
func parseHeader(b []byte) (num uint32, first uint64, flags byte, why string) {
	switch {
	case len(b) < headerSize:
		return 0, 0, 0, "short block header"
	case binary.LittleEndian.Uint32(b[24:]) != crc32.Checksum(b[:24], castagnoli):
		return 0, 0, 0, "block header checksum mismatch"
	case string(b[:4]) != blockMagic:
		return 0, 0, 0, "bad block magic"
	case b[4] != formatVersion:
		return 0, 0, 0, fmt.Sprintf("unknown block version %d", b[4])
	case b[5]&^flagS2 != 0 || b[6] != 0 || b[7] != 0:
		return 0, 0, 0, "unknown block flags"
	}
	n := binary.LittleEndian.Uint64(b[8:])
	if n > 1<<32-1 {
		return 0, 0, 0, "block number out of range"
	}
	return uint32(n), binary.LittleEndian.Uint64(b[16:]), b[5], ""
}

// msgRecordSize is the encoded size of a msg record.
func msgRecordSize(subj string, hdr, data []byte, ttl int64) int {
	return recordHeaderSize + msgFixed + uvarintLen(uint64(ttl)) +
		uvarintLen(uint64(len(subj))) + len(subj) + uvarintLen(uint64(len(hdr))) + len(hdr) + len(data)
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// appendMsgRecord appends a msg record; ttl is clamped at 0.
func appendMsgRecord(dst []byte, seq uint64, ts, ttl int64, subj string, hdr, data []byte) []byte {
	b, start := frame.Begin(dst, byte(recMsg))
	b = binary.LittleEndian.AppendUint64(b, seq)
	b = binary.LittleEndian.AppendUint64(b, uint64(ts))
	b = binary.AppendUvarint(b, uint64(max(ttl, 0)))
	b = binary.AppendUvarint(b, uint64(len(subj)))
	b = append(b, subj...)
	b = binary.AppendUvarint(b, uint64(len(hdr)))
	b = append(b, hdr...)
	b = append(b, data...)
	return finishRecord(b, start)
}

func appendSeqRecord(dst []byte, t recordType, seq uint64) []byte {
	b, start := frame.Begin(dst, byte(t))
	b = binary.AppendUvarint(b, seq)
	return finishRecord(b, start)
}

// erasedRecordOf is the erased record of n bytes (a msg record's size)
// that overwrites the message at seq.
func erasedRecordOf(n int, seq uint64) []byte {
	rec := make([]byte, n)
	rec[recordHeaderSize] = byte(recErased)
	binary.LittleEndian.PutUint64(rec[recordHeaderSize+1:], seq)
	return finishRecord(rec, 0)
}

func finishRecord(b []byte, start int) []byte { return frame.Finish(b, start) }

type recordStatus = frame.Status

const (
	recordOK    = frame.OK
	recordShort = frame.Short // runs past the end of the data
	recordBad   = frame.Bad   // guard, bounds or checksum mismatch
)

// parseRecord checks the record at the start of b and returns its type,
// body (after the type byte, aliasing b) and total size.
func parseRecord(b []byte) (t recordType, body []byte, size int, st recordStatus) {
	typ, body, size, st := frame.Parse(b, recordBodyMax)
	return recordType(typ), body, size, st
}

// msgRec is a decoded msg record; slices alias the record.
type msgRec struct {
	seq       uint64
	ts, ttl   int64
	subj      []byte
	hdr, data []byte
}

// decodeMsg decodes a msg body; ok is false if it is malformed.
func decodeMsg(body []byte) (m msgRec, ok bool) {
	if len(body) < 16 {
		return m, false
	}
	m.seq = binary.LittleEndian.Uint64(body)
	m.ts = int64(binary.LittleEndian.Uint64(body[8:]))
	p := body[16:]
	ttl, n := binary.Uvarint(p)
	if n <= 0 || ttl > 1<<62 {
		return m, false
	}
	m.ttl, p = int64(ttl), p[n:]
	if m.subj, p, ok = lenPrefixed(p); !ok || len(m.subj) == 0 {
		return m, false
	}
	if m.hdr, p, ok = lenPrefixed(p); !ok {
		return m, false
	}
	m.data = p
	return m, m.seq != 0
}

func lenPrefixed(p []byte) (v, rest []byte, ok bool) {
	l, n := binary.Uvarint(p)
	if n <= 0 || l > uint64(len(p)-n) {
		return nil, nil, false
	}
	return p[n : n+int(l)], p[n+int(l):], true
}

// decodeSeq decodes a tombstone or first body.
func decodeSeq(body []byte) (uint64, bool) {
	v, n := binary.Uvarint(body)
	return v, n > 0 && n == len(body)
}

// decodeErased decodes an erased body.
func decodeErased(body []byte) (uint64, bool) {
	if len(body) < 8 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(body), true
}
