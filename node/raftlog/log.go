package raftlog

import (
	"errors"
	"fmt"
	"io"
	"path"

	"jsnode/disk"
	"jsnode/node/raft"
)

// Limits and defaults.
const (
	// SegmentBytesDefault is Options.SegmentBytes when zero.
	SegmentBytesDefault = 64 << 20
	// SegmentBytesMin bounds Options.SegmentBytes from below, so a segment
	// always has room for its header and a few records.
	SegmentBytesMin = 256
	// CacheBytesDefault is Options.CacheBytes when zero.
	CacheBytesDefault = 64 << 20
)

// Names inside the Log's directory.
const (
	walDir        = "wal"
	snapDir       = "snap"
	hardStateFile = "hardstate"
)

// Options tune a Log. The zero value uses the defaults.
type Options struct {
	// SegmentBytes is the size at which the active WAL segment is closed
	// and a new one started (0: SegmentBytesDefault). A segment passes it
	// by at most one record.
	SegmentBytes int64
	// CacheBytes bounds the entry data kept in memory (0:
	// CacheBytesDefault; negative: none). The newest entries are cached;
	// older ones are read back from their segment, checksum verified, when
	// Entries asks for them. Term, index and location of every entry are
	// always in memory (about 64 bytes per entry), so memory grows with
	// the uncompacted log: compact it.
	CacheBytes int64
}

func (o Options) withDefaults() (Options, error) {
	if o.SegmentBytes == 0 {
		o.SegmentBytes = SegmentBytesDefault
	}
	if o.SegmentBytes < SegmentBytesMin {
		return o, invalidf("SegmentBytes %d below %d", o.SegmentBytes, SegmentBytesMin)
	}
	if o.CacheBytes == 0 {
		o.CacheBytes = CacheBytesDefault
	}
	return o, nil
}

// Log is the durable storage of one Raft group; see the package doc. It
// implements raft.Storage. It is single-threaded: one caller owns it.
type Log struct {
	fs   disk.FS
	dir  string
	opts Options

	// hs is the latest saved HardState; hsFile what the hard-state file
	// holds (durable).
	hs     raft.HardState
	hsFile raft.HardState
	// snap is the latest snapshot; its index is the log's base.
	snap raft.Snapshot
	// epoch identifies the log lineage: the index of the snapshot install
	// that started the current segments (0 for the first lineage).
	epoch uint64

	// ents are the entries after the base: ents[k] has index base+1+k.
	ents []entryMeta
	// cacheFrom is the lowest index whose data is in memory; every later
	// entry's is too. cacheBytes is the data held.
	cacheFrom  uint64
	cacheBytes int64

	// segs are the WAL segments, by first index; the last is active.
	segs []*segment
	// walDirDirty says the WAL directory has an entry not yet synced.
	walDirDirty bool
	// batch is the reused buffer a Save encodes its records into.
	batch []byte
	// pendingMark is the sync mark at the start of batch, if any.
	pendingMark int64
	// commitWritten is the highest commit index written to the WAL since
	// the last truncation; commitDurable the highest commit index that
	// survives any crash (synced in the WAL or in the hard-state file).
	commitWritten uint64
	commitDurable uint64

	// syncing is the sync started by StartSync and not yet finished.
	syncing *SyncJob

	recovery Recovery
	failed   error
	closed   bool
	bugs     testBugs
}

// testBugs switches on deliberately broken behaviour, so tests can show
// that their checkers catch it.
type testBugs struct {
	// skipHardState never writes the hard-state file: votes are lost.
	skipHardState bool
}

// entryMeta is what the Log keeps per entry.
type entryMeta struct {
	term uint64
	typ  raft.EntryType
	data []byte // nil unless cached (or empty)
	seg  *segment
	off  int64 // record offset in seg
	size int32 // record size
}

// segment is one WAL file.
type segment struct {
	name  string // path relative to the FS root
	first uint64 // index of the first entry it holds (or will hold)
	epoch uint64
	f     disk.File
	rw    bool  // f was opened for writing
	size  int64 // bytes written
	// dirty says writes or a truncation await a sync. durable is how much
	// of the file is known synced; marked the largest sync mark in it.
	dirty   bool
	durable int64
	marked  int64
}

// Recovery reports what Open found and repaired.
type Recovery struct {
	// Segments is the number of WAL segments read.
	Segments int
	// TornSegment is the segment whose torn tail was cut ("" if none), at
	// TornOffset, removing TornBytes bytes.
	TornSegment string
	TornOffset  int64
	TornBytes   int64
	// Rereads counts segment reads that returned damaged bytes and read
	// back intact the second time (a transient read error, not the disk).
	Rereads int
	// Removed lists files deleted as leftovers: a torn new segment,
	// segments of an older lineage or covered by the snapshot, older
	// snapshots and temporary files.
	Removed []string
}

// Open opens the log in dir, creating it if needed, and recovers its
// state: hard state, latest snapshot, and the entries after it. A torn
// tail of the last segment is cut off (and the cut synced); anything else
// that fails its checksum or breaks the log's structure is returned as a
// *CorruptionError.
func Open(fs disk.FS, dir string, opts Options) (*Log, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	dir, err = disk.CleanPath(dir)
	if err != nil {
		return nil, err
	}
	l := &Log{fs: fs, dir: dir, opts: opts, cacheFrom: 1}
	if err := l.prepareDirs(); err != nil {
		return nil, err
	}
	if err := l.recover(); err != nil {
		l.closeFiles()
		return nil, err
	}
	return l, nil
}

func (l *Log) path(parts ...string) string { return path.Join(append([]string{l.dir}, parts...)...) }

// prepareDirs creates the directories and makes their names durable.
func (l *Log) prepareDirs() error {
	for _, d := range []string{l.path(walDir), l.path(snapDir)} {
		if err := l.fs.MkdirAll(d); err != nil {
			return err
		}
	}
	// Sync every ancestor too: MkdirAll may have created several levels.
	for _, d := range []string{l.path(walDir), l.path(snapDir)} {
		if err := l.fs.SyncDir(d); err != nil {
			return err
		}
	}
	for d := l.dir; ; d = path.Dir(d) {
		if err := l.fs.SyncDir(d); err != nil {
			return err
		}
		if d == "." {
			return nil
		}
	}
}

// Recovery reports what Open found and repaired.
func (l *Log) Recovery() Recovery { return l.recovery }

// Err returns the error that stopped the Log (see ErrFailed), or nil.
func (l *Log) Err() error { return l.failed }

// Close releases the open files. It does not sync: call Sync first.
func (l *Log) Close() error {
	if l.closed {
		return ErrClosed
	}
	l.closed = true
	return l.closeFiles()
}

func (l *Log) closeFiles() error {
	var errs []error
	for _, s := range l.segs {
		if s.f != nil {
			errs = append(errs, s.f.Close())
			s.f = nil
		}
	}
	return errors.Join(errs...)
}

// usable returns why the Log cannot be used, if it cannot.
func (l *Log) usable() error {
	switch {
	case l.closed:
		return ErrClosed
	case l.failed != nil:
		return l.failed
	}
	return nil
}

// writable is usable, and refuses changes while a sync is in flight.
func (l *Log) writable() error {
	if err := l.usable(); err != nil {
		return err
	}
	if l.syncing != nil {
		return ErrSyncInFlight
	}
	return nil
}

// fail stops the Log for good (see ErrFailed) and returns the error.
func (l *Log) fail(op string, err error) error {
	l.failed = fmt.Errorf("%w: %s: %w", ErrFailed, op, err)
	return l.failed
}

func (l *Log) base() uint64      { return l.snap.Meta.Index }
func (l *Log) lastIndex() uint64 { return l.base() + uint64(len(l.ents)) }
func (l *Log) active() *segment  { return l.segs[len(l.segs)-1] }

// meta returns the entry at index i, which must be in (base, last].
func (l *Log) meta(i uint64) *entryMeta { return &l.ents[i-l.base()-1] }

// termAt returns the term of i in [base, last].
func (l *Log) termAt(i uint64) uint64 {
	if i == l.base() {
		return l.snap.Meta.Term
	}
	return l.meta(i).term
}

// InitialState implements raft.Storage: the latest saved HardState.
func (l *Log) InitialState() (raft.HardState, error) {
	if err := l.usable(); err != nil {
		return raft.HardState{}, err
	}
	return l.hs, nil
}

// FirstIndex implements raft.Storage.
func (l *Log) FirstIndex() (uint64, error) {
	if err := l.usable(); err != nil {
		return 0, err
	}
	return l.base() + 1, nil
}

// LastIndex implements raft.Storage.
func (l *Log) LastIndex() (uint64, error) {
	if err := l.usable(); err != nil {
		return 0, err
	}
	return l.lastIndex(), nil
}

// Term implements raft.Storage.
func (l *Log) Term(i uint64) (uint64, error) {
	if err := l.usable(); err != nil {
		return 0, err
	}
	switch {
	case i < l.base():
		return 0, raft.ErrCompacted
	case i > l.lastIndex():
		return 0, raft.ErrUnavailable
	}
	return l.termAt(i), nil
}

// Snapshot implements raft.Storage: the latest snapshot, held in memory.
func (l *Log) Snapshot() (raft.Snapshot, error) {
	if err := l.usable(); err != nil {
		return raft.Snapshot{}, err
	}
	return l.snap, nil
}

// Entries implements raft.Storage. Entries older than the cache are read
// from their segment and verified; a mismatch is a *CorruptionError.
func (l *Log) Entries(lo, hi, maxBytes uint64) ([]raft.Entry, error) {
	if err := l.usable(); err != nil {
		return nil, err
	}
	switch {
	case lo <= l.base():
		return nil, raft.ErrCompacted
	case hi > l.lastIndex()+1:
		return nil, raft.ErrUnavailable
	case lo >= hi:
		return nil, nil
	}
	out := make([]raft.Entry, 0, min(hi-lo, entriesPreallocMax))
	var size uint64
	for i := lo; i < hi; i++ {
		e, err := l.entry(i)
		if err != nil {
			return nil, err
		}
		size += uint64(len(e.Data))
		if len(out) > 0 && size > maxBytes {
			break
		}
		out = append(out, e)
	}
	return out, nil
}

// entriesPreallocMax bounds the slice Entries allocates up front.
const entriesPreallocMax = 1024

// entry returns entry i in (base, last], from the cache or the disk.
func (l *Log) entry(i uint64) (raft.Entry, error) {
	m := l.meta(i)
	if i >= l.cacheFrom {
		return raft.Entry{Term: m.term, Index: i, Type: m.typ, Data: m.data}, nil
	}
	buf := make([]byte, m.size)
	n, err := m.seg.f.ReadAt(buf, m.off)
	if n < len(buf) {
		if err == nil || errors.Is(err, io.EOF) {
			return raft.Entry{}, corruptf(m.seg.name, m.off, "entry %d: record cut short", i)
		}
		return raft.Entry{}, err
	}
	t, payload, size, st := parseRecord(buf)
	if st != recordOK || t != recEntry || size != len(buf) {
		return raft.Entry{}, corruptf(m.seg.name, m.off, "entry %d: record fails its checksum on read", i)
	}
	e, err := raft.UnmarshalEntry(payload)
	if err != nil || e.Index != i || e.Term != m.term {
		return raft.Entry{}, corruptf(m.seg.name, m.off, "entry %d: record holds a different entry", i)
	}
	return e, nil
}

// addEntry records a new last entry (cached) and trims the cache.
func (l *Log) addEntry(e raft.Entry, seg *segment, off int64, size int) {
	if len(e.Data) == 0 {
		e.Data = nil
	}
	l.ents = append(l.ents, entryMeta{term: e.Term, typ: e.Type, data: e.Data, seg: seg, off: off, size: int32(size)})
	l.cacheBytes += int64(len(e.Data))
}

// evict drops cached data, oldest first, until the cache fits its limit.
func (l *Log) evict() {
	last := l.lastIndex()
	for l.cacheBytes > l.opts.CacheBytes && l.cacheFrom <= last {
		m := l.meta(l.cacheFrom)
		l.cacheBytes -= int64(len(m.data))
		m.data = nil
		l.cacheFrom++
	}
}

// truncateMemory drops entries from index i on.
func (l *Log) truncateMemory(i uint64) {
	for j := max(i, l.cacheFrom); j <= l.lastIndex(); j++ {
		l.cacheBytes -= int64(len(l.meta(j).data))
	}
	clear(l.ents[i-l.base()-1:])
	l.ents = l.ents[:i-l.base()-1]
	l.cacheFrom = min(l.cacheFrom, i)
}

// dropMemoryThrough drops entries up to and including index i, which
// becomes the base (the caller sets the snapshot).
func (l *Log) dropMemoryThrough(i uint64) {
	n := i - l.base()
	for j := max(l.base()+1, l.cacheFrom); j <= i; j++ {
		l.cacheBytes -= int64(len(l.meta(j).data))
	}
	l.ents = append([]entryMeta(nil), l.ents[n:]...)
	l.cacheFrom = max(l.cacheFrom, i+1)
}
