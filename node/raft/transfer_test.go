package raft

import "testing"

func TestLeadershipTransferToUpToDateFollower(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	term := n.status(1).Term
	mark := len(n.sent)
	must(t, n.nodes[1].rn.TransferLeader(3))
	n.stabilize()
	if n.countSent(mark, func(m Message) bool { return m.Type == MsgTimeoutNow && m.To == 3 }) != 1 {
		t.Fatal("no TimeoutNow sent to the target")
	}
	if n.countSent(mark, func(m Message) bool { return m.Type == MsgPreVote }) != 0 {
		t.Fatal("transfer election used pre-vote")
	}
	st := n.status(3)
	if st.Role != RoleLeader || st.Term != term+1 {
		t.Fatalf("target after transfer: %+v", st)
	}
	if n.status(1).Lead != 3 {
		t.Fatal("old leader does not follow the new one")
	}
	n.propose(3, "after-transfer")
}

func TestLeadershipTransferCatchesUpTargetFirst(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	n.cut[3] = true
	for i := range 5 {
		n.propose(1, dataN("t", i))
	}
	// While the target is unreachable, the transfer waits and proposals
	// are refused.
	must(t, n.nodes[1].rn.TransferLeader(3))
	n.stabilize()
	_, _, err := n.nodes[1].rn.Propose([]byte("blocked"))
	wantErr(t, err, ErrTransferInProgress)
	if st := n.status(1); st.LeadTransferee != 3 || st.Role != RoleLeader {
		t.Fatalf("leader during transfer: %+v", st)
	}
	delete(n.cut, 3)
	n.tick(1, 1) // heartbeat response lets the leader catch 3 up, then TimeoutNow
	if st := n.status(3); st.Role != RoleLeader {
		t.Fatalf("lagging target did not take over: %+v", st)
	}
	if got := n.nodes[3].appliedData(); len(got) != 5 {
		t.Fatalf("new leader applied %v", got)
	}
}

func TestLeadershipTransferTimesOut(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	n.cut[3] = true
	must(t, n.nodes[1].rn.TransferLeader(3))
	n.tick(1, 10) // one election timeout
	if st := n.status(1); st.LeadTransferee != None || st.Role != RoleLeader {
		t.Fatalf("transfer did not time out: %+v", st)
	}
	n.propose(1, "accepted-again")
}

func TestLeadershipTransferErrors(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	wantErr(t, n.nodes[2].rn.TransferLeader(3), ErrNotLeader)
	wantErr(t, n.nodes[1].rn.TransferLeader(9), ErrInvalidTransfer)
	must(t, n.nodes[1].rn.TransferLeader(1)) // to itself: nothing to do
	if n.status(1).LeadTransferee != None {
		t.Fatal("transfer to self started")
	}
}
