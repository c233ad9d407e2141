package raft

// checkInvariants asserts the relations that must hold between every
// input: it runs after each RawNode operation, so a broken invariant is
// caught at the call that broke it rather than steps later. Every check is
// O(members).
func (r *raft) checkInvariants() {
	last := r.log.lastIndex()
	assertf(r.log.committed <= last, "commit %d beyond last index %d", r.log.committed, last)
	assertf(r.log.applied <= r.log.applying, "applied %d beyond handed-out %d", r.log.applied, r.log.applying)
	assertf(r.log.applying <= r.log.committed, "handed out %d beyond commit %d", r.log.applying, r.log.committed)
	assertf(r.log.firstIndex() <= last+1, "first index %d beyond last %d + 1", r.log.firstIndex(), last)
	assertf(r.log.unstable.offsetInProgress >= r.log.unstable.offset, "unstable in-progress %d before offset %d",
		r.log.unstable.offsetInProgress, r.log.unstable.offset)
	assertf(r.confIndex <= last, "membership from entry %d beyond last index %d", r.confIndex, last)
	switch r.role {
	case RoleLeader:
		assert(r.lead == r.id, "leader must know itself as leader")
		assert(r.vote == r.id, "leader must have voted for itself")
		assert(r.prs != nil, "leader must track progress")
		r.checkProgress(last)
	case RoleCandidate:
		assert(r.vote == r.id, "candidate must have voted for itself")
		assert(r.lead == None, "candidate knows no leader")
		assert(r.prs == nil, "only leaders track progress")
	case RolePreCandidate:
		assert(r.lead == None, "pre-candidate knows no leader")
		assert(r.prs == nil, "only leaders track progress")
	case RoleFollower:
		assert(r.lead != r.id, "follower cannot lead")
		assert(r.prs == nil, "only leaders track progress")
		assert(r.leadTransferee == None, "only leaders transfer leadership")
	}
}

// checkProgress asserts the leader's view of each member is coherent.
func (r *raft) checkProgress(last uint64) {
	assertf(len(r.peers) == len(r.prs), "peer list %d entries, progress map %d", len(r.peers), len(r.prs))
	for _, id := range r.peers {
		pr := r.prs[id]
		assertf(pr != nil, "peer %d without progress", id)
		assertf(pr.match <= last, "member %d match %d beyond last index %d", id, pr.match, last)
		assertf(pr.next > pr.match, "member %d next %d not after match %d", id, pr.next, pr.match)
		assertf(pr.next <= last+1, "member %d next %d beyond last index %d + 1", id, pr.next, last)
		assertf(pr.departing != r.membership.Contains(id), "member %d departing flag wrong", id)
		assertf(pr.state != ProgressSnapshot || pr.snap != nil, "member %d in snapshot state without one", id)
	}
	for _, id := range r.membership.Voters {
		assertf(r.prs[id] != nil || id == r.id, "voter %d without progress", id)
	}
}
