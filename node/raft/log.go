package raft

import "errors"

// raftLog is the node's view of the log: Storage (persisted) overlaid by
// unstable (accepted, not yet persisted), plus the commit and apply
// positions. Unexpected storage errors abort through failStorage.
type raftLog struct {
	storage  Storage
	unstable unstable
	// committed is the highest index known to be stored on a quorum.
	committed uint64
	// applying is the highest index handed out in Ready.CommittedEntries.
	applying uint64
	// applied is the highest index the caller acknowledged as applied.
	applied uint64
	// maxApplyBytes bounds the committed entries handed out per Ready.
	maxApplyBytes uint64
}

// newLog builds the view of a storage's contents; commit and applied start
// at the snapshot index and are raised by the caller from HardState.
func newLog(storage Storage, maxApplyBytes uint64) (*raftLog, error) {
	first, err := storage.FirstIndex()
	if err != nil {
		return nil, errors.Join(ErrStorageFailed, err)
	}
	last, err := storage.LastIndex()
	if err != nil {
		return nil, errors.Join(ErrStorageFailed, err)
	}
	if first == 0 || last+1 < first {
		return nil, ErrCorruptState
	}
	l := &raftLog{storage: storage, maxApplyBytes: maxApplyBytes}
	l.unstable.offset = last + 1
	l.unstable.offsetInProgress = last + 1
	l.committed = first - 1
	l.applying = first - 1
	l.applied = first - 1
	return l, nil
}

func (l *raftLog) firstIndex() uint64 {
	if i, ok := l.unstable.maybeFirstIndex(); ok {
		return i
	}
	i, err := l.storage.FirstIndex()
	if err != nil {
		failStorage(err)
	}
	return i
}

func (l *raftLog) lastIndex() uint64 {
	if i, ok := l.unstable.maybeLastIndex(); ok {
		return i
	}
	i, err := l.storage.LastIndex()
	if err != nil {
		failStorage(err)
	}
	return i
}

// term returns the term of entry i; ErrCompacted and ErrUnavailable mark
// indexes outside [firstIndex-1, lastIndex].
func (l *raftLog) term(i uint64) (uint64, error) {
	if t, ok := l.unstable.maybeTerm(i); ok {
		return t, nil
	}
	if i+1 < l.firstIndex() {
		return 0, ErrCompacted
	}
	if i > l.lastIndex() {
		return 0, ErrUnavailable
	}
	t, err := l.storage.Term(i)
	switch {
	case err == nil:
		return t, nil
	case errors.Is(err, ErrCompacted), errors.Is(err, ErrUnavailable):
		return 0, err
	}
	failStorage(err)
	return 0, nil
}

// termOrZero is term for callers that treat unknown terms as "no match".
func (l *raftLog) termOrZero(i uint64) uint64 {
	t, err := l.term(i)
	if err != nil {
		return 0
	}
	return t
}

func (l *raftLog) lastTerm() uint64 {
	t, err := l.term(l.lastIndex())
	if err != nil {
		invariantf("term of last index %d: %v", l.lastIndex(), err)
	}
	return t
}

func (l *raftLog) matchTerm(i, t uint64) bool {
	got, err := l.term(i)
	return err == nil && got == t
}

// isUpToDate reports whether a log ending at (last, term) is at least as
// up to date as ours (Raft §5.4.1).
func (l *raftLog) isUpToDate(last, term uint64) bool {
	ours := l.lastTerm()
	return term > ours || (term == ours && last >= l.lastIndex())
}

// slice returns entries [lo, hi) bounded by maxBytes (at least one), or
// ErrCompacted when lo is before the first available index.
func (l *raftLog) slice(lo, hi, maxBytes uint64) ([]Entry, error) {
	if lo < l.firstIndex() {
		return nil, ErrCompacted
	}
	if hi > l.lastIndex()+1 {
		invariantf("slice [%d,%d) beyond last %d", lo, hi, l.lastIndex())
	}
	if lo >= hi {
		return nil, nil
	}
	var ents []Entry
	if lo < l.unstable.offset {
		stableHi := min(hi, l.unstable.offset)
		stored, err := l.storage.Entries(lo, stableHi, maxBytes)
		if errors.Is(err, ErrCompacted) {
			return nil, err
		}
		if err != nil {
			failStorage(err)
		}
		if len(stored) == 0 {
			invariantf("storage returned no entries for [%d,%d)", lo, stableHi)
		}
		if uint64(len(stored)) < stableHi-lo {
			return stored, nil // the byte limit cut the stored part short
		}
		ents = stored
	}
	if hi > l.unstable.offset {
		from := max(lo, l.unstable.offset)
		u := l.unstable.entries[from-l.unstable.offset : hi-l.unstable.offset]
		if len(ents) == 0 {
			ents = u[:len(u):len(u)]
		} else {
			ents = append(ents[:len(ents):len(ents)], u...)
		}
	}
	return limitEntryBytes(ents, maxBytes), nil
}

// findConflict returns the index of the first entry of ents whose term
// differs from ours (or which we do not have), or 0 if all match.
func (l *raftLog) findConflict(ents []Entry) uint64 {
	for _, e := range ents {
		if !l.matchTerm(e.Index, e.Term) {
			return e.Index
		}
	}
	return 0
}

// maybeAppend appends ents after (index, logTerm) if our log matches
// there. It returns the last index of the matching run and the entries it
// actually wrote (those beyond our log or replacing conflicting ones).
// The caller ensures index >= committed, so committed entries are never
// overwritten (append asserts it).
func (l *raftLog) maybeAppend(index, logTerm uint64, ents []Entry) (lastNew uint64, written []Entry, ok bool) {
	if index < l.committed {
		invariantf("append after %d, before commit %d", index, l.committed)
	}
	if !l.matchTerm(index, logTerm) {
		return 0, nil, false
	}
	lastNew = index + uint64(len(ents))
	conflict := l.findConflict(ents)
	if conflict == 0 {
		return lastNew, nil, true
	}
	written = ents[conflict-(index+1):]
	l.append(written...)
	return lastNew, written, true
}

// append adds entries after the committed prefix and returns the new last
// index.
func (l *raftLog) append(ents ...Entry) uint64 {
	if len(ents) == 0 {
		return l.lastIndex()
	}
	if ents[0].Index <= l.committed {
		invariantf("append at %d overwrites committed %d", ents[0].Index, l.committed)
	}
	if ents[0].Index > l.lastIndex()+1 {
		invariantf("append at %d leaves a gap after %d", ents[0].Index, l.lastIndex())
	}
	l.unstable.truncateAndAppend(ents)
	return l.lastIndex()
}

// commitTo raises the commit index; it never lowers it.
func (l *raftLog) commitTo(c uint64) {
	if c <= l.committed {
		return
	}
	if c > l.lastIndex() {
		invariantf("commit %d beyond last index %d", c, l.lastIndex())
	}
	l.committed = c
}

// appliedTo records that the caller applied everything up to i.
func (l *raftLog) appliedTo(i uint64) {
	if i > l.committed {
		invariantf("applied %d beyond commit %d", i, l.committed)
	}
	l.applied = max(l.applied, i)
	l.applying = max(l.applying, i)
}

// nextCommittedEntries returns committed entries not yet handed out for
// applying, bounded by maxApplyBytes. None while a snapshot is pending:
// the caller must restore it first.
func (l *raftLog) nextCommittedEntries() []Entry {
	if l.unstable.snapshot != nil || l.applying >= l.committed {
		return nil
	}
	ents, err := l.slice(l.applying+1, l.committed+1, l.maxApplyBytes)
	if err != nil {
		invariantf("committed entries after %d compacted: %v", l.applying, err)
	}
	return ents
}

func (l *raftLog) hasNextCommittedEntries() bool {
	return l.unstable.snapshot == nil && l.applying < l.committed
}

// acceptApplying records that entries up to i were handed out.
func (l *raftLog) acceptApplying(i uint64) {
	if i > l.committed {
		invariantf("handing out %d beyond commit %d", i, l.committed)
	}
	l.applying = max(l.applying, i)
}

// snapshot returns the latest snapshot: a pending incoming one, else the
// stored one.
func (l *raftLog) snapshot() (Snapshot, error) {
	if l.unstable.snapshot != nil {
		return *l.unstable.snapshot, nil
	}
	s, err := l.storage.Snapshot()
	if err != nil && !errors.Is(err, ErrSnapshotTemporarilyUnavailable) {
		failStorage(err)
	}
	return s, err
}

// restore replaces the log with snapshot s, which must be beyond commit.
func (l *raftLog) restore(s Snapshot) {
	if s.Meta.Index <= l.committed {
		invariantf("restore %d at or before commit %d", s.Meta.Index, l.committed)
	}
	l.committed = s.Meta.Index
	l.unstable.restore(s)
}
