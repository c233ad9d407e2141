package raft

import (
	"slices"

	"jsnode/node/mutant"
)

// appendEntries appends proposals to the leader's own log, assigning
// indexes and the current term, then replicates them.
func (r *raft) appendEntries(ents ...Entry) {
	assert(r.role == RoleLeader, "only the leader appends proposals")
	last := r.log.lastIndex()
	for i := range ents {
		ents[i].Term = r.term
		ents[i].Index = last + 1 + uint64(i)
	}
	r.log.append(ents...)
	if self := r.prs[r.id]; self != nil {
		// The leader's own copy counts once the caller persists it, which
		// Ready guarantees happens before any effect of a commit escapes.
		self.maybeUpdate(r.log.lastIndex())
	}
	r.noteAppended(ents)
	if r.maybeCommit() {
		r.afterCommit()
		return
	}
	r.bcastAppend()
}

// bcastAppend sends appends (or an empty one carrying the commit index)
// to every other member.
func (r *raft) bcastAppend() {
	for _, id := range r.peers {
		if id != r.id {
			r.sendAppend(id, true)
		}
	}
}

// sendAppend sends the entries a member lacks (or a snapshot when they
// are compacted). allowEmpty also sends an append with no entries, which
// carries the commit index or probes. It reports whether it sent.
func (r *raft) sendAppend(to ID, allowEmpty bool) bool {
	pr := r.prs[to]
	if pr == nil || pr.isPaused() {
		return false
	}
	last := r.log.lastIndex()
	if pr.next > last+1 {
		invariantf("next %d beyond last %d for %d", pr.next, last, to)
	}
	if !allowEmpty && pr.next > last {
		return false
	}
	prevIndex := pr.next - 1
	prevTerm, err := r.log.term(prevIndex)
	if err != nil {
		return r.startSnapshot(to, pr)
	}
	hi := min(last+1, pr.next+AppendEntriesMax)
	ents, err := r.log.slice(pr.next, hi, r.maxAppendBytes)
	if err != nil {
		return r.startSnapshot(to, pr)
	}
	r.send(Message{Type: MsgAppend, To: to, Index: prevIndex, LogTerm: prevTerm,
		Entries: ents, Commit: r.log.committed})
	lastSent := prevIndex
	if len(ents) > 0 {
		lastSent = ents[len(ents)-1].Index
	}
	pr.sentEntries(lastSent, len(ents))
	return true
}

// handleAppend is the follower side of MsgAppend.
func (r *raft) handleAppend(m Message) error {
	if m.Index < r.log.committed {
		// Everything up to our commit index matches the leader already.
		r.send(Message{Type: MsgAppendResp, To: m.From, Index: r.log.committed})
		return nil
	}
	lastNew, written, ok := r.log.maybeAppend(m.Index, m.LogTerm, m.Entries)
	if !ok {
		hintIndex, hintTerm := r.rejectHint(m.Index)
		r.send(Message{Type: MsgAppendResp, To: m.From, Index: m.Index, Reject: true,
			RejectHint: hintIndex, LogTerm: hintTerm})
		return nil
	}
	if len(written) > 0 {
		r.noteAppended(written)
	}
	r.log.commitTo(min(m.Commit, lastNew))
	r.send(Message{Type: MsgAppendResp, To: m.From, Index: lastNew})
	return nil
}

// rejectHint tells the leader where our log may diverge: the conflicting
// term at index and the first index we hold of that term (not earlier
// than our commit index, which matches the leader), or, when our log is
// shorter, our last index with term 0.
func (r *raft) rejectHint(index uint64) (hintIndex, hintTerm uint64) {
	last := r.log.lastIndex()
	if index > last {
		return last, 0
	}
	t := r.log.termOrZero(index)
	first := index
	for first-1 > r.log.committed {
		pt, err := r.log.term(first - 1)
		if err != nil || pt != t {
			break
		}
		first--
	}
	return first, t
}

// nextFromHint turns a rejection's conflict hint into the next index to
// probe. If the leader has entries of the conflicting term, it probes just
// after its last one; otherwise it skips the follower's whole run of that
// term. Each round trip thus eliminates at least one term.
func (r *raft) nextFromHint(m Message) uint64 {
	if m.LogTerm == 0 {
		return m.RejectHint + 1
	}
	idx := min(m.Index, r.log.lastIndex())
	for {
		t, err := r.log.term(idx)
		if err != nil {
			return m.RejectHint // compacted here: a snapshot may follow
		}
		if t <= m.LogTerm {
			if t == m.LogTerm {
				return idx + 1
			}
			return m.RejectHint
		}
		idx--
	}
}

// handleAppendResp is the leader side of MsgAppendResp.
func (r *raft) handleAppendResp(m Message, pr *progress) {
	pr.lastHeard = r.ticks
	if m.Reject {
		if pr.maybeDecrTo(m.Index, r.nextFromHint(m)) {
			if pr.state == ProgressReplicate {
				pr.becomeProbe()
			}
			r.sendAppend(m.From, true)
		}
		return
	}
	if m.Index > r.log.lastIndex() {
		return // no member can hold what this leader never had in its term
	}
	wasPaused := pr.isPaused()
	if !pr.maybeUpdate(m.Index) {
		return
	}
	switch pr.state {
	case ProgressProbe:
		pr.becomeReplicate()
	case ProgressSnapshot:
		if pr.match >= pr.snap.Meta.Index || pr.match+1 >= r.log.firstIndex() {
			pr.becomeReplicate()
		}
	case ProgressReplicate:
		pr.inflights.freeLE(m.Index)
	}
	if r.maybeCommit() {
		r.afterCommit()
		if r.role != RoleLeader {
			return
		}
	} else if wasPaused {
		r.sendAppend(m.From, true)
	}
	for r.sendAppend(m.From, false) {
	}
	if m.From == r.leadTransferee && pr.match == r.log.lastIndex() {
		r.sendTimeoutNow(m.From)
	}
}

// maybeCommit advances the commit index to the highest index stored on a
// quorum of voters, but only if that entry is of the current term: older
// entries are committed indirectly (Raft §5.4.2, figure 8).
func (r *raft) maybeCommit() bool {
	voters := r.membership.Voters
	assert(len(voters) > 0, "leader with no voters")
	matches := r.scratch[:0]
	for _, id := range voters {
		if pr := r.prs[id]; pr != nil {
			matches = append(matches, pr.match)
		} else {
			matches = append(matches, 0)
		}
	}
	r.scratch = matches
	slices.Sort(matches)
	// The quorum-th highest match is stored on a quorum.
	q := r.membership.quorum()
	if mutant.On(mutant.RaftCommitNoQuorum) && q > 1 {
		q--
	}
	candidate := matches[len(matches)-q]
	if candidate <= r.log.committed {
		return false
	}
	oldTermOK := r.bugs.commitByCountAnyTerm || mutant.On(mutant.RaftCommitOldTerm)
	if !oldTermOK && r.log.termOrZero(candidate) != r.term {
		return false
	}
	before := r.log.committed
	r.log.commitTo(candidate)
	assert(r.log.committed > before, "commit must advance")
	return true
}

// afterCommit runs on the leader whenever its commit index advanced.
func (r *raft) afterCommit() {
	r.releaseWaitingReads()
	confCommitted := r.confIndex <= r.log.committed
	if confCommitted && !r.membership.IsVoter(r.id) {
		r.stepDownRemoved()
		return
	}
	// Departing members get this append too: it tells them their removal
	// committed. Then they are forgotten.
	r.bcastAppend()
	if confCommitted && len(r.peers) != len(r.membership.Voters)+len(r.membership.Learners) {
		r.prunePeers()
	}
}

// stepDownRemoved makes a leader that committed its own removal step
// down, first telling an up-to-date voter to campaign at once so the
// group does not wait for an election timeout.
func (r *raft) stepDownRemoved() {
	r.bcastAppend() // followers learn the commit index of the change
	last := r.log.lastIndex()
	for _, id := range r.membership.Voters {
		if pr := r.prs[id]; pr != nil && pr.match == last {
			r.sendTimeoutNow(id)
			break
		}
	}
	r.becomeFollower(r.term, None)
}

// bcastHeartbeat sends heartbeats to every other member; round is the
// read-index round they confirm (0 if none).
func (r *raft) bcastHeartbeat(round uint64) {
	for _, id := range r.peers {
		if id == r.id {
			continue
		}
		pr := r.prs[id]
		// Never tell a follower to commit beyond what it is known to hold.
		commit := min(pr.match, r.log.committed)
		r.send(Message{Type: MsgHeartbeat, To: id, Commit: commit, Context: round})
	}
}

// handleHeartbeat is the follower side of MsgHeartbeat.
func (r *raft) handleHeartbeat(m Message) {
	// The leader sends at most our known match; anything beyond our log
	// means it confused us with another log, so the commit is ignored.
	if m.Commit <= r.log.lastIndex() {
		r.log.commitTo(m.Commit)
	}
	r.send(Message{Type: MsgHeartbeatResp, To: m.From, Context: m.Context})
}

// handleHeartbeatResp is the leader side of MsgHeartbeatResp.
func (r *raft) handleHeartbeatResp(m Message, pr *progress) {
	pr.lastHeard = r.ticks
	pr.probeSent = false
	if pr.state == ProgressReplicate && pr.inflights.full() {
		pr.inflights.freeFirst()
	}
	switch {
	case pr.state == ProgressSnapshot:
		r.resendSnapshot(m.From, pr)
	case pr.match < r.log.lastIndex():
		r.sendAppend(m.From, true)
	}
	if m.Context != 0 {
		r.readAck(m.From, m.Context)
	}
}
