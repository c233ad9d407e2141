package raft

import (
	"testing"
)

func proposeCC(t *testing.T, n *testNet, leader ID, op ConfChangeOp, node ID) {
	t.Helper()
	if _, _, err := n.nodes[leader].rn.ProposeConfChange(ConfChange{Op: op, Node: node}); err != nil {
		t.Fatalf("propose %v %d: %v", op, node, err)
	}
	n.stabilize()
}

func TestMembershipApply(t *testing.T) {
	m := Membership{Voters: ids(1, 2), Learners: ids(5)}
	cases := []struct {
		cc   ConfChange
		want Membership
		err  bool
	}{
		{ConfChange{ConfAddVoter, 3}, Membership{Voters: ids(1, 2, 3), Learners: ids(5)}, false},
		{ConfChange{ConfAddLearner, 4}, Membership{Voters: ids(1, 2), Learners: ids(4, 5)}, false},
		{ConfChange{ConfPromoteLearner, 5}, Membership{Voters: ids(1, 2, 5)}, false},
		{ConfChange{ConfRemove, 2}, Membership{Voters: ids(1), Learners: ids(5)}, false},
		{ConfChange{ConfRemove, 5}, Membership{Voters: ids(1, 2)}, false},
		{ConfChange{ConfAddVoter, 2}, m, true},
		{ConfChange{ConfAddLearner, 5}, m, true},
		{ConfChange{ConfPromoteLearner, 1}, m, true},
		{ConfChange{ConfRemove, 9}, m, true},
		{ConfChange{ConfAddVoter, None}, m, true},
		{ConfChange{ConfBootstrap, 3}, m, true},
	}
	for _, tc := range cases {
		got, err := m.Apply(tc.cc)
		if (err != nil) != tc.err || !got.Equal(tc.want) {
			t.Errorf("%+v: got %+v, %v; want %+v (error %v)", tc.cc, got, err, tc.want, tc.err)
		}
	}
	if _, err := (Membership{Voters: ids(1)}).Apply(ConfChange{ConfRemove, 1}); err == nil {
		t.Error("removing the last voter succeeded")
	}
	if !m.Equal(Membership{Voters: ids(1, 2), Learners: ids(5)}) {
		t.Error("Apply modified its receiver")
	}
}

func TestLearnerReplicatesButNeverVotesOrCounts(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	n.addEmpty(4)
	proposeCC(t, n, 1, ConfAddLearner, 4)
	n.propose(1, "to-learner")
	if got := n.nodes[4].appliedData(); len(got) != 1 || got[0] != "to-learner" {
		t.Fatalf("learner applied %v", got)
	}
	// A learner never campaigns.
	n.cut[1] = true
	n.tick(4, 100)
	if st := n.status(4); st.Role != RoleFollower || st.Term != n.status(1).Term {
		t.Fatalf("learner campaigned: %+v", st)
	}
	delete(n.cut, 1)
	// A learner's copy does not count toward commit.
	commit := n.status(1).Commit
	n.cut[2], n.cut[3] = true, true
	n.propose(1, "needs-voters")
	if n.status(1).Commit != commit {
		t.Fatal("leader committed with only a learner's acknowledgement")
	}
}

func TestPromoteLearnerToVoter(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	n.addEmpty(4)
	proposeCC(t, n, 1, ConfAddLearner, 4)
	proposeCC(t, n, 1, ConfPromoteLearner, 4)
	want := Membership{Voters: ids(1, 2, 3, 4)}
	for _, id := range n.ids() {
		if m := n.status(id).Membership; !m.Equal(want) {
			t.Fatalf("node %d membership %+v", id, m)
		}
	}
	// Four voters: a quorum is three, so two cut off voters block commits
	// and one does not.
	n.cut[2] = true
	n.propose(1, "three-of-four")
	if got := n.nodes[4].appliedData(); len(got) != 1 {
		t.Fatalf("promoted voter applied %v", got)
	}
	commit := n.status(1).Commit
	n.cut[3] = true
	n.propose(1, "two-of-four")
	if n.status(1).Commit != commit {
		t.Fatal("committed with two of four voters")
	}
}

func TestRemoveFollower(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	proposeCC(t, n, 1, ConfRemove, 3)
	if m := n.status(1).Membership; !m.Equal(Membership{Voters: ids(1, 2)}) {
		t.Fatalf("membership %+v", m)
	}
	// The removed node gets no more entries and never campaigns.
	n.propose(1, "after-removal")
	if got := n.nodes[3].appliedData(); len(got) != 0 {
		t.Fatalf("removed node applied %v", got)
	}
	n.tick(3, 100)
	if st := n.status(3); st.Role != RoleFollower {
		t.Fatalf("removed node campaigned: %+v", st)
	}
}

func TestConfChangeTakesEffectOnAppend(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	n.addEmpty(4)
	// Hold back all acknowledgements so nothing commits.
	n.filter = func(m Message) bool { return m.Type != MsgAppendResp }
	index, _, err := n.nodes[1].rn.ProposeConfChange(ConfChange{Op: ConfAddLearner, Node: 4})
	must(t, err)
	n.stabilize()
	want := Membership{Voters: ids(1, 2, 3), Learners: ids(4)}
	for _, id := range ids(1, 2, 3) {
		st := n.status(id)
		if st.Commit >= index || !st.Membership.Equal(want) {
			t.Fatalf("node %d: commit %d (change at %d), membership %+v", id, st.Commit, index, st.Membership)
		}
	}
	// Only one change may be pending.
	_, _, err = n.nodes[1].rn.ProposeConfChange(ConfChange{Op: ConfRemove, Node: 3})
	wantErr(t, err, ErrConfChangePending)
	n.filter = nil
	n.tick(1, 1)
	proposeCC(t, n, 1, ConfRemove, 3)
}

func TestNewLeaderWaitsForOwnCommitBeforeConfChange(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.filter = func(m Message) bool { return m.Type != MsgAppendResp }
	n.electLeader(1)
	_, _, err := n.nodes[1].rn.ProposeConfChange(ConfChange{Op: ConfRemove, Node: 3})
	wantErr(t, err, ErrLeaderNotReady)
	n.filter = nil
	n.tick(1, 1)
	proposeCC(t, n, 1, ConfRemove, 3)
}

func TestFollowerRevertsMembershipWhenEntryIsTruncated(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3, 4, 5), nil)
	n.electLeader(1)
	// The change reaches only node 2.
	n.filter = func(m Message) bool { return m.From == 1 && m.To == 2 && m.Type == MsgAppend }
	_, _, err := n.nodes[1].rn.ProposeConfChange(ConfChange{Op: ConfRemove, Node: 5})
	must(t, err)
	n.stabilize()
	if m := n.status(2).Membership; m.IsVoter(5) {
		t.Fatal("node 2 should have adopted the uncommitted change")
	}
	// Nodes 3, 4, 5 elect node 3, whose log lacks the change; it then
	// overwrites node 2's uncommitted entry.
	n.filter = nil
	n.cut[1], n.cut[2] = true, true
	for range 40 {
		for _, id := range ids(3, 4, 5) {
			n.nodes[id].rn.Tick()
		}
		n.stabilize()
	}
	lead := n.leader()
	if lead != 3 && lead != 4 && lead != 5 {
		t.Fatalf("no leader among 3, 4, 5: %d", lead)
	}
	delete(n.cut, 2)
	n.tick(lead, 2)
	if m := n.status(2).Membership; !m.Equal(Membership{Voters: ids(1, 2, 3, 4, 5)}) {
		t.Fatalf("node 2 kept a truncated membership: %+v", m)
	}
}

func TestRemovedLeaderStepsDownAfterCommit(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	term := n.status(1).Term
	proposeCC(t, n, 1, ConfRemove, 1)
	if st := n.status(1); st.Role == RoleLeader {
		t.Fatalf("removed leader still leads: %+v", st)
	}
	// It handed over with TimeoutNow, so a new leader exists at once.
	lead := n.leader()
	if lead != 2 && lead != 3 {
		t.Fatalf("no new leader after removal, have %d", lead)
	}
	if st := n.status(lead); st.Term != term+1 || !st.Membership.Equal(Membership{Voters: ids(2, 3)}) {
		t.Fatalf("new leader %+v", st)
	}
	n.propose(lead, "after")
}
