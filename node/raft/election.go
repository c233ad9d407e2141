package raft

import "jsnode/node/mutant"

// campaignKind says how an election starts.
type campaignKind uint8

const (
	// campaignPreElection asks for pre-votes first (term unchanged).
	campaignPreElection campaignKind = iota
	// campaignElection asks for votes in a new term.
	campaignElection
	// campaignTransfer is an election ordered by the leader through
	// MsgTimeoutNow: no pre-vote, and followers ignore their lease.
	campaignTransfer
)

// voteOutcome is the state of a tally.
type voteOutcome uint8

const (
	votePending voteOutcome = iota
	voteWon
	voteLost
)

// campaign starts an election of the given kind if this node may.
func (r *raft) campaign(kind campaignKind) {
	if !r.promotable() {
		return
	}
	var term uint64
	var typ MessageType
	if kind == campaignPreElection {
		r.becomePreCandidate()
		term, typ = r.term+1, MsgPreVote
	} else {
		r.becomeCandidate()
		term, typ = r.term, MsgVote
	}
	// Our own vote: persisted in HardState (for real votes) before any
	// vote request leaves, as Ready requires.
	r.votes[r.id] = true
	if r.tally() == voteWon {
		r.winElection()
		return
	}
	lastIndex, lastTerm := r.log.lastIndex(), r.log.lastTerm()
	for _, id := range r.membership.Voters {
		if id == r.id {
			continue
		}
		r.send(Message{Type: typ, To: id, Term: term, Index: lastIndex, LogTerm: lastTerm,
			Transfer: kind == campaignTransfer})
	}
}

// winElection moves a pre-candidate to a real election and a candidate
// to leadership.
func (r *raft) winElection() {
	if r.role == RolePreCandidate {
		r.campaign(campaignElection)
		return
	}
	assert(r.role == RoleCandidate, "only candidates win elections")
	r.becomeLeader()
	r.bcastAppend()
}

// handleVoteRequest answers MsgVote and MsgPreVote (any role). A vote is
// granted to a candidate whose log is at least as up to date as ours if
// we have not voted for someone else in its term and know no leader; a
// pre-vote for a later term needs only the log condition.
func (r *raft) handleVoteRequest(m Message) {
	respType := MsgVoteResp
	if m.Type == MsgPreVote {
		respType = MsgPreVoteResp
	}
	canVote := r.vote == m.From ||
		(r.vote == None && r.lead == None) ||
		(m.Type == MsgPreVote && m.Term > r.term)
	if !canVote || !r.log.isUpToDate(m.Index, m.LogTerm) {
		r.send(Message{Type: respType, To: m.From, Term: r.term, Reject: true})
		return
	}
	// A grant answers in the asked term: for a pre-vote that is a future
	// term we have not adopted.
	r.send(Message{Type: respType, To: m.From, Term: m.Term})
	if m.Type == MsgVote {
		assert(m.Term == r.term, "real votes are granted only in our own term")
		r.electionElapsed = 0
		r.vote = m.From
	}
}

// handleVoteResp records a (pre-)vote answer and acts on the outcome.
func (r *raft) handleVoteResp(m Message) {
	if _, seen := r.votes[m.From]; !seen {
		r.votes[m.From] = !m.Reject
	}
	switch r.tally() {
	case voteWon:
		r.winElection()
	case voteLost:
		r.becomeFollower(r.term, None)
	}
}

// tally counts the votes of the current voters.
func (r *raft) tally() voteOutcome {
	granted, rejected := 0, 0
	for _, id := range r.membership.Voters {
		v, ok := r.votes[id]
		switch {
		case !ok:
		case v:
			granted++
			if id == r.id && mutant.On(mutant.RaftDoubleVote) {
				granted++
			}
		default:
			rejected++
		}
	}
	q := r.membership.quorum()
	if granted >= q {
		return voteWon
	}
	if len(r.membership.Voters)-rejected < q {
		return voteLost
	}
	return votePending
}

// transferLeader starts handing leadership to a voter: proposals stop, the
// target is brought up to date, then told to campaign at once.
func (r *raft) transferLeader(to ID) error {
	if r.role != RoleLeader {
		return &NotLeaderError{Leader: r.lead}
	}
	if to == r.id || to == r.leadTransferee {
		return nil
	}
	if !r.membership.IsVoter(to) {
		return ErrInvalidTransfer
	}
	r.leadTransferee = to
	// The transfer must finish within one election timeout (tickLeader).
	r.electionElapsed = 0
	pr := r.prs[to]
	assert(pr != nil, "voter without progress")
	if pr.match == r.log.lastIndex() {
		r.sendTimeoutNow(to)
	} else {
		r.sendAppend(to, true)
	}
	return nil
}

func (r *raft) sendTimeoutNow(to ID) {
	r.send(Message{Type: MsgTimeoutNow, To: to})
}
