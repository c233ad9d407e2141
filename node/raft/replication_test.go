package raft

import (
	"fmt"
	"slices"
	"testing"
)

// newNetFromLogs builds a group from prepared logs: entry 1 is the
// bootstrap configuration (all ids voters), then one entry per term in
// terms[id]. Each node's HardState has its last term and commit 1.
func newNetFromLogs(t *testing.T, terms map[ID][]uint64, tweak func(c *Config)) *testNet {
	t.Helper()
	n := &testNet{t: t, nodes: map[ID]*testNode{}, cut: map[ID]bool{}, tweak: tweak}
	var members []ID
	for id := range terms {
		members = append(members, id)
	}
	slices.Sort(members)
	for _, id := range members {
		s := NewMemoryStorage()
		ents := []Entry{{Index: 1, Term: 1, Type: EntryConfChange,
			Data: EncodeConfChange(ConfChange{Op: ConfBootstrap}, Membership{Voters: members})}}
		for i, term := range terms[id] {
			ents = append(ents, Entry{Index: uint64(i + 2), Term: term, Type: EntryNormal,
				Data: fmt.Appendf(nil, "%d@%d", i+2, term)})
		}
		must(t, s.Append(ents))
		must(t, s.SetHardState(HardState{Term: ents[len(ents)-1].Term, Commit: 1}))
		rn, err := Restart(n.config(id, s))
		must(t, err)
		n.nodes[id] = &testNode{id: id, rn: rn, storage: s}
	}
	n.stabilize()
	return n
}

// runs builds a term list: runs(2, 50, 5, 50) = fifty 2s then fifty 5s.
func runs(pairs ...uint64) []uint64 {
	var out []uint64
	for i := 0; i < len(pairs); i += 2 {
		for range pairs[i+1] {
			out = append(out, pairs[i])
		}
	}
	return out
}

func TestConflictHintCatchUpIsOTerms(t *testing.T) {
	cases := []struct {
		name       string
		leader     []uint64
		follower   []uint64
		maxRejects int
	}{
		// The follower's divergent run is one term the leader lacks.
		{"one foreign term", runs(2, 50, 5, 50), runs(2, 50, 3, 100, 4, 100), 2},
		// The leader has a shorter run of the follower's conflicting term.
		{"shared term", runs(2, 50, 3, 20, 5, 30), runs(2, 50, 3, 100), 1},
		// Many short foreign terms: one round trip per term at most.
		{"many terms", runs(2, 50, 10, 50), runs(2, 50, 3, 20, 4, 20, 5, 20, 6, 20, 7, 20, 8, 20), 6},
		// The follower is merely behind.
		{"short follower", runs(2, 50, 5, 50), runs(2, 10), 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := newNetFromLogs(t, map[ID][]uint64{1: tc.leader, 2: tc.follower, 3: tc.leader}, nil)
			mark := len(n.sent)
			n.electLeader(1)
			rejects := n.countSent(mark, func(m Message) bool {
				return m.Type == MsgAppendResp && m.From == 2 && m.Reject
			})
			if rejects > tc.maxRejects {
				t.Fatalf("%d rejected appends, want at most %d (one per conflicting term)", rejects, tc.maxRejects)
			}
			entries := len(tc.follower)
			if rejects >= entries/4 {
				t.Fatalf("catch-up took %d round trips for %d entries: O(entries), not O(terms)", rejects, entries)
			}
			assertLogsEqual(t, n, 1, 2)
		})
	}
}

// assertLogsEqual checks two nodes store identical logs.
func assertLogsEqual(t *testing.T, n *testNet, a, b ID) {
	t.Helper()
	la, lb := storedLog(t, n.nodes[a].storage), storedLog(t, n.nodes[b].storage)
	if len(la) != len(lb) {
		t.Fatalf("log lengths differ: %d has %d, %d has %d", a, len(la), b, len(lb))
	}
	for i := range la {
		if la[i].Term != lb[i].Term || la[i].Index != lb[i].Index || string(la[i].Data) != string(lb[i].Data) {
			t.Fatalf("logs differ at %d: %+v vs %+v", la[i].Index, la[i], lb[i])
		}
	}
}

func storedLog(t *testing.T, s *MemoryStorage) []Entry {
	first, _ := s.FirstIndex()
	last, _ := s.LastIndex()
	ents, err := s.Entries(first, last+1, noByteLimit)
	if err != nil && first <= last {
		t.Fatal(err)
	}
	return ents
}

func TestReplicationCommitsAndApplies(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	for i := range 5 {
		n.propose(1, dataN("x", i))
	}
	want := []string{"x-0", "x-1", "x-2", "x-3", "x-4"}
	for _, id := range n.ids() {
		if got := n.nodes[id].appliedData(); !slices.Equal(got, want) {
			t.Fatalf("node %d applied %v", id, got)
		}
	}
}

func TestProposeOnFollowerNamesLeader(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	_, _, err := n.nodes[2].rn.Propose([]byte("x"))
	wantErr(t, err, ErrNotLeader)
	if nle, ok := err.(*NotLeaderError); !ok || nle.Leader != 1 {
		t.Fatalf("error %v does not name leader 1", err)
	}
	_, _, err = n.nodes[1].rn.Propose(make([]byte, EntryBytesMax+1))
	wantErr(t, err, ErrEntryTooLarge)
}

func TestFigure8OnlyCurrentTermEntriesCommitByCounting(t *testing.T) {
	for _, buggy := range []bool{false, true} {
		// Node 1 holds entry 2 of term 2; it is elected in term 3 and
		// appends its empty entry 3. Node 2 then reports holding entry 2.
		n := newNetFromLogs(t, map[ID][]uint64{1: {2}, 2: {2}, 3: {}}, func(c *Config) { c.DisableCheckQuorum = true })
		n.filter = func(m Message) bool { return m.Type != MsgAppend } // no replication
		n.electLeader(1)
		r := n.nodes[1].rn.raft
		r.bugs.commitByCountAnyTerm = buggy
		if r.term != 3 || r.log.lastIndex() != 3 || r.log.committed != 1 {
			t.Fatalf("setup: term %d last %d commit %d", r.term, r.log.lastIndex(), r.log.committed)
		}
		r.prs[2].match = 2
		committed := r.maybeCommit()
		if !buggy && (committed || r.log.committed != 1) {
			t.Fatalf("entry of term 2 committed by counting replicas (commit %d)", r.log.committed)
		}
		if buggy && r.log.committed != 2 {
			t.Fatal("the buggy variant should commit the previous-term entry")
		}
		// Once an entry of the current term is on a quorum, everything
		// before it commits with it.
		r.prs[2].match = 3
		if !r.maybeCommit() || r.log.committed != 3 {
			t.Fatalf("current-term entry on a quorum not committed (commit %d)", r.log.committed)
		}
	}
}

func TestInflightWindowBoundsAppends(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), func(c *Config) { c.MaxInflightAppends = 3 })
	n.electLeader(1)
	// Follower 2's acknowledgements are lost: the leader may have at most
	// three appends in flight to it.
	n.filter = func(m Message) bool { return !(m.Type == MsgAppendResp && m.From == 2) }
	mark := len(n.sent)
	for i := range 10 {
		n.propose(1, dataN("w", i))
	}
	sent := n.countSent(mark, func(m Message) bool { return m.Type == MsgAppend && m.To == 2 && len(m.Entries) > 0 })
	if sent != 3 {
		t.Fatalf("sent %d appends with entries to a silent follower, want the window of 3", sent)
	}
	// Acknowledgements flow again: the follower catches up.
	n.filter = nil
	n.tick(1, 1)
	if got := len(n.nodes[2].appliedData()); got != 10 {
		t.Fatalf("follower applied %d of 10 after recovery", got)
	}
}

func TestProbeSendsOneAppendAtATime(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.filter = func(m Message) bool { return m.To != 2 && m.From != 2 } // node 2 unreachable
	n.electLeader(1)
	mark := len(n.sent)
	for i := range 5 {
		n.propose(1, dataN("p", i))
	}
	if sent := n.countSent(mark, func(m Message) bool { return m.Type == MsgAppend && m.To == 2 }); sent != 0 {
		t.Fatalf("%d appends to a probing follower with an unanswered probe", sent)
	}
	n.filter = nil
	n.tick(1, 1) // heartbeat response unpauses the probe
	if got := len(n.nodes[2].appliedData()); got != 5 {
		t.Fatalf("follower applied %d of 5", got)
	}
}

func TestMaxAppendBytesSplitsMessages(t *testing.T) {
	n := newTestNet(t, ids(1, 2), func(c *Config) { c.MaxAppendBytes = 10 })
	n.electLeader(1)
	n.cut[2] = true
	for range 6 {
		n.propose(1, "0123456") // 7 bytes: one entry per message
	}
	delete(n.cut, 2)
	mark := len(n.sent)
	n.tick(1, 1)
	for _, m := range n.sent[mark:] {
		if m.Type == MsgAppend && len(m.Entries) > 1 {
			t.Fatalf("append with %d entries over the byte limit", len(m.Entries))
		}
	}
	if got := len(n.nodes[2].appliedData()); got != 6 {
		t.Fatalf("follower applied %d of 6", got)
	}
}

func TestStaleLeaderStepsDownOnHigherTerm(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	n.cut[1] = true
	for range 40 { // 2 or 3 elects a new leader; 1 does not tick
		n.nodes[2].rn.Tick()
		n.nodes[3].rn.Tick()
		n.stabilize()
	}
	lead := n.leader()
	if lead == 1 || lead == None || n.status(1).Role != RoleLeader {
		t.Fatalf("no new leader, have %d", lead)
	}
	delete(n.cut, 1)
	n.tick(1, 1) // old leader heartbeats, learns the new term
	if st := n.status(1); st.Role == RoleLeader {
		t.Fatalf("stale leader kept leading: %+v", st)
	}
	n.tick(lead, 1)
	if st := n.status(1); st.Lead != lead {
		t.Fatalf("old leader follows %d, want %d", st.Lead, lead)
	}
}
