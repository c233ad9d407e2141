package raft

// Storage is the read side of a node's persisted log, owned by the caller.
// The state machine reads through it; it never writes. The caller writes
// what each Ready asks (HardState, Entries, Snapshot, Compaction) and
// acknowledges with Advance, after which those entries must be readable
// here. The interface is small so that a file-backed log can implement it
// later: FirstIndex/LastIndex/Term can come from an in-memory index, and
// Entries from reading the file.
//
// Index conventions: the log holds entries [FirstIndex, LastIndex]; the
// entry just before FirstIndex is covered by Snapshot, whose Index is
// FirstIndex-1 and whose Term answers Term(FirstIndex-1). An empty log has
// FirstIndex 1 and LastIndex 0.
type Storage interface {
	// InitialState returns the persisted HardState.
	InitialState() (HardState, error)
	// Entries returns entries [lo, hi): at least one if lo < hi, then as
	// many as fit with the first in maxBytes of data. It returns ErrCompacted
	// if lo < FirstIndex and ErrUnavailable if hi > LastIndex+1. The caller
	// must not modify the returned slice.
	Entries(lo, hi, maxBytes uint64) ([]Entry, error)
	// Term returns the term of entry i, for i in [FirstIndex-1, LastIndex].
	// It returns ErrCompacted below that range and ErrUnavailable above.
	Term(i uint64) (uint64, error)
	// FirstIndex is the index of the first entry held (LastIndex+1 if none).
	FirstIndex() (uint64, error)
	// LastIndex is the index of the last entry held (the snapshot index if
	// no entries follow it).
	LastIndex() (uint64, error)
	// Snapshot returns the most recent snapshot. It may return
	// ErrSnapshotTemporarilyUnavailable; the leader then retries.
	Snapshot() (Snapshot, error)
}

// MemoryStorage is a Storage held in memory. Tests and the simulator use
// it as the "disk": whatever the caller wrote into it from Ready survives
// a simulated crash, everything else is lost.
type MemoryStorage struct {
	hardState HardState
	snapshot  Snapshot
	// entries[0] is a placeholder for the snapshot position: its Index
	// and Term are the snapshot's, so Term(FirstIndex-1) needs no special
	// case. Real entries follow.
	entries []Entry
}

// NewMemoryStorage returns an empty log.
func NewMemoryStorage() *MemoryStorage {
	return &MemoryStorage{entries: make([]Entry, 1)}
}

// InitialState returns the stored HardState.
func (ms *MemoryStorage) InitialState() (HardState, error) { return ms.hardState, nil }

// SetHardState stores hs.
func (ms *MemoryStorage) SetHardState(hs HardState) error {
	ms.hardState = hs
	return nil
}

func (ms *MemoryStorage) offset() uint64 { return ms.entries[0].Index }

func (ms *MemoryStorage) lastIndex() uint64 {
	return ms.entries[0].Index + uint64(len(ms.entries)) - 1
}

// FirstIndex implements Storage.
func (ms *MemoryStorage) FirstIndex() (uint64, error) { return ms.offset() + 1, nil }

// LastIndex implements Storage.
func (ms *MemoryStorage) LastIndex() (uint64, error) { return ms.lastIndex(), nil }

// Term implements Storage.
func (ms *MemoryStorage) Term(i uint64) (uint64, error) {
	offset := ms.offset()
	if i < offset {
		return 0, ErrCompacted
	}
	if i > ms.lastIndex() {
		return 0, ErrUnavailable
	}
	return ms.entries[i-offset].Term, nil
}

// Entries implements Storage.
func (ms *MemoryStorage) Entries(lo, hi, maxBytes uint64) ([]Entry, error) {
	offset := ms.offset()
	if lo <= offset {
		return nil, ErrCompacted
	}
	if hi > ms.lastIndex()+1 {
		return nil, ErrUnavailable
	}
	if lo >= hi {
		return nil, nil
	}
	ents := limitEntryBytes(ms.entries[lo-offset:hi-offset], maxBytes)
	return ents[:len(ents):len(ents)], nil
}

// Snapshot implements Storage.
func (ms *MemoryStorage) Snapshot() (Snapshot, error) { return ms.snapshot, nil }

// Append stores entries that follow or overwrite the log's tail: stored
// entries at and after entries[0].Index are discarded first, as Ready.Entries
// requires. Entries already covered by the snapshot are skipped.
func (ms *MemoryStorage) Append(entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	first := ms.offset() + 1
	last := entries[len(entries)-1].Index
	if last < first {
		return nil
	}
	if entries[0].Index < first {
		entries = entries[first-entries[0].Index:]
	}
	if entries[0].Index > ms.lastIndex()+1 {
		return ErrUnavailable
	}
	keep := entries[0].Index - ms.offset()
	ms.entries = append(ms.entries[:keep:keep], entries...)
	return nil
}

// ApplySnapshot replaces the whole log with snap (a snapshot received from
// the leader, Ready.Snapshot).
func (ms *MemoryStorage) ApplySnapshot(snap Snapshot) error {
	if snap.Meta.Index <= ms.snapshot.Meta.Index && ms.snapshot.Meta.Index > 0 {
		return ErrSnapshotOutOfDate
	}
	ms.snapshot = snap
	ms.entries = []Entry{{Index: snap.Meta.Index, Term: snap.Meta.Term}}
	return nil
}

// Compact stores snap (Ready.Compaction) as the latest snapshot and
// discards the entries it covers; later entries stay.
func (ms *MemoryStorage) Compact(snap Snapshot) error {
	index := snap.Meta.Index
	if index <= ms.offset() {
		return ErrSnapshotOutOfDate
	}
	if index > ms.lastIndex() {
		return ErrUnavailable
	}
	if ms.entries[index-ms.offset()].Term != snap.Meta.Term {
		return ErrCorruptState
	}
	rest := ms.entries[index-ms.offset():]
	kept := make([]Entry, len(rest))
	copy(kept, rest)
	kept[0].Type, kept[0].Data = 0, nil
	ms.entries = kept
	ms.snapshot = snap
	return nil
}

// limitEntryBytes returns the longest prefix of ents (at least one entry)
// whose data fits in maxBytes.
func limitEntryBytes(ents []Entry, maxBytes uint64) []Entry {
	if len(ents) == 0 {
		return ents
	}
	size := uint64(len(ents[0].Data))
	for i := 1; i < len(ents); i++ {
		size += uint64(len(ents[i].Data))
		if size > maxBytes {
			return ents[:i]
		}
	}
	return ents
}
