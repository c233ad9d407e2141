package raftgroup

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"

	"jsnode/node/raft"
)

// Propose appends data to the log if this member leads the group. done
// runs once, on the loop: with the state machine's result once the entry
// is applied here, with ErrProposalLost if another entry took its place
// (it was not applied and never will be), or with ErrUnknownOutcome when
// that can no longer be told. A follower gets a *raft.NotLeaderError at
// once (Leader names the leader it knows) and done never runs. done may
// be called before Propose returns only if the group fails meanwhile;
// otherwise it runs from a later event.
func (g *Group) Propose(data []byte, done func(result []byte, err error)) error {
	if err := g.usable(); err != nil {
		return err
	}
	if len(g.proposals) >= ProposalsPendingMax {
		return ErrBusy
	}
	index, term, err := g.rn.Propose(data)
	if err != nil {
		return err
	}
	g.stats.Proposals++
	if old, ok := g.proposals[index]; ok {
		// The entry an earlier proposal became was cut from this log
		// before it committed; another member may still hold it.
		delete(g.proposals, index)
		old.done(nil, ErrUnknownOutcome)
	}
	g.proposals[index] = proposal{term: term, done: done}
	g.process()
	return nil
}

// resolve answers the proposal waiting on entry e's index, if any.
func (g *Group) resolve(e raft.Entry, result []byte) {
	p, ok := g.proposals[e.Index]
	if !ok {
		return
	}
	delete(g.proposals, e.Index)
	if p.term == e.Term {
		p.done(result, nil) // same index and term: the very entry proposed
		return
	}
	p.done(nil, ErrProposalLost)
}

// resolveThrough answers, in index order, every proposal at or below
// index when a snapshot replaced the log over them: whether they were
// applied is unknown here.
func (g *Group) resolveThrough(index uint64) {
	var due []uint64
	for i := range g.proposals {
		if i <= index {
			due = append(due, i)
		}
	}
	slices.Sort(due)
	for _, i := range due {
		p := g.proposals[i]
		delete(g.proposals, i)
		p.done(nil, ErrUnknownOutcome)
	}
}

// PendingProposals is how many proposals wait for their entry.
func (g *Group) PendingProposals() int { return len(g.proposals) }

// Read starts a linearizable read (raft's ReadIndex, on any member): done
// runs once, when this member has applied everything committed before
// the read started (then read the application's state), or with an error
// (ErrTimeout, ErrLeaderChanged; retry). A member that knows no leader
// gets a *raft.NotLeaderError at once and done never runs.
func (g *Group) Read(done func(err error)) error {
	if err := g.usable(); err != nil {
		return err
	}
	if g.reads.pending() >= ReadsPendingMax {
		return ErrBusy
	}
	ctx := g.reads.nextContext()
	if err := g.rn.ReadIndex(ctx); err != nil {
		return err
	}
	g.reads.add(ctx, done)
	g.process()
	return nil
}

// readQueue tracks reads: waiting for their read index (by context), then
// waiting for the applied index to reach it.
type readQueue struct {
	next    uint64 // next context; starts at a random value (see init)
	waiting map[uint64]*pendingRead
	indexed []*pendingRead // have a read index, in arrival order
}

type pendingRead struct {
	ctx   uint64
	age   int // ticks waited for a read index
	index uint64
	done  func(error)
}

// init draws the first context at random: a read-index answer meant for a
// previous incarnation of this member must never match a new request.
func (q *readQueue) init(r *rand.Rand) {
	q.next = r.Uint64() | 1
	q.waiting = make(map[uint64]*pendingRead)
}

func (q *readQueue) nextContext() uint64 {
	ctx := q.next
	q.next++
	if q.next == 0 {
		q.next = 1
	}
	return ctx
}

func (q *readQueue) pending() int { return len(q.waiting) + len(q.indexed) }

func (q *readQueue) add(ctx uint64, done func(error)) {
	q.waiting[ctx] = &pendingRead{ctx: ctx, done: done}
}

// setIndexes moves reads raft answered to the indexed list.
func (q *readQueue) setIndexes(states []raft.ReadState) {
	for _, rs := range states {
		pr := q.waiting[rs.Context]
		if pr == nil {
			continue
		}
		delete(q.waiting, rs.Context)
		pr.index = rs.Index
		q.indexed = append(q.indexed, pr)
	}
}

// release answers the indexed reads whose index is applied.
func (q *readQueue) release(applied uint64) {
	if len(q.indexed) == 0 {
		return
	}
	var ready []*pendingRead
	kept := q.indexed[:0]
	for _, pr := range q.indexed {
		if pr.index <= applied {
			ready = append(ready, pr)
		} else {
			kept = append(kept, pr)
		}
	}
	clear(q.indexed[len(kept):])
	q.indexed = kept
	for _, pr := range ready {
		pr.done(nil)
	}
}

// tick ages the unindexed reads and fails those older than limit.
func (q *readQueue) tick(limit int) {
	var expired []*pendingRead
	for _, pr := range q.waiting {
		pr.age++
		if pr.age > limit {
			expired = append(expired, pr)
		}
	}
	q.fail(expired, ErrTimeout)
}

// failUnindexed fails every read still waiting for its read index.
func (q *readQueue) failUnindexed(err error) {
	q.fail(slices.Collect(maps.Values(q.waiting)), err)
}

// fail answers reads with err, in context order (never map order).
func (q *readQueue) fail(reads []*pendingRead, err error) {
	slices.SortFunc(reads, func(a, b *pendingRead) int {
		switch {
		case a.ctx < b.ctx:
			return -1
		case a.ctx > b.ctx:
			return 1
		}
		return 0
	})
	for _, pr := range reads {
		delete(q.waiting, pr.ctx)
	}
	for _, pr := range reads {
		pr.done(err)
	}
}

// AddMember proposes adding server name as a voter (or a learner); the
// new member then opens the group with Config.Join set, on empty
// storage, and learns the log from the leader. It returns the change's
// log index.
func (g *Group) AddMember(name string, learner bool) (uint64, error) {
	op := raft.ConfAddVoter
	if learner {
		op = raft.ConfAddLearner
	}
	id := MemberID(name)
	index, err := g.confChange(raft.ConfChange{Op: op, Node: id})
	if err == nil {
		g.names[id] = name
	}
	return index, err
}

// PromoteMember proposes turning learner name into a voter.
func (g *Group) PromoteMember(name string) (uint64, error) {
	return g.confChange(raft.ConfChange{Op: raft.ConfPromoteLearner, Node: MemberID(name)})
}

// RemoveMember proposes removing server name from the group.
func (g *Group) RemoveMember(name string) (uint64, error) {
	return g.confChange(raft.ConfChange{Op: raft.ConfRemove, Node: MemberID(name)})
}

func (g *Group) confChange(cc raft.ConfChange) (uint64, error) {
	if err := g.usable(); err != nil {
		return 0, err
	}
	index, _, err := g.rn.ProposeConfChange(cc)
	if err != nil {
		return 0, err
	}
	g.process()
	return index, nil
}

// TransferLeadership asks the leader to hand over to server name.
func (g *Group) TransferLeadership(name string) error {
	if err := g.usable(); err != nil {
		return err
	}
	id := MemberID(name)
	if !g.rn.Status().Membership.IsVoter(id) {
		return fmt.Errorf("%w: %q is not a voter", ErrUnknownMember, name)
	}
	err := g.rn.TransferLeader(id)
	g.process()
	return err
}

// Campaign starts an election now (with pre-vote).
func (g *Group) Campaign() error {
	if err := g.usable(); err != nil {
		return err
	}
	err := g.rn.Campaign()
	g.process()
	return err
}
