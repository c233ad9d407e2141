package raftlog

import (
	"jsnode/node/mutant"
	"jsnode/node/raft"
)

// Save stores what one raft.Ready asks to persist, in Ready's order:
// snap (a snapshot received from the leader, which replaces the whole
// log), then entries (entries at or below the last index replace the
// log's suffix from entries[0].Index on; entries the snapshot covers are
// skipped), then hs (ignored if empty). The state is readable through the
// raft.Storage methods at once; it is durable only after Sync. Installing
// a snapshot is made durable inside Save (it is rare and must not leave a
// mix of old and new log behind).
//
// Save keeps the entries' Data without copying (raft's entries are
// immutable); the caller must not modify them afterwards.
//
// Calls that break the log's rules (gaps, overwriting committed entries,
// a term or commit going backwards, a second vote in a term) fail with
// ErrInvalid or ErrVoteConflict and change nothing. An I/O error stops the
// Log (ErrFailed).
func (l *Log) Save(hs raft.HardState, entries []raft.Entry, snap *raft.Snapshot) error {
	if err := l.writable(); err != nil {
		return err
	}
	entries, err := l.checkSave(hs, entries, snap)
	if err != nil {
		return err
	}
	if snap != nil {
		if err := l.install(*snap); err != nil {
			return err
		}
	}
	if len(entries) > 0 && entries[0].Index <= l.lastIndex() {
		if err := l.truncateFrom(entries[0].Index); err != nil {
			return err
		}
	}
	l.batch, l.pendingMark = l.batch[:0], 0
	for _, e := range entries {
		if l.mustRotate() {
			if err := l.rotate(e.Index); err != nil {
				return err
			}
		}
		l.reserveMark()
		before := len(l.batch)
		l.batch = appendEntryRecord(l.batch, e)
		l.addEntry(e, l.active(), l.active().size+int64(before), len(l.batch)-before)
	}
	if !hs.IsEmpty() {
		l.hs = hs
	}
	l.hs.Commit = max(l.hs.Commit, l.base()) // a snapshot is committed
	if l.hs.Commit > l.commitWritten {
		l.reserveMark()
		l.batch = appendUvarintRecord(l.batch, recCommit, l.hs.Commit)
		l.commitWritten = l.hs.Commit
	}
	err = l.flush()
	l.evict()
	return err
}

// checkSave validates a Save against the current state without changing
// anything and returns entries without those the snapshot covers.
func (l *Log) checkSave(hs raft.HardState, entries []raft.Entry, snap *raft.Snapshot) ([]raft.Entry, error) {
	base, last, baseTerm := l.base(), l.lastIndex(), l.snap.Meta.Term
	if snap != nil {
		if err := l.checkInstall(*snap); err != nil {
			return nil, err
		}
		base, last, baseTerm = snap.Meta.Index, snap.Meta.Index, snap.Meta.Term
	}
	for k := range entries {
		if entries[k].Index != entries[0].Index+uint64(k) {
			return nil, invalidf("entries not contiguous at %d", entries[k].Index)
		}
	}
	if n := len(entries); n > 0 && entries[n-1].Index <= base {
		entries = nil
	} else if n > 0 && entries[0].Index <= base {
		entries = entries[base+1-entries[0].Index:]
	}
	if len(entries) > 0 {
		first := entries[0].Index
		switch {
		case first > last+1:
			return nil, invalidf("entry %d leaves a gap after last index %d", first, last)
		case first <= last && first <= l.hs.Commit:
			return nil, invalidf("entry %d would overwrite committed entries (commit %d)", first, l.hs.Commit)
		}
		prevTerm := baseTerm
		if first-1 > base {
			prevTerm = l.meta(first - 1).term
		}
		for _, e := range entries {
			switch {
			case e.Type != raft.EntryNormal && e.Type != raft.EntryConfChange:
				return nil, invalidf("entry %d has unknown type %d", e.Index, e.Type)
			case len(e.Data) > raft.EntryBytesMax:
				return nil, invalidf("entry %d has %d bytes, limit %d", e.Index, len(e.Data), raft.EntryBytesMax)
			case e.Term < prevTerm:
				return nil, invalidf("entry %d has term %d below the previous entry's %d", e.Index, e.Term, prevTerm)
			}
			prevTerm = e.Term
		}
		last = entries[len(entries)-1].Index
	}
	return entries, l.checkHardState(hs, last)
}

func (l *Log) checkInstall(snap raft.Snapshot) error {
	switch {
	case snap.Meta.Index <= l.base():
		return raft.ErrSnapshotOutOfDate
	case snap.Meta.Index <= l.hs.Commit:
		return invalidf("snapshot %d does not pass commit index %d", snap.Meta.Index, l.hs.Commit)
	case len(snap.Data) > raft.SnapshotBytesMax:
		return invalidf("snapshot has %d bytes, limit %d", len(snap.Data), raft.SnapshotBytesMax)
	}
	if err := snap.Meta.Membership.Validate(); err != nil {
		return invalidf("snapshot membership: %v", err)
	}
	return nil
}

// checkHardState validates hs against the saved one, with last the last
// index once the Save's entries are stored.
func (l *Log) checkHardState(hs raft.HardState, last uint64) error {
	switch {
	case hs.IsEmpty():
		return nil
	case hs.Term < l.hs.Term:
		return invalidf("term going backwards: %d -> %d", l.hs.Term, hs.Term)
	case hs.Term == l.hs.Term && l.hs.Vote != raft.None && hs.Vote != l.hs.Vote:
		return ErrVoteConflict
	case hs.Commit < l.hs.Commit:
		return invalidf("commit going backwards: %d -> %d", l.hs.Commit, hs.Commit)
	case hs.Commit > last:
		return invalidf("commit %d beyond last index %d", hs.Commit, last)
	}
	return nil
}

// mustRotate says the active segment is full. A segment holding no entry
// yet is never rotated away, so every segment but the last holds entries
// and the new segment's name (its first index) is always new.
func (l *Log) mustRotate() bool {
	act := l.active()
	return l.lastIndex() >= act.first && act.size+int64(len(l.batch)) >= l.opts.SegmentBytes
}

// reserveMark starts the batch with a sync mark if the active segment
// became more durable since its last mark.
func (l *Log) reserveMark() {
	act := l.active()
	if len(l.batch) == 0 && act.durable > act.marked {
		l.batch = appendUvarintRecord(l.batch, recSyncMark, uint64(act.durable))
		l.pendingMark = act.durable
	}
}

// flush writes the batch to the active segment.
func (l *Log) flush() error {
	if len(l.batch) == 0 {
		return nil
	}
	act := l.active()
	if _, err := act.f.Write(l.batch); err != nil {
		return l.fail("write "+act.name, err)
	}
	act.size += int64(len(l.batch))
	act.dirty = true
	act.marked = max(act.marked, l.pendingMark)
	l.batch, l.pendingMark = l.batch[:0], 0
	return nil
}

// rotate closes the active segment and starts one whose first entry is
// next. The old segment is synced first, so only the last segment can
// ever hold unsynced (possibly torn) data.
func (l *Log) rotate(next uint64) error {
	if err := l.flush(); err != nil {
		return err
	}
	if err := l.syncActive(); err != nil {
		return err
	}
	if err := l.syncWALDir(); err != nil {
		return err
	}
	seg, err := l.createSegment(next, l.epoch)
	if err != nil {
		return l.fail("create segment", err)
	}
	l.segs = append(l.segs, seg)
	l.walDirDirty = true
	return nil
}

// createSegment creates a segment file and makes its header durable
// before any record follows it, so a damaged header with records after it
// is always corruption, never a torn write.
func (l *Log) createSegment(first, epoch uint64) (*segment, error) {
	name := l.path(walDir, segmentName(first))
	f, err := l.fs.Create(name)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(appendSegmentHeader(nil, first, epoch)); err != nil {
		_ = f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return nil, err
	}
	return &segment{name: name, first: first, epoch: epoch, f: f, rw: true,
		size: segmentHeaderSize, durable: segmentHeaderSize, marked: segmentHeaderSize}, nil
}

func (l *Log) syncActive() error {
	act := l.active()
	if !act.dirty {
		return nil
	}
	if mutant.Every(mutant.FsyncSkip1In4, 4) {
		act.dirty, act.durable = false, act.size // believed synced, and is not
		return nil
	}
	if err := act.f.Sync(); err != nil {
		return l.fail("sync "+act.name, err)
	}
	act.dirty, act.durable = false, act.size
	return nil
}

func (l *Log) syncWALDir() error {
	if !l.walDirDirty || mutant.On(mutant.DirSyncSkipCreate) {
		return nil
	}
	if err := l.fs.SyncDir(l.path(walDir)); err != nil {
		return l.fail("sync "+walDir, err)
	}
	l.walDirDirty = false
	return nil
}

// writeHardState replaces the hard-state file atomically and durably.
func (l *Log) writeHardState(hs raft.HardState) error {
	if l.bugs.skipHardState || mutant.On(mutant.HardStateNeverSave) {
		return nil
	}
	if err := writeFileAtomic(l.fs, l.path(hardStateFile), encodeHardState(hs)); err != nil {
		return l.fail("write "+hardStateFile, err)
	}
	l.hsFile = hs
	l.commitDurable = max(l.commitDurable, hs.Commit)
	return nil
}

// truncateFrom removes entries from index i on (i in (base, last]), on
// disk and in memory. The entries removed are uncommitted, so losing them
// is safe; but the commit records after them may be the only durable
// copy of the commit index, so the hard-state file takes it over first.
func (l *Log) truncateFrom(i uint64) error {
	if l.hsFile.Commit < l.commitDurable {
		hs := l.hs
		hs.Commit = l.commitDurable
		if err := l.writeHardState(hs); err != nil {
			return err
		}
	}
	m := l.meta(i)
	k := len(l.segs) - 1
	for l.segs[k] != m.seg {
		k--
	}
	if k < len(l.segs)-1 {
		// Remove the later segments durably before cutting this one: a
		// crash must never leave a cut segment followed by stale ones.
		if err := l.removeSegments(l.segs[k+1:]); err != nil {
			return err
		}
		l.segs = l.segs[:k+1]
		if err := l.syncWALDir(); err != nil {
			return err
		}
	}
	seg := l.segs[k]
	if err := l.makeWritable(seg); err != nil {
		return err
	}
	if err := seg.f.Truncate(m.off); err != nil {
		return l.fail("truncate "+seg.name, err)
	}
	seg.size, seg.dirty = m.off, true
	seg.durable = min(seg.durable, m.off)
	seg.marked = min(seg.marked, m.off)
	l.truncateMemory(i)
	l.commitWritten = 0 // the commit records may be gone: write one again
	return nil
}

// makeWritable reopens seg for writing if it was opened read-only.
func (l *Log) makeWritable(seg *segment) error {
	if seg.rw {
		return nil
	}
	f, err := l.fs.OpenReadWrite(seg.name)
	if err != nil {
		return l.fail("open "+seg.name, err)
	}
	_ = seg.f.Close()
	seg.f, seg.rw = f, true
	return nil
}

// removeSegments closes and deletes segs (not durably: callers sync the
// directory when it matters).
func (l *Log) removeSegments(segs []*segment) error {
	for _, s := range segs {
		if s.f != nil {
			_ = s.f.Close()
			s.f = nil
		}
		if err := l.fs.Remove(s.name); err != nil {
			return l.fail("remove "+s.name, err)
		}
		l.walDirDirty = true
	}
	return nil
}

// install replaces the whole log with snap: the snapshot file is made
// durable, then every old segment is removed durably, then a new lineage
// (epoch = snap index) starts with a fresh segment. A crash in between
// leaves the new snapshot with old segments of an older epoch, which Open
// discards.
func (l *Log) install(snap raft.Snapshot) error {
	idx := snap.Meta.Index
	if err := l.writeSnapshot(snap, idx); err != nil {
		return err
	}
	if err := l.removeSegments(l.segs); err != nil {
		return err
	}
	l.segs = nil
	if err := l.syncWALDir(); err != nil {
		return err
	}
	clear(l.ents)
	l.ents, l.cacheFrom, l.cacheBytes = nil, idx+1, 0
	l.snap, l.epoch, l.commitWritten = snap, idx, 0
	seg, err := l.createSegment(idx+1, idx)
	if err != nil {
		return l.fail("create segment", err)
	}
	l.segs = []*segment{seg}
	l.walDirDirty = true
	return l.removeOldSnapshots()
}

// Compact stores snap (raft's Ready.Compaction) as the latest snapshot
// and drops the entries it covers: segments holding only covered entries
// are deleted. It first syncs everything saved, so the entries up to the
// snapshot are durable before anything is removed. A snapshot not newer
// than the stored one fails with raft.ErrSnapshotOutOfDate, one beyond
// the commit index or not matching the log's term with ErrInvalid.
func (l *Log) Compact(snap raft.Snapshot) error {
	if err := l.writable(); err != nil {
		return err
	}
	idx := snap.Meta.Index
	switch {
	case idx <= l.base():
		return raft.ErrSnapshotOutOfDate
	case idx > l.hs.Commit || idx > l.lastIndex():
		return invalidf("compaction at %d beyond commit %d", idx, l.hs.Commit)
	case l.termAt(idx) != snap.Meta.Term:
		return invalidf("compaction at %d with term %d, log has %d", idx, snap.Meta.Term, l.termAt(idx))
	case len(snap.Data) > raft.SnapshotBytesMax:
		return invalidf("snapshot has %d bytes, limit %d", len(snap.Data), raft.SnapshotBytesMax)
	}
	if err := snap.Meta.Membership.Validate(); err != nil {
		return invalidf("snapshot membership: %v", err)
	}
	if err := l.Sync(); err != nil {
		return err
	}
	if err := l.writeSnapshot(snap, l.epoch); err != nil {
		return err
	}
	l.dropMemoryThrough(idx)
	l.snap = snap
	if err := l.dropCoveredSegments(); err != nil {
		return err
	}
	return l.removeOldSnapshots()
}

// dropCoveredSegments deletes segments (never the active one) whose
// entries are all covered by the snapshot. The deletion need not be
// durable: a covered segment that comes back after a crash is dropped
// again by Open.
func (l *Log) dropCoveredSegments() error {
	k := 0
	for k+1 < len(l.segs) && l.segs[k+1].first <= l.base()+1 {
		k++
	}
	if k == 0 {
		return nil
	}
	if err := l.removeSegments(l.segs[:k]); err != nil {
		return err
	}
	l.segs = append([]*segment(nil), l.segs[k:]...)
	return nil
}

// writeSnapshot stores snap durably (temporary file, sync, rename, sync
// of the directory).
func (l *Log) writeSnapshot(snap raft.Snapshot, epoch uint64) error {
	name := l.path(snapDir, snapshotName(snap.Meta.Term, snap.Meta.Index))
	if err := writeFileAtomic(l.fs, name, encodeSnapshot(snap, epoch)); err != nil {
		return l.fail("write snapshot", err)
	}
	return nil
}

// removeOldSnapshots deletes every snapshot file but the current one.
func (l *Log) removeOldSnapshots() error {
	names, err := l.fs.List(l.path(snapDir))
	if err != nil {
		return l.fail("list "+snapDir, err)
	}
	keep := snapshotName(l.snap.Meta.Term, l.snap.Meta.Index)
	for _, name := range names {
		if _, _, ok := parseSnapshotName(name); !ok || name == keep {
			continue
		}
		if err := l.fs.Remove(l.path(snapDir, name)); err != nil {
			return l.fail("remove snapshot", err)
		}
	}
	return nil
}
