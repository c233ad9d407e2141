package raft

import (
	"math/rand/v2"

	"jsnode/node/mutant"
)

// Role is a node's part in the protocol at the moment.
type Role uint8

// Roles. Learners are members that never leave RoleFollower.
const (
	RoleFollower Role = iota
	RolePreCandidate
	RoleCandidate
	RoleLeader
)

// String names the role.
func (r Role) String() string {
	switch r {
	case RoleFollower:
		return "Follower"
	case RolePreCandidate:
		return "PreCandidate"
	case RoleCandidate:
		return "Candidate"
	case RoleLeader:
		return "Leader"
	}
	return "Role(?)"
}

// stepFunc handles a message of the current term for one role.
type stepFunc func(r *raft, m Message) error

// testBugs are deliberately broken variants that tests switch on to prove
// the randomized checker finds real safety violations. Always off in
// production: nothing outside _test.go files sets them.
type testBugs struct {
	// commitByCountAnyTerm commits entries of earlier terms by counting
	// replicas (the Raft paper's figure 8 mistake).
	commitByCountAnyTerm bool
	// skipVotePersist leaves the vote out of Ready.HardState, so a crash
	// forgets it and the node may vote twice in a term.
	skipVotePersist bool
}

// raft is the protocol state of one node. It performs no I/O: inputs are
// Step and tick, outputs accumulate in msgs, readStates and the log's
// unstable part until RawNode hands them out in a Ready.
type raft struct {
	id   ID
	term uint64
	vote ID
	lead ID
	role Role
	log  *raftLog

	// membership is the configuration in effect: the one in the latest
	// configuration entry in the log (committed or not), else the
	// snapshot's. confIndex is the index it came from.
	membership Membership
	confIndex  uint64

	// prs is the leader's view of every member (including itself while it
	// is a member); nil on other roles.
	prs map[ID]*progress
	// peers lists the keys of prs in order, for deterministic broadcasts.
	peers []ID
	votes map[ID]bool

	msgs       []Message
	readStates []ReadState
	compaction *Snapshot

	// ticks counts every tick since the node started.
	ticks                     uint64
	electionElapsed           int
	heartbeatElapsed          int
	electionTimeout           int
	heartbeatTimeout          int
	randomizedElectionTimeout int
	preVote                   bool
	checkQuorum               bool
	rand                      *rand.Rand

	maxAppendBytes uint64
	maxInflight    int
	chunkBytes     uint64

	// leadTransferee is the target of a leadership transfer in progress.
	leadTransferee ID
	// uncommittedBytes is the proposal data appended by this leader and
	// not yet applied.
	uncommittedBytes uint64
	reads            readIndexState
	snapReceiver     *snapshotReceiver

	step stepFunc
	bugs testBugs
	// scratch is reused by maybeCommit and quorum counting.
	scratch []uint64
}

func newRaft(c Config, log *raftLog) *raft {
	r := &raft{
		id:               c.ID,
		log:              log,
		electionTimeout:  c.ElectionTicks,
		heartbeatTimeout: c.HeartbeatTicks,
		preVote:          !c.DisablePreVote,
		checkQuorum:      !c.DisableCheckQuorum,
		rand:             c.Rand,
		maxAppendBytes:   c.MaxAppendBytes,
		maxInflight:      c.MaxInflightAppends,
		chunkBytes:       uint64(c.SnapshotChunkBytes),
		votes:            map[ID]bool{},
	}
	r.resetRandomizedElectionTimeout()
	return r
}

// send queues m with this node as sender; messages get the current term
// unless the caller set one (votes and vote responses).
func (r *raft) send(m Message) {
	assert(m.To != None && m.To != r.id, "message to self or nobody")
	m.From = r.id
	if m.Term == 0 {
		m.Term = r.term
	}
	if len(r.msgs) >= OutboxMessagesMax {
		return // dropped like a lost packet; Raft retransmits what matters
	}
	r.msgs = append(r.msgs, m)
}

func (r *raft) hardState() HardState {
	hs := HardState{Term: r.term, Vote: r.vote, Commit: r.log.committed}
	if r.bugs.skipVotePersist || mutant.On(mutant.RaftVoteNotPersisted) {
		hs.Vote = None
	}
	return hs
}

func (r *raft) softState() SoftState { return SoftState{Lead: r.lead, Role: r.role} }

// promotable reports whether this node may campaign: it must be a voter
// and not be in the middle of installing a snapshot.
func (r *raft) promotable() bool {
	return r.membership.IsVoter(r.id) && r.log.unstable.snapshot == nil
}

func (r *raft) resetRandomizedElectionTimeout() {
	r.randomizedElectionTimeout = r.electionTimeout + r.rand.IntN(r.electionTimeout)
}

// reset prepares for a new role in term.
func (r *raft) reset(term uint64) {
	if term < r.term {
		invariantf("term going backwards: %d -> %d", r.term, term)
	}
	if r.term != term {
		r.term = term
		r.vote = None
	}
	r.lead = None
	r.electionElapsed = 0
	r.heartbeatElapsed = 0
	r.resetRandomizedElectionTimeout()
	r.leadTransferee = None
	clear(r.votes)
	r.prs = nil
	r.peers = r.peers[:0]
	r.reads.reset()
	r.snapReceiver = nil
}

func (r *raft) becomeFollower(term uint64, lead ID) {
	r.reset(term)
	r.role = RoleFollower
	r.lead = lead
	r.step = stepFollower
}

func (r *raft) becomePreCandidate() {
	assert(r.role != RoleLeader, "leader cannot become pre-candidate")
	// Term and vote stay: a pre-vote changes nobody's term.
	r.role = RolePreCandidate
	r.lead = None
	clear(r.votes)
	r.resetRandomizedElectionTimeout()
	r.step = stepCandidate
}

func (r *raft) becomeCandidate() {
	assert(r.role != RoleLeader, "leader cannot become candidate")
	r.reset(r.term + 1)
	r.vote = r.id
	r.role = RoleCandidate
	r.step = stepCandidate
}

func (r *raft) becomeLeader() {
	assert(r.role == RoleCandidate, "only a candidate becomes leader")
	r.reset(r.term)
	r.role = RoleLeader
	r.lead = r.id
	r.step = stepLeader
	r.uncommittedBytes = 0
	r.prs = map[ID]*progress{}
	r.syncProgress()
	if self := r.prs[r.id]; self != nil {
		self.becomeReplicate()
		self.match = r.log.lastIndex()
		self.next = self.match + 1
	}
	// An empty entry of the new term lets the leader commit (and learn
	// the commit index of) everything before it (Raft §5.4.2, §8).
	r.appendEntries(Entry{Type: EntryNormal})
}

// Step is the single entry point for messages from other nodes.
func (r *raft) Step(m Message) error {
	if err := r.validateMessage(m); err != nil {
		return err
	}
	switch {
	case m.Term > r.term:
		if (m.Type == MsgVote || m.Type == MsgPreVote) && !m.Transfer && r.inLease() {
			// Leader lease: we heard from a live leader within the election
			// timeout, so this candidate is disruptive. Ignore it entirely,
			// without adopting its term.
			return nil
		}
		switch {
		case m.Type == MsgPreVote:
			// A pre-vote never changes our term.
		case m.Type == MsgPreVoteResp && !m.Reject:
			// A grant carries the term we asked about, not a newer leader's.
		case m.Type == MsgAppend || m.Type == MsgHeartbeat || m.Type == MsgSnapshot:
			r.becomeFollower(m.Term, m.From)
		default:
			r.becomeFollower(m.Term, None)
		}
	case m.Term < r.term:
		r.answerStale(m)
		return nil
	}
	switch m.Type {
	case MsgVote, MsgPreVote:
		r.handleVoteRequest(m)
		return nil
	}
	return r.step(r, m)
}

// inLease reports whether a leader was heard from within the election
// timeout (only meaningful with check-quorum on).
func (r *raft) inLease() bool {
	return r.checkQuorum && r.lead != None && r.electionElapsed < r.electionTimeout
}

// answerStale replies to a message from an older term where the reply
// helps: a stale leader learns our term and steps down; a pre-candidate
// learns its pre-vote failed.
func (r *raft) answerStale(m Message) {
	switch m.Type {
	case MsgAppend, MsgHeartbeat, MsgSnapshot:
		if r.checkQuorum || r.preVote {
			r.send(Message{Type: MsgAppendResp, To: m.From})
		}
	case MsgPreVote:
		r.send(Message{Type: MsgPreVoteResp, To: m.From, Reject: true})
	}
}

// tick advances the logical clock by one tick.
func (r *raft) tick() {
	r.ticks++
	if r.role == RoleLeader {
		r.tickLeader()
		return
	}
	r.tickElection()
}

func (r *raft) tickElection() {
	r.electionElapsed++
	if r.promotable() && r.electionElapsed >= r.randomizedElectionTimeout {
		r.electionElapsed = 0
		if r.preVote {
			r.campaign(campaignPreElection)
		} else {
			r.campaign(campaignElection)
		}
	}
}

func (r *raft) tickLeader() {
	r.heartbeatElapsed++
	r.electionElapsed++
	if r.checkQuorum && !r.quorumActive() {
		r.becomeFollower(r.term, None)
		return
	}
	if r.electionElapsed >= r.electionTimeout {
		r.electionElapsed = 0
		// A transfer that has not finished within an election timeout
		// has failed; accept proposals again.
		r.leadTransferee = None
	}
	if r.heartbeatElapsed >= r.heartbeatTimeout {
		r.heartbeatElapsed = 0
		r.bcastHeartbeat(r.reads.lastRound())
	}
}

// quorumActive reports whether a quorum of voters (the leader counting
// itself) answered within the last election timeout.
func (r *raft) quorumActive() bool {
	active := 0
	for _, id := range r.membership.Voters {
		pr := r.prs[id]
		if id == r.id || (pr != nil && r.ticks-pr.lastHeard < uint64(r.electionTimeout)) {
			active++
		}
	}
	return active >= r.membership.quorum()
}

func stepLeader(r *raft, m Message) error {
	pr := r.prs[m.From]
	switch m.Type {
	case MsgAppendResp:
		if pr != nil {
			r.handleAppendResp(m, pr)
		}
	case MsgHeartbeatResp:
		if pr != nil {
			r.handleHeartbeatResp(m, pr)
		}
	case MsgSnapshotResp:
		if pr != nil {
			r.handleSnapshotResp(m, pr)
		}
	case MsgReadIndex:
		// A full queue drops the forwarded read; the follower times out.
		_ = r.leaderRead(m.From, m.Context)
	}
	return nil
}

func stepCandidate(r *raft, m Message) error {
	switch m.Type {
	case MsgAppend:
		r.becomeFollower(m.Term, m.From)
		return r.handleAppend(m)
	case MsgHeartbeat:
		r.becomeFollower(m.Term, m.From)
		r.handleHeartbeat(m)
	case MsgSnapshot:
		r.becomeFollower(m.Term, m.From)
		r.handleSnapshotChunk(m)
	case MsgPreVoteResp:
		if r.role == RolePreCandidate && (m.Reject || m.Term == r.term+1) {
			r.handleVoteResp(m)
		}
	case MsgVoteResp:
		if r.role == RoleCandidate {
			r.handleVoteResp(m)
		}
	}
	return nil
}

func stepFollower(r *raft, m Message) error {
	switch m.Type {
	case MsgAppend:
		r.heardFromLeader(m.From)
		return r.handleAppend(m)
	case MsgHeartbeat:
		r.heardFromLeader(m.From)
		r.handleHeartbeat(m)
	case MsgSnapshot:
		r.heardFromLeader(m.From)
		r.handleSnapshotChunk(m)
	case MsgTimeoutNow:
		r.campaign(campaignTransfer)
	case MsgReadIndexResp:
		r.addReadState(ReadState{Index: m.Index, Context: m.Context})
	}
	return nil
}

func (r *raft) heardFromLeader(lead ID) {
	r.electionElapsed = 0
	r.lead = lead
}
