package raft

// HasReady reports whether Ready would return anything.
func (rn *RawNode) HasReady() bool {
	if rn.failed != nil {
		return false
	}
	r := rn.raft
	if r.softState() != rn.prevSoft {
		return true
	}
	if hs := r.hardState(); hs != rn.prevHard {
		return true
	}
	return len(r.msgs) > 0 || len(r.readStates) > 0 || r.compaction != nil ||
		r.log.unstable.nextSnapshot() != nil || len(r.log.unstable.nextEntries()) > 0 ||
		r.log.hasNextCommittedEntries()
}

// Ready returns what the state machine wants done since the last Ready
// (see Ready for the order). Each item is handed out once; acknowledge
// with Advance(rd) after handling it. Ready may be called again before
// Advance: it then returns only newer items.
func (rn *RawNode) Ready() (rd Ready) {
	if rn.failed != nil {
		return Ready{}
	}
	defer rn.guard(nil)
	r := rn.raft
	rd.Entries = r.log.unstable.nextEntries()
	rd.Snapshot = r.log.unstable.nextSnapshot()
	rd.CommittedEntries = r.log.nextCommittedEntries()
	rd.Messages, r.msgs = r.msgs, nil
	rd.ReadStates, r.readStates = r.readStates, nil
	rd.Compaction, r.compaction = r.compaction, nil
	if ss := r.softState(); ss != rn.prevSoft {
		rd.SoftState = &ss
		rn.prevSoft = ss
	}
	if hs := r.hardState(); hs != rn.prevHard {
		if hs.Term < rn.prevHard.Term {
			invariantf("term going backwards: %d -> %d", rn.prevHard.Term, hs.Term)
		}
		if hs.Commit < rn.prevHard.Commit {
			invariantf("commit going backwards: %d -> %d", rn.prevHard.Commit, hs.Commit)
		}
		rd.MustSync = hs.Term != rn.prevHard.Term || hs.Vote != rn.prevHard.Vote
		rd.HardState = hs
		rn.prevHard = hs
	}
	rd.MustSync = rd.MustSync || len(rd.Entries) > 0 || rd.Snapshot != nil
	r.log.unstable.acceptInProgress()
	if n := len(rd.CommittedEntries); n > 0 {
		r.log.acceptApplying(rd.CommittedEntries[n-1].Index)
	}
	return rd
}

// Advance acknowledges that rd (from Ready) was handled: its entries and
// snapshot are persisted and readable through Storage, and its committed
// entries are applied.
func (rn *RawNode) Advance(rd Ready) {
	if rn.failed != nil {
		return
	}
	defer rn.guard(nil)
	r := rn.raft
	if n := len(rd.Entries); n > 0 {
		last := rd.Entries[n-1]
		r.log.unstable.stableTo(last.Index, last.Term)
	}
	if rd.Snapshot != nil {
		r.log.unstable.stableSnapTo(rd.Snapshot.Meta.Index)
		r.log.appliedTo(rd.Snapshot.Meta.Index)
	}
	r.checkInvariants()
	if n := len(rd.CommittedEntries); n > 0 {
		r.log.appliedTo(rd.CommittedEntries[n-1].Index)
		if r.role == RoleLeader {
			r.uncommittedBytes -= min(r.uncommittedBytes, entryDataBytes(rd.CommittedEntries))
		}
	}
}

func entryDataBytes(ents []Entry) uint64 {
	var n uint64
	for _, e := range ents {
		n += uint64(len(e.Data))
	}
	return n
}

// Status is a snapshot of a node's state for monitoring and tests.
type Status struct {
	ID             ID
	Role           Role
	Term           uint64
	Vote           ID
	Lead           ID
	Commit         uint64
	Applied        uint64
	FirstIndex     uint64
	LastIndex      uint64
	Membership     Membership
	LeadTransferee ID
	// Progress is the leader's view of each member, sorted by ID; empty
	// on other roles.
	Progress []PeerProgress
}

// PeerProgress is the leader's view of one member's log.
type PeerProgress struct {
	ID           ID
	Match        uint64
	Next         uint64
	State        ProgressState
	Learner      bool
	RecentActive bool
}

// Status reports the node's current state.
func (rn *RawNode) Status() (st Status) {
	if rn.failed != nil {
		return Status{ID: rn.raft.id}
	}
	defer rn.guard(nil)
	r := rn.raft
	st = Status{ID: r.id, Role: r.role, Term: r.term, Vote: r.vote, Lead: r.lead,
		Commit: r.log.committed, Applied: r.log.applied, FirstIndex: r.log.firstIndex(),
		LastIndex: r.log.lastIndex(), Membership: r.membership.clone(), LeadTransferee: r.leadTransferee}
	if r.role == RoleLeader {
		for _, id := range r.membership.ids() {
			if pr := r.prs[id]; pr != nil {
				st.Progress = append(st.Progress, PeerProgress{ID: id, Match: pr.match, Next: pr.next,
					State: pr.state, Learner: pr.learner, RecentActive: r.ticks-pr.lastHeard < uint64(r.electionTimeout)})
			}
		}
	}
	return st
}
