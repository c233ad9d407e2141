package raft

// unstable holds what the state machine has accepted but the caller has
// not yet persisted: an incoming snapshot and/or a run of entries. The
// entries shadow Storage from offset on; everything in Storage at or after
// offset is stale and will be overwritten when the caller persists them.
type unstable struct {
	// snapshot is a snapshot received from the leader, not yet persisted.
	snapshot *Snapshot
	// snapshotInProgress is set once snapshot was handed out in a Ready.
	snapshotInProgress bool
	// entries are not yet persisted; entries[i] has index offset+i.
	entries []Entry
	offset  uint64
	// offsetInProgress: entries below it were handed out in a Ready and
	// await Advance; entries from it on are new.
	offsetInProgress uint64
}

// maybeFirstIndex returns the first log index implied by a pending snapshot.
func (u *unstable) maybeFirstIndex() (uint64, bool) {
	if u.snapshot != nil {
		return u.snapshot.Meta.Index + 1, true
	}
	return 0, false
}

// maybeLastIndex returns the last index held here, if any.
func (u *unstable) maybeLastIndex() (uint64, bool) {
	if n := len(u.entries); n > 0 {
		return u.offset + uint64(n) - 1, true
	}
	if u.snapshot != nil {
		return u.snapshot.Meta.Index, true
	}
	return 0, false
}

// maybeTerm returns the term of entry i if it is held here.
func (u *unstable) maybeTerm(i uint64) (uint64, bool) {
	if i < u.offset {
		if u.snapshot != nil && u.snapshot.Meta.Index == i {
			return u.snapshot.Meta.Term, true
		}
		return 0, false
	}
	last, ok := u.maybeLastIndex()
	if !ok || i > last {
		return 0, false
	}
	return u.entries[i-u.offset].Term, true
}

// nextEntries returns the entries not yet handed out in a Ready.
func (u *unstable) nextEntries() []Entry {
	start := u.offsetInProgress - u.offset
	if start > uint64(len(u.entries)) {
		invariantf("unstable in-progress %d beyond entries [%d,+%d)",
			u.offsetInProgress, u.offset, len(u.entries))
	}
	if start == uint64(len(u.entries)) {
		return nil
	}
	ents := u.entries[start:]
	return ents[:len(ents):len(ents)]
}

// nextSnapshot returns the snapshot if not yet handed out in a Ready.
func (u *unstable) nextSnapshot() *Snapshot {
	if u.snapshot == nil || u.snapshotInProgress {
		return nil
	}
	return u.snapshot
}

// acceptInProgress marks everything held as handed out.
func (u *unstable) acceptInProgress() {
	u.offsetInProgress = u.offset + uint64(len(u.entries))
	if u.snapshot != nil {
		u.snapshotInProgress = true
	}
}

// stableTo drops entries up to i once they are persisted, provided entry i
// is still the one that was persisted (term t): a later truncation may
// have replaced it, in which case nothing is stable yet.
func (u *unstable) stableTo(i, t uint64) {
	gt, ok := u.maybeTerm(i)
	if !ok || gt != t || i < u.offset {
		return
	}
	n := i + 1 - u.offset
	rest := u.entries[n:]
	// Copy so the dropped prefix's backing array can be freed and no Ready
	// slice aliases entries appended later.
	u.entries = append([]Entry(nil), rest...)
	u.offset = i + 1
	if u.offsetInProgress < u.offset {
		u.offsetInProgress = u.offset
	}
}

// stableSnapTo drops the pending snapshot at index i once persisted.
func (u *unstable) stableSnapTo(i uint64) {
	if u.snapshot != nil && u.snapshot.Meta.Index == i {
		u.snapshot = nil
		u.snapshotInProgress = false
	}
}

// restore replaces everything with an incoming snapshot.
func (u *unstable) restore(s Snapshot) {
	u.offset = s.Meta.Index + 1
	u.offsetInProgress = u.offset
	u.entries = nil
	u.snapshot = &s
	u.snapshotInProgress = false
}

// truncateAndAppend appends ents, first discarding any held entries at or
// after ents[0].Index.
func (u *unstable) truncateAndAppend(ents []Entry) {
	from := ents[0].Index
	end := u.offset + uint64(len(u.entries))
	switch {
	case from == end:
		u.entries = append(u.entries, ents...)
	case from <= u.offset:
		// Replace everything: the caller will truncate Storage at from.
		u.entries = append([]Entry(nil), ents...)
		u.offset = from
		u.offsetInProgress = from
	default:
		if from >= end {
			invariantf("append at %d leaves a gap after %d", from, end)
		}
		kept := append([]Entry(nil), u.entries[:from-u.offset]...)
		u.entries = append(kept, ents...)
		if u.offsetInProgress > from {
			u.offsetInProgress = from
		}
	}
}
