package raftlog

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"

	"jsnode/node/internal/frame"
	"jsnode/node/raft"
)

// On-disk format, version 1. All fixed-width integers are little-endian.
// Every checksum is CRC-32C (Castagnoli).
//
//	segment   = header record*
//	header    = "JSRW" version:u8 0:u8 0:u8 0:u8 first:u64 epoch:u64 crc:u32
//	            (crc over the 24 bytes before it)
//	record    = length:u32 ^length:u32 crc:u32 type:u8 payload
//	            (length = 1 + len(payload); crc over the length field, type
//	            and payload; ^length guards the length itself, so a flipped
//	            length is caught before it is trusted)
//	entry     = type 1, payload raft.AppendEntry
//	commit    = type 2, payload uvarint commit index
//	syncmark  = type 3, payload uvarint offset: every byte of this segment
//	            before offset was durable when the record was written
//
//	hardstate = "JSRH" version:u8 raft.AppendHardState crc:u32
//	snapshot  = "JSRS" version:u8 0:u8 0:u8 0:u8 epoch:u64
//	            metaLen:u32 raft.AppendSnapshotMeta dataLen:u32 data crc:u32
//	            (both crcs cover every byte before them)
const (
	formatVersion = 1

	segmentMagic   = "JSRW"
	hardStateMagic = "JSRH"
	snapshotMagic  = "JSRS"

	// segmentHeaderSize is magic, version, three reserved bytes, first
	// index, epoch and checksum.
	segmentHeaderSize = 4 + 4 + 8 + 8 + 4
	// recordHeaderSize is length, its complement and checksum (the
	// framing of node/internal/frame).
	recordHeaderSize = frame.HeaderSize
	// entryOverheadMax bounds an encoded entry beyond its data: type byte
	// and three varints (term, index, data length).
	entryOverheadMax = 1 + 3*binary.MaxVarintLen64
	// recordBodyMax bounds type plus payload; the largest record is an
	// entry of raft.EntryBytesMax bytes.
	recordBodyMax = 1 + entryOverheadMax + raft.EntryBytesMax
	// hardStateFileBytesMax bounds the hard-state file: magic, version,
	// three varints and checksum.
	hardStateFileBytesMax = 4 + 1 + 3*binary.MaxVarintLen64 + 4
	// snapshotHeaderSize is magic, version, reserved bytes and epoch.
	snapshotHeaderSize = 4 + 4 + 8
	// snapshotMetaBytesMax bounds an encoded SnapshotMeta: index, term and
	// two member lists.
	snapshotMetaBytesMax = 4*binary.MaxVarintLen64 + raft.MembersMax*binary.MaxVarintLen64
	// snapshotFileBytesMax bounds a snapshot file.
	snapshotFileBytesMax = snapshotHeaderSize + 4 + snapshotMetaBytesMax + 4 + raft.SnapshotBytesMax + 4
)

// recordType says what a WAL record holds.
type recordType byte

const (
	recEntry    recordType = 1
	recCommit   recordType = 2
	recSyncMark recordType = 3
)

func (t recordType) known() bool { return t >= recEntry && t <= recSyncMark }

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// appendSegmentHeader appends the header of a segment whose first entry
// is first, in log lineage epoch.
func appendSegmentHeader(dst []byte, first, epoch uint64) []byte {
	start := len(dst)
	b := append(dst, segmentMagic...)
	b = append(b, formatVersion, 0, 0, 0)
	b = binary.LittleEndian.AppendUint64(b, first)
	b = binary.LittleEndian.AppendUint64(b, epoch)
	return binary.LittleEndian.AppendUint32(b, checksum(b[start:]))
}

// parseSegmentHeader decodes a segment header; why is non-empty if b does
// not hold a valid one.
func parseSegmentHeader(b []byte) (first, epoch uint64, why string) {
	switch {
	case len(b) < segmentHeaderSize:
		return 0, 0, "short segment header"
	case binary.LittleEndian.Uint32(b[24:]) != checksum(b[:24]):
		return 0, 0, "segment header checksum mismatch"
	case string(b[:4]) != segmentMagic:
		return 0, 0, "not a segment (bad magic)"
	case b[4] != formatVersion:
		return 0, 0, fmt.Sprintf("unknown segment version %d", b[4])
	}
	return binary.LittleEndian.Uint64(b[8:]), binary.LittleEndian.Uint64(b[16:]), ""
}

// beginRecord reserves a record header and writes the type; the caller
// appends the payload and calls finishRecord(b, start).
func beginRecord(dst []byte, t recordType) (b []byte, start int) { return frame.Begin(dst, byte(t)) }

// finishRecord fills in the header of the record that begins at start.
func finishRecord(b []byte, start int) []byte { return frame.Finish(b, start) }

func appendEntryRecord(dst []byte, e raft.Entry) []byte {
	b, start := beginRecord(dst, recEntry)
	return finishRecord(raft.AppendEntry(b, e), start)
}

func appendUvarintRecord(dst []byte, t recordType, v uint64) []byte {
	b, start := beginRecord(dst, t)
	return finishRecord(binary.AppendUvarint(b, v), start)
}

// recordStatus classifies the bytes at a position of a segment.
type recordStatus = frame.Status

const (
	recordOK    = frame.OK
	recordShort = frame.Short // the record runs past the end of the data
	recordBad   = frame.Bad   // guard, bounds or checksum mismatch
)

// parseRecord decodes the record at the start of b. On recordOK it
// returns the type, the payload (aliasing b) and the record's total size.
func parseRecord(b []byte) (t recordType, payload []byte, size int, st recordStatus) {
	typ, payload, size, st := frame.Parse(b, recordBodyMax)
	return recordType(typ), payload, size, st
}

// parseUvarintPayload decodes a payload holding exactly one uvarint.
func parseUvarintPayload(p []byte) (uint64, bool) {
	v, n := binary.Uvarint(p)
	return v, n > 0 && n == len(p)
}

// encodeHardState returns the contents of the hard-state file.
func encodeHardState(hs raft.HardState) []byte {
	b := append([]byte(hardStateMagic), formatVersion)
	b = raft.AppendHardState(b, hs)
	return binary.LittleEndian.AppendUint32(b, checksum(b))
}

// decodeHardState parses the hard-state file; why is non-empty if invalid.
func decodeHardState(b []byte) (hs raft.HardState, why string) {
	if len(b) < len(hardStateMagic)+1+4 || len(b) > hardStateFileBytesMax {
		return hs, fmt.Sprintf("hard-state file has %d bytes", len(b))
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	switch {
	case checksum(body) != sum:
		return hs, "hard-state checksum mismatch"
	case string(body[:4]) != hardStateMagic:
		return hs, "not a hard-state file (bad magic)"
	case body[4] != formatVersion:
		return hs, fmt.Sprintf("unknown hard-state version %d", body[4])
	}
	hs, err := raft.UnmarshalHardState(body[5:])
	if err != nil {
		return hs, "hard-state payload: " + err.Error()
	}
	return hs, ""
}

// encodeSnapshot returns the contents of a snapshot file.
func encodeSnapshot(snap raft.Snapshot, epoch uint64) []byte {
	meta := raft.AppendSnapshotMeta(nil, snap.Meta)
	b := make([]byte, 0, snapshotHeaderSize+4+len(meta)+4+len(snap.Data)+4)
	b = append(b, snapshotMagic...)
	b = append(b, formatVersion, 0, 0, 0)
	b = binary.LittleEndian.AppendUint64(b, epoch)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(meta)))
	b = append(b, meta...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(snap.Data)))
	b = append(b, snap.Data...)
	return binary.LittleEndian.AppendUint32(b, checksum(b))
}

// decodeSnapshot parses a snapshot file; why is non-empty if invalid. The
// data does not alias b.
func decodeSnapshot(b []byte) (snap raft.Snapshot, epoch uint64, why string) {
	if len(b) < snapshotHeaderSize+4+4+4 {
		return snap, 0, "short snapshot file"
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	switch {
	case checksum(body) != sum:
		return snap, 0, "snapshot checksum mismatch"
	case string(body[:4]) != snapshotMagic:
		return snap, 0, "not a snapshot file (bad magic)"
	case body[4] != formatVersion:
		return snap, 0, fmt.Sprintf("unknown snapshot version %d", body[4])
	}
	epoch = binary.LittleEndian.Uint64(body[8:])
	rest := body[snapshotHeaderSize:]
	metaLen := uint64(binary.LittleEndian.Uint32(rest))
	rest = rest[4:]
	if metaLen > snapshotMetaBytesMax || metaLen+4 > uint64(len(rest)) {
		return snap, 0, "snapshot metadata length out of range"
	}
	meta, err := raft.UnmarshalSnapshotMeta(rest[:metaLen])
	if err != nil {
		return snap, 0, "snapshot metadata: " + err.Error()
	}
	rest = rest[metaLen:]
	dataLen := uint64(binary.LittleEndian.Uint32(rest))
	if dataLen != uint64(len(rest)-4) {
		return snap, 0, "snapshot data length mismatch"
	}
	snap.Meta = meta
	if dataLen > 0 {
		snap.Data = append([]byte(nil), rest[4:]...)
	}
	return snap, epoch, ""
}

// File names. Zero-padded decimal, so names sort like their numbers.
const (
	segmentSuffix  = ".seg"
	snapshotSuffix = ".snap"
	numberWidth    = 20
)

func segmentName(first uint64) string {
	return fmt.Sprintf("%0*d%s", numberWidth, first, segmentSuffix)
}

func snapshotName(term, index uint64) string {
	return fmt.Sprintf("%0*d-%0*d%s", numberWidth, term, numberWidth, index, snapshotSuffix)
}

// parseNumber parses exactly numberWidth decimal digits.
func parseNumber(s string) (uint64, bool) {
	if len(s) != numberWidth || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	return v, err == nil
}

func parseSegmentName(name string) (first uint64, ok bool) {
	s, found := strings.CutSuffix(name, segmentSuffix)
	if !found {
		return 0, false
	}
	return parseNumber(s)
}

func parseSnapshotName(name string) (term, index uint64, ok bool) {
	s, found := strings.CutSuffix(name, snapshotSuffix)
	if !found {
		return 0, 0, false
	}
	ts, is, found := strings.Cut(s, "-")
	if !found {
		return 0, 0, false
	}
	term, ok1 := parseNumber(ts)
	index, ok2 := parseNumber(is)
	return term, index, ok1 && ok2
}
