package raft

import (
	"fmt"
	"slices"
)

// Membership is a group's configuration: the voters, whose majority
// decides elections and commits, and the learners, which receive the log
// but never vote or campaign. Both lists are sorted and disjoint.
type Membership struct {
	Voters   []ID
	Learners []ID
}

// IsVoter reports whether id is a voter.
func (m Membership) IsVoter(id ID) bool {
	_, ok := slices.BinarySearch(m.Voters, id)
	return ok
}

// IsLearner reports whether id is a learner.
func (m Membership) IsLearner(id ID) bool {
	_, ok := slices.BinarySearch(m.Learners, id)
	return ok
}

// Contains reports whether id is a voter or a learner.
func (m Membership) Contains(id ID) bool { return m.IsVoter(id) || m.IsLearner(id) }

// Equal reports whether m and o list the same members.
func (m Membership) Equal(o Membership) bool {
	return slices.Equal(m.Voters, o.Voters) && slices.Equal(m.Learners, o.Learners)
}

// quorum is the number of voters that form a majority.
func (m Membership) quorum() int { return len(m.Voters)/2 + 1 }

// ids returns every member, sorted.
func (m Membership) ids() []ID {
	out := make([]ID, 0, len(m.Voters)+len(m.Learners))
	out = append(append(out, m.Voters...), m.Learners...)
	slices.Sort(out)
	return out
}

// Validate checks that m is well formed: sorted, duplicate-free,
// disjoint lists of real IDs within MembersMax.
func (m Membership) Validate() error {
	if len(m.Voters)+len(m.Learners) > MembersMax {
		return fmt.Errorf("%w: more than %d members", ErrInvalidConfig, MembersMax)
	}
	for _, list := range [][]ID{m.Voters, m.Learners} {
		for i, id := range list {
			if id == None {
				return fmt.Errorf("%w: member ID None", ErrInvalidConfig)
			}
			if i > 0 && list[i-1] >= id {
				return fmt.Errorf("%w: members not sorted or duplicated", ErrInvalidConfig)
			}
		}
	}
	for _, id := range m.Learners {
		if m.IsVoter(id) {
			return fmt.Errorf("%w: %d is both voter and learner", ErrInvalidConfig, id)
		}
	}
	return nil
}

func (m Membership) clone() Membership {
	return Membership{Voters: slices.Clone(m.Voters), Learners: slices.Clone(m.Learners)}
}

// ConfChangeOp is the kind of a single-server membership change.
type ConfChangeOp uint8

// Membership change operations.
const (
	// ConfBootstrap marks the first entry of a group created by Start; it
	// carries the initial membership and is never proposed.
	ConfBootstrap ConfChangeOp = iota + 1
	// ConfAddVoter adds a new voter.
	ConfAddVoter
	// ConfAddLearner adds a new learner.
	ConfAddLearner
	// ConfPromoteLearner turns a learner into a voter.
	ConfPromoteLearner
	// ConfRemove removes a voter or a learner.
	ConfRemove
)

// ConfChange is one membership change: one server at a time, so any
// majority of the old voters overlaps any majority of the new ones.
type ConfChange struct {
	Op   ConfChangeOp
	Node ID
}

// Apply returns the membership after cc, or ErrInvalidConfChange if cc
// does not fit m.
func (m Membership) Apply(cc ConfChange) (Membership, error) {
	bad := func(why string) (Membership, error) {
		return m, fmt.Errorf("%w: %s %d", ErrInvalidConfChange, why, cc.Node)
	}
	if cc.Node == None {
		return bad("node ID None:")
	}
	out := m.clone()
	switch cc.Op {
	case ConfAddVoter:
		if m.Contains(cc.Node) {
			return bad("already a member:")
		}
		out.Voters = insertSorted(out.Voters, cc.Node)
	case ConfAddLearner:
		if m.Contains(cc.Node) {
			return bad("already a member:")
		}
		out.Learners = insertSorted(out.Learners, cc.Node)
	case ConfPromoteLearner:
		if !m.IsLearner(cc.Node) {
			return bad("not a learner:")
		}
		out.Learners = removeSorted(out.Learners, cc.Node)
		out.Voters = insertSorted(out.Voters, cc.Node)
	case ConfRemove:
		switch {
		case m.IsVoter(cc.Node) && len(m.Voters) == 1:
			return bad("cannot remove the last voter")
		case m.IsVoter(cc.Node):
			out.Voters = removeSorted(out.Voters, cc.Node)
		case m.IsLearner(cc.Node):
			out.Learners = removeSorted(out.Learners, cc.Node)
		default:
			return bad("not a member:")
		}
	default:
		return bad(fmt.Sprintf("unknown operation %d for", cc.Op))
	}
	if err := out.Validate(); err != nil {
		return m, fmt.Errorf("%w: %w", ErrInvalidConfChange, err)
	}
	return out, nil
}

func insertSorted(ids []ID, id ID) []ID {
	i, _ := slices.BinarySearch(ids, id)
	return slices.Insert(ids, i, id)
}

func removeSorted(ids []ID, id ID) []ID {
	i, ok := slices.BinarySearch(ids, id)
	assert(ok, "removing an absent member")
	return slices.Delete(ids, i, i+1)
}

// EncodeConfChange encodes the data of an EntryConfChange: the change and
// the full membership that results, so that the membership in effect at
// any index can be read from the latest such entry alone.
func EncodeConfChange(cc ConfChange, result Membership) []byte {
	b := []byte{byte(cc.Op)}
	b = appendUvarint(b, uint64(cc.Node))
	return appendMembership(b, result)
}

// DecodeConfChange decodes the data of an EntryConfChange.
func DecodeConfChange(data []byte) (ConfChange, Membership, error) {
	d := decoder{buf: data}
	op := ConfChangeOp(d.byte())
	node := ID(d.uvarint())
	m := d.membership()
	if d.err == nil && len(d.buf) != 0 {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return ConfChange{}, Membership{}, d.err
	}
	if op < ConfBootstrap || op > ConfRemove {
		return ConfChange{}, Membership{}, fmt.Errorf("%w: unknown membership operation %d", ErrInvalidMessage, op)
	}
	return ConfChange{Op: op, Node: node}, m, nil
}

// proposeConfChange appends a membership change on the leader.
func (r *raft) proposeConfChange(cc ConfChange) (uint64, uint64, error) {
	switch {
	case r.role != RoleLeader:
		return 0, 0, &NotLeaderError{Leader: r.lead}
	case r.leadTransferee != None:
		return 0, 0, ErrTransferInProgress
	case r.confIndex > r.log.committed:
		return 0, 0, ErrConfChangePending
	case r.log.termOrZero(r.log.committed) != r.term:
		// Until the leader commits an entry of its term, an uncommitted
		// change of an earlier leader may still be replaced; a new change
		// now could form disjoint majorities (the single-server bug).
		return 0, 0, ErrLeaderNotReady
	}
	next, err := r.membership.Apply(cc)
	if err != nil {
		return 0, 0, err
	}
	r.appendEntries(Entry{Type: EntryConfChange, Data: EncodeConfChange(cc, next)})
	return r.confIndex, r.term, nil
}

// noteAppended adopts a new membership when ents (just written to the
// log, possibly replacing a suffix) contain configuration entries or cut
// off the one in effect.
func (r *raft) noteAppended(ents []Entry) {
	if len(ents) == 0 {
		return
	}
	if ents[0].Index <= r.confIndex {
		r.reloadMembership()
		return
	}
	for i := len(ents) - 1; i >= 0; i-- {
		if ents[i].Type == EntryConfChange {
			_, m, err := DecodeConfChange(ents[i].Data)
			if err != nil {
				invariantf("validated configuration entry %d undecodable: %v", ents[i].Index, err)
			}
			r.setMembership(m, ents[i].Index)
			return
		}
	}
}

// reloadMembership recomputes the membership from the log.
func (r *raft) reloadMembership() {
	m, index := r.membershipAt(r.log.lastIndex())
	r.setMembership(m, index)
}

// membershipAt returns the membership in effect at index (the latest
// configuration entry at or before it, else the snapshot's) and the index
// it came from, scanning the log backwards in batches.
func (r *raft) membershipAt(index uint64) (Membership, uint64) {
	first := r.log.firstIndex()
	hi := index + 1
	for hi > first {
		lo := max(first, hi-min(hi, membershipScanBatch))
		ents, err := r.log.slice(lo, hi, noByteLimit)
		if err != nil {
			invariantf("scan [%d,%d) for membership: %v", lo, hi, err)
		}
		if uint64(len(ents)) != hi-lo {
			failStorage(fmt.Errorf("%w: short read [%d,%d)", ErrCorruptState, lo, hi))
		}
		for i := len(ents) - 1; i >= 0; i-- {
			if ents[i].Type != EntryConfChange {
				continue
			}
			_, m, err := DecodeConfChange(ents[i].Data)
			if err != nil {
				failStorage(fmt.Errorf("%w: configuration entry %d: %w", ErrCorruptState, ents[i].Index, err))
			}
			return m, ents[i].Index
		}
		hi = lo
	}
	snap, err := r.log.snapshot()
	if err != nil {
		failStorage(err)
	}
	return snap.Meta.Membership, snap.Meta.Index
}

// setMembership puts m (from the entry at index) into effect.
func (r *raft) setMembership(m Membership, index uint64) {
	r.membership = m.clone()
	r.confIndex = index
	switch r.role {
	case RoleLeader:
		r.syncProgress()
		if r.leadTransferee != None && !m.IsVoter(r.leadTransferee) {
			r.leadTransferee = None
		}
	case RoleCandidate, RolePreCandidate:
		if !r.promotable() {
			r.becomeFollower(r.term, None)
		}
	}
}

// syncProgress gives the leader a progress entry for every member, and
// marks removed members as departing until their removal commits.
func (r *raft) syncProgress() {
	for _, id := range r.membership.ids() {
		pr := r.prs[id]
		if pr == nil {
			pr = newProgress(r.log.lastIndex()+1, r.maxInflight, false, r.ticks)
			r.prs[id] = pr
		}
		pr.learner = r.membership.IsLearner(id)
		pr.departing = false
	}
	for id, pr := range r.prs {
		if !r.membership.Contains(id) {
			pr.departing = true
		}
	}
	r.prunePeers()
}

// prunePeers forgets departing members once the membership in effect is
// committed (and the leader itself at once), and rebuilds the sorted
// peer list.
func (r *raft) prunePeers() {
	committed := r.confIndex <= r.log.committed
	r.peers = r.peers[:0]
	for id, pr := range r.prs {
		if pr.departing && (committed || id == r.id) {
			delete(r.prs, id)
			continue
		}
		r.peers = append(r.peers, id)
	}
	slices.Sort(r.peers)
}
