package raft

import (
	"encoding/binary"
	"fmt"
)

// Wire format (all integers unsigned varints unless noted). There is no
// checksum or length prefix: the transport frames messages, and anything
// written to disk adds its own checksum.
//
//	message  = version:byte type:byte flags:byte
//	           from to term logTerm index commit rejectHint context
//	           snapshotSize chunkOffset chunkLen chunkData
//	           [snapIndex snapTerm members]      (if flagSnapshot)
//	           entryCount entry*
//	entry    = type:byte term index dataLen data
//	members  = voterCount voter* learnerCount learner*
const codecVersion = 1

// Message flag bits.
const (
	flagReject byte = 1 << iota
	flagTransfer
	flagChunkLast
	flagSnapshot
	flagsKnown = flagReject | flagTransfer | flagChunkLast | flagSnapshot
)

// noByteLimit disables a byte limit when reading entries.
const noByteLimit = ^uint64(0)

// Marshal encodes m. It fails with ErrMessageTooLarge rather than produce
// more than MessageBytesMax bytes.
func Marshal(m Message) ([]byte, error) { return AppendMessage(nil, m) }

// AppendMessage appends the encoding of m to dst.
func AppendMessage(dst []byte, m Message) ([]byte, error) {
	start := len(dst)
	var flags byte
	if m.Reject {
		flags |= flagReject
	}
	if m.Transfer {
		flags |= flagTransfer
	}
	if m.ChunkLast {
		flags |= flagChunkLast
	}
	if m.Snapshot != nil {
		flags |= flagSnapshot
	}
	b := append(dst, codecVersion, byte(m.Type), flags)
	for _, v := range [...]uint64{uint64(m.From), uint64(m.To), m.Term, m.LogTerm, m.Index, m.Commit,
		m.RejectHint, m.Context, m.SnapshotSize, m.ChunkOffset} {
		b = appendUvarint(b, v)
	}
	b = appendBytes(b, m.ChunkData)
	if m.Snapshot != nil {
		b = AppendSnapshotMeta(b, *m.Snapshot)
	}
	b = appendUvarint(b, uint64(len(m.Entries)))
	for _, e := range m.Entries {
		b = AppendEntry(b, e)
		if len(b)-start > MessageBytesMax {
			return dst, ErrMessageTooLarge
		}
	}
	if len(b)-start > MessageBytesMax {
		return dst, ErrMessageTooLarge
	}
	return b, nil
}

// Unmarshal decodes a message produced by Marshal. It never panics: any
// malformed, truncated or oversized input returns ErrInvalidMessage or
// ErrMessageTooLarge. The result does not alias b.
func Unmarshal(b []byte) (Message, error) {
	if len(b) > MessageBytesMax {
		return Message{}, ErrMessageTooLarge
	}
	d := decoder{buf: append([]byte(nil), b...)}
	var m Message
	if v := d.byte(); d.err == nil && v != codecVersion {
		d.fail(fmt.Sprintf("unknown version %d", v))
	}
	m.Type = MessageType(d.byte())
	flags := d.byte()
	if d.err == nil && (!m.Type.valid() || flags&^flagsKnown != 0) {
		d.fail("unknown type or flags")
	}
	m.Reject, m.Transfer, m.ChunkLast = flags&flagReject != 0, flags&flagTransfer != 0, flags&flagChunkLast != 0
	m.From, m.To = ID(d.uvarint()), ID(d.uvarint())
	m.Term, m.LogTerm, m.Index, m.Commit = d.uvarint(), d.uvarint(), d.uvarint(), d.uvarint()
	m.RejectHint, m.Context = d.uvarint(), d.uvarint()
	m.SnapshotSize, m.ChunkOffset = d.uvarint(), d.uvarint()
	m.ChunkData = d.bytes(SnapshotChunkBytesMax)
	if flags&flagSnapshot != 0 {
		meta := d.snapshotMeta()
		m.Snapshot = &meta
	}
	n := d.count(AppendEntriesMax)
	if n > 0 {
		m.Entries = make([]Entry, 0, n)
	}
	for i := 0; i < n && d.err == nil; i++ {
		m.Entries = append(m.Entries, d.entry())
	}
	if d.err == nil && len(d.buf) != 0 {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return Message{}, d.err
	}
	return m, nil
}

// AppendEntry appends the encoding of one entry to dst.
func AppendEntry(dst []byte, e Entry) []byte {
	b := append(dst, byte(e.Type))
	b = appendUvarint(b, e.Term)
	b = appendUvarint(b, e.Index)
	return appendBytes(b, e.Data)
}

// UnmarshalEntry decodes exactly one entry produced by AppendEntry.
func UnmarshalEntry(b []byte) (Entry, error) {
	d := decoder{buf: append([]byte(nil), b...)}
	e := d.entry()
	if d.err == nil && len(d.buf) != 0 {
		d.fail("trailing bytes")
	}
	return e, d.err
}

// AppendHardState appends the encoding of hs to dst.
func AppendHardState(dst []byte, hs HardState) []byte {
	b := appendUvarint(dst, hs.Term)
	b = appendUvarint(b, uint64(hs.Vote))
	return appendUvarint(b, hs.Commit)
}

// UnmarshalHardState decodes exactly one HardState.
func UnmarshalHardState(b []byte) (HardState, error) {
	d := decoder{buf: b}
	hs := HardState{Term: d.uvarint(), Vote: ID(d.uvarint()), Commit: d.uvarint()}
	if d.err == nil && len(d.buf) != 0 {
		d.fail("trailing bytes")
	}
	return hs, d.err
}

// AppendSnapshotMeta appends the encoding of meta to dst.
func AppendSnapshotMeta(dst []byte, meta SnapshotMeta) []byte {
	b := appendUvarint(dst, meta.Index)
	b = appendUvarint(b, meta.Term)
	return appendMembership(b, meta.Membership)
}

// UnmarshalSnapshotMeta decodes exactly one SnapshotMeta.
func UnmarshalSnapshotMeta(b []byte) (SnapshotMeta, error) {
	d := decoder{buf: append([]byte(nil), b...)}
	meta := d.snapshotMeta()
	if d.err == nil && len(d.buf) != 0 {
		d.fail("trailing bytes")
	}
	return meta, d.err
}

func appendUvarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

func appendBytes(b, data []byte) []byte {
	b = appendUvarint(b, uint64(len(data)))
	return append(b, data...)
}

func appendMembership(b []byte, m Membership) []byte {
	for _, list := range [][]ID{m.Voters, m.Learners} {
		b = appendUvarint(b, uint64(len(list)))
		for _, id := range list {
			b = appendUvarint(b, uint64(id))
		}
	}
	return b
}

// decoder reads from buf, recording the first error; after an error every
// read returns zero values, so callers check err once at the end.
type decoder struct {
	buf []byte
	err error
}

func (d *decoder) fail(why string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrInvalidMessage, why)
	}
	d.buf = nil
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.buf) == 0 {
		d.fail("truncated")
		return 0
	}
	v := d.buf[0]
	d.buf = d.buf[1:]
	return v
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

// count reads a length bounded by limit and by the bytes left (every item
// takes at least one byte), so no input can make us allocate much.
func (d *decoder) count(limit int) int {
	n := d.uvarint()
	if d.err == nil && (n > uint64(limit) || n > uint64(len(d.buf))) {
		d.fail("count out of range")
		return 0
	}
	return int(n)
}

// bytes reads a length-prefixed byte string of at most limit bytes; an
// empty string decodes as nil.
func (d *decoder) bytes(limit int) []byte {
	n := d.count(limit)
	if d.err != nil || n == 0 {
		return nil
	}
	v := d.buf[:n:n]
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) entry() Entry {
	e := Entry{Type: EntryType(d.byte()), Term: d.uvarint(), Index: d.uvarint()}
	e.Data = d.bytes(EntryBytesMax)
	if d.err == nil && !e.Type.valid() {
		d.fail("unknown entry type")
	}
	return e
}

func (d *decoder) membership() Membership {
	var m Membership
	for _, list := range []*[]ID{&m.Voters, &m.Learners} {
		n := d.count(MembersMax)
		for i := 0; i < n && d.err == nil; i++ {
			*list = append(*list, ID(d.uvarint()))
		}
	}
	if d.err == nil {
		if err := m.Validate(); err != nil {
			d.fail(err.Error())
		}
	}
	return m
}

func (d *decoder) snapshotMeta() SnapshotMeta {
	return SnapshotMeta{Index: d.uvarint(), Term: d.uvarint(), Membership: d.membership()}
}
