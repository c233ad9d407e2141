package raftlog

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"jsnode/disk"
	"jsnode/node/mutant"
	"jsnode/node/raft"
)

// recover rebuilds the Log from its directory; see the package doc for
// the rules.
func (l *Log) recover() error {
	if err := l.loadHardState(); err != nil {
		return err
	}
	if err := l.loadSnapshot(); err != nil {
		return err
	}
	segs, err := l.openSegments()
	l.segs = segs
	if err != nil {
		return err
	}
	l.recovery.Segments = len(segs)
	if err := l.scanSegments(); err != nil {
		return err
	}
	if err := l.checkRecovered(); err != nil {
		return err
	}
	if err := l.prepareActive(); err != nil {
		return err
	}
	before := l.segs
	if err := l.dropCoveredSegments(); err != nil {
		return err
	}
	for _, s := range before[:len(before)-len(l.segs)] {
		l.recovery.Removed = append(l.recovery.Removed, s.name)
	}
	return l.syncWALDir()
}

// remove deletes a leftover file and records it.
func (l *Log) remove(name string) error {
	if err := l.fs.Remove(name); err != nil {
		return err
	}
	l.recovery.Removed = append(l.recovery.Removed, name)
	l.walDirDirty = l.walDirDirty || strings.HasPrefix(name, l.path(walDir)+"/")
	return nil
}

// loadHardState reads the hard-state file (absent: the zero state).
func (l *Log) loadHardState() error {
	name := l.path(hardStateFile)
	if _, err := l.fs.Stat(name + disk.TempSuffix); err == nil {
		if err := l.remove(name + disk.TempSuffix); err != nil {
			return err
		}
	}
	info, err := l.fs.Stat(name)
	if errors.Is(err, disk.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if info.Size > hardStateFileBytesMax {
		return corruptf(name, 0, "hard-state file has %d bytes", info.Size)
	}
	data, err := disk.ReadFile(l.fs, name)
	if err != nil {
		return err
	}
	hs, why := decodeHardState(data)
	if why != "" {
		return corruptf(name, 0, "%s", why)
	}
	l.hs, l.hsFile = hs, hs
	return nil
}

// loadSnapshot reads the snapshot with the highest index and removes the
// others and any temporary file. A damaged latest snapshot is corruption:
// falling back to an older one could need segments already deleted.
func (l *Log) loadSnapshot() error {
	dir := l.path(snapDir)
	names, err := l.fs.List(dir)
	if err != nil {
		return err
	}
	best, bestTerm, bestIndex := "", uint64(0), uint64(0)
	var snaps []string
	for _, name := range names {
		if strings.HasSuffix(name, disk.TempSuffix) {
			if err := l.remove(l.path(snapDir, name)); err != nil {
				return err
			}
			continue
		}
		term, index, ok := parseSnapshotName(name)
		switch {
		case !ok:
			continue
		case best != "" && index == bestIndex:
			return corruptf(l.path(snapDir, name), -1, "two snapshots at index %d", index)
		case best == "" || index > bestIndex:
			best, bestTerm, bestIndex = name, term, index
		}
		snaps = append(snaps, name)
	}
	if best == "" {
		return nil
	}
	if err := l.readSnapshot(l.path(snapDir, best), bestTerm, bestIndex); err != nil {
		return err
	}
	for _, name := range snaps {
		if name != best {
			if err := l.remove(l.path(snapDir, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *Log) readSnapshot(name string, term, index uint64) error {
	info, err := l.fs.Stat(name)
	if err != nil {
		return err
	}
	if info.Size > snapshotFileBytesMax {
		return corruptf(name, 0, "snapshot file has %d bytes", info.Size)
	}
	data, err := disk.ReadFile(l.fs, name)
	if err != nil {
		return err
	}
	snap, epoch, why := decodeSnapshot(data)
	switch {
	case why != "":
		return corruptf(name, 0, "%s", why)
	case snap.Meta.Term != term || snap.Meta.Index != index:
		return corruptf(name, 0, "snapshot holds term %d index %d", snap.Meta.Term, snap.Meta.Index)
	case epoch > index:
		return corruptf(name, 0, "snapshot lineage %d beyond its index %d", epoch, index)
	}
	l.snap, l.epoch, l.cacheFrom = snap, epoch, index+1
	return nil
}

// openSegments opens the segments of the current lineage in index order,
// removing a torn new segment and the segments of older lineages.
func (l *Log) openSegments() (segs []*segment, err error) {
	names, err := l.fs.List(l.path(walDir))
	if err != nil {
		return nil, err
	}
	var cands []string
	for _, name := range names {
		if _, ok := parseSegmentName(name); ok {
			cands = append(cands, name) // List sorts; zero padding sorts by index
		}
	}
	for k, name := range cands {
		seg, err := l.openSegment(l.path(walDir, name), k == len(cands)-1)
		if err != nil {
			return segs, err
		}
		if seg != nil {
			segs = append(segs, seg)
		}
	}
	return segs, nil
}

// openSegment opens one segment and checks its header. It returns nil
// for a segment it removed: a torn new segment (only the last can be one:
// its header is synced before anything follows it) or a segment of an
// older lineage (left by a crash during a snapshot install).
func (l *Log) openSegment(name string, last bool) (*segment, error) {
	f, err := l.fs.Open(name)
	if err != nil {
		return nil, err
	}
	size, err := f.Size()
	if err != nil {
		return nil, errors.Join(err, f.Close())
	}
	hdr := make([]byte, segmentHeaderSize)
	n, err := f.ReadAt(hdr, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, errors.Join(err, f.Close())
	}
	want, _ := parseSegmentName(name[strings.LastIndex(name, "/")+1:])
	first, epoch, why := parseSegmentHeader(hdr[:n])
	stale := why == "" && epoch < l.epoch
	switch {
	case why != "" && last && size <= segmentHeaderSize, stale:
		return nil, errors.Join(f.Close(), l.remove(name))
	case why != "":
		_ = f.Close()
		return nil, corruptf(name, 0, "%s", why)
	case first != want:
		_ = f.Close()
		return nil, corruptf(name, 0, "header names first index %d", first)
	case epoch > l.epoch:
		_ = f.Close()
		return nil, corruptf(name, 0, "segment of lineage %d, newer than the snapshot's %d", epoch, l.epoch)
	}
	return &segment{name: name, first: first, epoch: epoch, f: f, size: size}, nil
}

// scanState carries the running checks of scanSegments.
type scanState struct {
	next       uint64 // index the next entry record must have
	prevTerm   uint64
	commit     uint64
	commitFrom string
}

// scanSegments reads every record of the segments in order.
func (l *Log) scanSegments() error {
	st := &scanState{commit: l.hsFile.Commit, commitFrom: l.path(hardStateFile)}
	base := l.base()
	for k, seg := range l.segs {
		switch {
		case k == 0 && l.epoch == base && seg.first != base+1:
			return corruptf(seg.name, -1, "first segment starts at %d, the snapshot ends at %d", seg.first, base)
		case k == 0 && seg.first > base+1:
			return corruptf(seg.name, -1, "entries %d..%d are missing", base+1, seg.first-1)
		case k == 0:
			st.next = seg.first
		case seg.first != st.next:
			return corruptf(seg.name, -1, "segment starts at %d, expected %d", seg.first, st.next)
		}
		if err := l.scanSegment(seg, k == len(l.segs)-1, st); err != nil {
			return err
		}
		l.evict()
	}
	last := max(base, l.lastIndex())
	if len(l.segs) > 0 && st.next-1 < base {
		return corruptf(l.segs[len(l.segs)-1].name, -1, "log ends at %d before the snapshot at %d", st.next-1, base)
	}
	if st.commit > last {
		return corruptf(st.commitFrom, -1, "commit index %d beyond the last stored entry %d: synced entries are missing",
			st.commit, last)
	}
	l.hs.Commit = max(st.commit, base)
	l.commitWritten, l.commitDurable = l.hs.Commit, l.hs.Commit
	return nil
}

// scanSegment reads one segment's records. Only the last segment may end
// in a torn write.
func (l *Log) scanSegment(seg *segment, final bool, st *scanState) error {
	data := make([]byte, seg.size)
	if n, err := seg.f.ReadAt(data, 0); n < len(data) {
		return errors.Join(err, io.ErrUnexpectedEOF)
	}
	off := segmentHeaderSize
	dropAt := -1
	if final && mutant.On(mutant.RecoverDropLast) {
		if dropAt = lastIntactRecord(data); dropAt >= 0 {
			data = data[:dropAt]
		}
	}
	reread := false
	for off < len(data) {
		t, payload, size, status := parseRecord(data[off:])
		if (status != recordOK || !t.known()) && !reread {
			// A read can return damaged bytes the medium holds intact (a
			// transient error): read the rest again once before judging,
			// so such a read does not cut synced records as a torn tail.
			reread = true
			if l.rereadFrom(seg, data, off) {
				continue
			}
		}
		if status != recordOK || !t.known() {
			if !final {
				return corruptf(seg.name, int64(off), "damaged record in a sealed segment")
			}
			return l.cutTornTail(seg, data, off)
		}
		if err := l.applyRecord(seg, int64(off), t, payload, size, st); err != nil {
			return err
		}
		off += size
	}
	if dropAt >= 0 {
		return l.cutTornTail(seg, data, dropAt)
	}
	return nil
}

// lastIntactRecord is the offset of the last record before the first
// damaged one (-1 if there is none), for the recover-drop-last-record
// mutant.
func lastIntactRecord(data []byte) int {
	last := -1
	for off := segmentHeaderSize; off < len(data); {
		t, _, size, status := parseRecord(data[off:])
		if status != recordOK || !t.known() {
			break
		}
		last, off = off, off+size
	}
	return last
}

// applyRecord checks one valid record against the log so far and adds it.
func (l *Log) applyRecord(seg *segment, off int64, t recordType, payload []byte, size int, st *scanState) error {
	base := l.base()
	switch t {
	case recEntry:
		e, err := raft.UnmarshalEntry(payload)
		if err != nil {
			return corruptf(seg.name, off, "undecodable entry: %v", err)
		}
		if e.Index == base+1 {
			st.prevTerm = max(st.prevTerm, l.snap.Meta.Term)
		}
		switch {
		case e.Index != st.next:
			return corruptf(seg.name, off, "entry %d where %d was expected", e.Index, st.next)
		case e.Term < st.prevTerm:
			return corruptf(seg.name, off, "entry %d has term %d below the previous %d", e.Index, e.Term, st.prevTerm)
		case e.Index == base && e.Term != l.snap.Meta.Term:
			return corruptf(seg.name, off, "entry %d has term %d, the snapshot says %d", e.Index, e.Term, l.snap.Meta.Term)
		}
		st.prevTerm, st.next = e.Term, st.next+1
		if e.Index > base {
			l.addEntry(e, seg, off, size)
		}
	case recCommit:
		c, ok := parseUvarintPayload(payload)
		if !ok || c > max(st.next-1, base) {
			return corruptf(seg.name, off, "commit record %d beyond the entries before it", c)
		}
		if c > st.commit {
			st.commit, st.commitFrom = c, seg.name
		}
	case recSyncMark:
		if v, ok := parseUvarintPayload(payload); !ok || v > uint64(off) {
			return corruptf(seg.name, off, "sync mark %d beyond its own offset", v)
		}
	}
	return nil
}

// rereadFrom reads seg again from off into data[off:] and reports whether
// the bytes differ from the first read.
func (l *Log) rereadFrom(seg *segment, data []byte, off int) bool {
	fresh := make([]byte, len(data)-off)
	if n, err := seg.f.ReadAt(fresh, int64(off)); n < len(fresh) || err != nil && !errors.Is(err, io.EOF) {
		return false
	}
	if bytes.Equal(fresh, data[off:]) {
		return false
	}
	copy(data[off:], fresh)
	l.recovery.Rereads++
	return true
}

// cutTornTail handles a damaged record at off in the last segment. If a
// valid sync mark after it says the damaged bytes were already durable
// when the mark was written, the damage is corruption. Otherwise it is the
// torn end of writes that were never synced: cut it off.
func (l *Log) cutTornTail(seg *segment, data []byte, off int) error {
	for q := off + 1; q+recordHeaderSize <= len(data); {
		t, payload, size, st := parseRecord(data[q:])
		if st != recordOK {
			q++
			continue
		}
		if v, ok := parseUvarintPayload(payload); t == recSyncMark && ok && v > uint64(off) {
			return corruptf(seg.name, int64(off), "damaged record inside the synced part (sync mark at %d covers %d bytes)", q, v)
		}
		q += size
	}
	if err := l.makeWritable(seg); err != nil {
		return err
	}
	if err := seg.f.Truncate(int64(off)); err != nil {
		return err
	}
	l.recovery.TornSegment, l.recovery.TornOffset, l.recovery.TornBytes = seg.name, int64(off), int64(len(data)-off)
	seg.size = int64(off)
	return nil
}

// checkRecovered checks the relation between snapshot lineage and
// segments that scanSegments cannot see.
func (l *Log) checkRecovered() error {
	if len(l.segs) == 0 && l.epoch != l.base() {
		return corruptf(l.path(walDir), -1, "no segments after the snapshot at %d", l.base())
	}
	return nil
}

// prepareActive makes the last segment writable and durable (what Open
// recovered is what the node will claim to hold), or creates the first
// segment of the lineage.
func (l *Log) prepareActive() error {
	if len(l.segs) == 0 {
		seg, err := l.createSegment(l.base()+1, l.epoch)
		if err != nil {
			return err
		}
		l.segs, l.walDirDirty = []*segment{seg}, true
		return nil
	}
	act := l.active()
	if err := l.makeWritable(act); err != nil {
		return err
	}
	if err := act.f.Sync(); err != nil {
		return err
	}
	for _, s := range l.segs {
		s.durable, s.marked = s.size, segmentHeaderSize
	}
	return nil
}
