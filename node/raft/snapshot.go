package raft

import "fmt"

// compact asks the caller (through Ready.Compaction) to store a snapshot
// of the application's state at index and drop the log up to it.
func (r *raft) compact(index uint64, data []byte) error {
	snapIndex := r.log.firstIndex() - 1
	switch {
	case index > r.log.applied:
		return fmt.Errorf("%w: %d is not applied (applied %d)", ErrInvalidCompaction, index, r.log.applied)
	case index <= snapIndex:
		return fmt.Errorf("%w: %d is already compacted (snapshot %d)", ErrInvalidCompaction, index, snapIndex)
	case r.compaction != nil && index <= r.compaction.Meta.Index:
		return fmt.Errorf("%w: a compaction to %d is pending", ErrInvalidCompaction, r.compaction.Meta.Index)
	case len(data) > SnapshotBytesMax:
		return fmt.Errorf("%w: snapshot of %d bytes exceeds SnapshotBytesMax", ErrInvalidCompaction, len(data))
	}
	term, err := r.log.term(index)
	if err != nil {
		invariantf("term of applied index %d: %v", index, err)
	}
	m, _ := r.membershipAt(index)
	r.compaction = &Snapshot{Meta: SnapshotMeta{Index: index, Term: term, Membership: m}, Data: data}
	return nil
}

// startSnapshot switches a member that needs compacted entries to
// snapshot streaming. It reports whether anything was sent.
func (r *raft) startSnapshot(to ID, pr *progress) bool {
	snap, err := r.log.snapshot()
	if err != nil || snap.Meta.Index == 0 {
		return false // not ready yet; the next heartbeat response retries
	}
	if snap.Meta.Index+1 < r.log.firstIndex() {
		invariantf("snapshot %d older than log start %d",
			snap.Meta.Index, r.log.firstIndex())
	}
	pr.becomeSnapshot(&snap)
	return r.sendSnapshotChunks(to, pr)
}

// sendSnapshotChunks sends chunks while the window allows.
func (r *raft) sendSnapshotChunks(to ID, pr *progress) bool {
	size := uint64(len(pr.snap.Data))
	window := r.chunkBytes * SnapshotChunksInflightMax
	sent := false
	for !pr.snapDone && pr.snapSent-pr.snapAcked < window {
		end := min(pr.snapSent+r.chunkBytes, size)
		meta := pr.snap.Meta
		r.send(Message{Type: MsgSnapshot, To: to, Snapshot: &meta, SnapshotSize: size,
			ChunkOffset: pr.snapSent, ChunkData: pr.snap.Data[pr.snapSent:end], ChunkLast: end == size})
		pr.snapSent = end
		pr.snapDone = end == size
		sent = true
	}
	return sent
}

// resendSnapshot restarts streaming from the last acknowledged byte (the
// heartbeat response proves the member is alive but chunks may be lost).
func (r *raft) resendSnapshot(to ID, pr *progress) {
	pr.snapSent = pr.snapAcked
	pr.snapDone = false
	r.sendSnapshotChunks(to, pr)
}

// handleSnapshotResp is the leader side of MsgSnapshotResp.
func (r *raft) handleSnapshotResp(m Message, pr *progress) {
	if pr.state != ProgressSnapshot || m.Index != pr.snap.Meta.Index || m.LogTerm != pr.snap.Meta.Term {
		return
	}
	pr.lastHeard = r.ticks
	size := uint64(len(pr.snap.Data))
	if m.ChunkOffset > size {
		return
	}
	if m.ChunkOffset < pr.snapAcked {
		// The member lost what it had (it restarted): start again there.
		pr.snapSent = m.ChunkOffset
		pr.snapDone = false
	}
	pr.snapAcked = m.ChunkOffset
	if pr.snapSent < pr.snapAcked {
		pr.snapSent = pr.snapAcked
	}
	r.sendSnapshotChunks(m.From, pr)
}

// snapshotReceiver assembles the chunks of one snapshot from one leader.
type snapshotReceiver struct {
	from ID
	term uint64
	meta SnapshotMeta
	size uint64
	data []byte
}

func (rc *snapshotReceiver) matches(m Message) bool {
	return rc != nil && rc.from == m.From && rc.term == m.Term && rc.size == m.SnapshotSize &&
		rc.meta.Index == m.Snapshot.Index && rc.meta.Term == m.Snapshot.Term
}

// handleSnapshotChunk is the follower side of MsgSnapshot. Chunks must
// arrive in order; anything else is answered with the offset we expect,
// so the leader resumes from there.
func (r *raft) handleSnapshotChunk(m Message) {
	meta := m.Snapshot
	if meta.Index <= r.log.committed {
		// We already have everything the snapshot covers.
		r.snapReceiver = nil
		r.send(Message{Type: MsgAppendResp, To: m.From, Index: r.log.committed})
		return
	}
	rc := r.snapReceiver
	if !rc.matches(m) {
		rc = &snapshotReceiver{from: m.From, term: m.Term, meta: *meta, size: m.SnapshotSize}
		r.snapReceiver = rc
	}
	if m.ChunkOffset != uint64(len(rc.data)) {
		r.ackSnapshot(m.From, rc)
		return
	}
	rc.data = append(rc.data, m.ChunkData...)
	if !m.ChunkLast {
		r.ackSnapshot(m.From, rc)
		return
	}
	r.snapReceiver = nil
	if uint64(len(rc.data)) != rc.size {
		r.send(Message{Type: MsgSnapshotResp, To: m.From, Index: meta.Index, LogTerm: meta.Term})
		return
	}
	r.restore(Snapshot{Meta: rc.meta, Data: rc.data})
	// Either way our log now matches the leader's up to the snapshot.
	r.send(Message{Type: MsgAppendResp, To: m.From, Index: meta.Index})
}

func (r *raft) ackSnapshot(to ID, rc *snapshotReceiver) {
	r.send(Message{Type: MsgSnapshotResp, To: to, Index: rc.meta.Index, LogTerm: rc.meta.Term,
		ChunkOffset: uint64(len(rc.data))})
}

// restore installs a complete snapshot from the leader. If our log already
// holds the snapshot's last entry, only the commit index moves; otherwise
// the log is replaced and the application gets the snapshot in Ready.
func (r *raft) restore(s Snapshot) {
	assert(r.role == RoleFollower, "only followers install snapshots")
	if s.Meta.Index <= r.log.committed {
		return
	}
	if r.log.matchTerm(s.Meta.Index, s.Meta.Term) {
		r.log.commitTo(s.Meta.Index)
		return
	}
	r.log.restore(s)
	r.setMembership(s.Meta.Membership, s.Meta.Index)
	if r.compaction != nil && r.compaction.Meta.Index <= s.Meta.Index {
		r.compaction = nil // the installed snapshot supersedes it
	}
}
