package raft

// checkInvariants asserts the relations that must hold between every
// input: it runs after each RawNode operation, so a broken invariant is
// caught at the call that broke it rather than steps later. Every check is
// O(members).
func (r *raft) checkInvariants() {
	last := r.log.lastIndex()
	if r.log.committed > last {
		invariantf("commit %d beyond last index %d", r.log.committed, last)
	}
	if r.log.applied > r.log.applying {
		invariantf("applied %d beyond handed-out %d", r.log.applied, r.log.applying)
	}
	if r.log.applying > r.log.committed {
		invariantf("handed out %d beyond commit %d", r.log.applying, r.log.committed)
	}
	if r.log.firstIndex() > last+1 {
		invariantf("first index %d beyond last %d + 1", r.log.firstIndex(), last)
	}
	if r.log.unstable.offsetInProgress < r.log.unstable.offset {
		invariantf("unstable in-progress %d before offset %d",
			r.log.unstable.offsetInProgress, r.log.unstable.offset)
	}
	if r.confIndex > last {
		invariantf("membership from entry %d beyond last index %d", r.confIndex, last)
	}
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
	if len(r.peers) != len(r.prs) {
		invariantf("peer list %d entries, progress map %d", len(r.peers), len(r.prs))
	}
	for _, id := range r.peers {
		pr := r.prs[id]
		if pr == nil {
			invariantf("peer %d without progress", id)
		}
		if pr.match > last {
			invariantf("member %d match %d beyond last index %d", id, pr.match, last)
		}
		if pr.next <= pr.match {
			invariantf("member %d next %d not after match %d", id, pr.next, pr.match)
		}
		if pr.next > last+1 {
			invariantf("member %d next %d beyond last index %d + 1", id, pr.next, last)
		}
		if pr.departing == r.membership.Contains(id) {
			invariantf("member %d departing flag wrong", id)
		}
		if pr.state == ProgressSnapshot && pr.snap == nil {
			invariantf("member %d in snapshot state without one", id)
		}
	}
	for _, id := range r.membership.Voters {
		if r.prs[id] == nil && id != r.id {
			invariantf("voter %d without progress", id)
		}
	}
}
