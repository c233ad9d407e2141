package raft

import "testing"

func TestReadIndexOnLeaderNeedsQuorumRound(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	n.propose(1, "w")
	commit := n.status(1).Commit
	// Without heartbeat responses, leadership is unconfirmed: no answer.
	n.filter = func(m Message) bool { return m.Type != MsgHeartbeatResp }
	must(t, n.nodes[1].rn.ReadIndex(7))
	n.stabilize()
	if rs := n.nodes[1].readStates; len(rs) != 0 {
		t.Fatalf("read answered without a quorum round: %v", rs)
	}
	n.filter = nil
	n.tick(1, 1) // the next heartbeat carries the pending round
	rs := n.nodes[1].readStates
	if len(rs) != 1 || rs[0].Context != 7 || rs[0].Index != commit {
		t.Fatalf("read states %+v, want one at %d", rs, commit)
	}
}

func TestReadIndexForwardedFromFollower(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	n.propose(1, "w")
	must(t, n.nodes[3].rn.ReadIndex(42))
	n.stabilize()
	rs := n.nodes[3].readStates
	if len(rs) != 1 || rs[0].Context != 42 || rs[0].Index != n.status(1).Commit {
		t.Fatalf("follower read states %+v", rs)
	}
	if len(n.nodes[1].readStates) != 0 {
		t.Fatal("leader reported the follower's read as its own")
	}
}

func TestReadIndexOnPartitionedLeaderNeverAnswers(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	n.cut[1] = true
	must(t, n.nodes[1].rn.ReadIndex(1))
	n.tick(1, 5)
	if rs := n.nodes[1].readStates; len(rs) != 0 {
		t.Fatalf("a cut-off leader answered a read: %+v", rs)
	}
}

func TestReadIndexWaitsForLeadersFirstCommit(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.filter = func(m Message) bool { return m.Type != MsgAppendResp }
	n.electLeader(1)
	must(t, n.nodes[1].rn.ReadIndex(5))
	n.stabilize()
	if rs := n.nodes[1].readStates; len(rs) != 0 {
		t.Fatalf("read answered before the leader committed in its term: %+v", rs)
	}
	n.filter = nil
	n.tick(1, 1)
	rs := n.nodes[1].readStates
	if len(rs) != 1 || rs[0].Index != n.status(1).Commit || rs[0].Index < 2 {
		t.Fatalf("read states %+v", rs)
	}
}

func TestReadIndexSingleNodeIsImmediate(t *testing.T) {
	n := newTestNet(t, ids(1), nil)
	n.electLeader(1)
	must(t, n.nodes[1].rn.ReadIndex(3))
	n.stabilize()
	if rs := n.nodes[1].readStates; len(rs) != 1 || rs[0].Index != n.status(1).Commit {
		t.Fatalf("read states %+v", rs)
	}
}

func TestReadIndexWithoutLeader(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	wantErr(t, n.nodes[2].rn.ReadIndex(1), ErrNotLeader)
}

func TestReadIndexQueueIsBounded(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	n.cut[1] = true
	for i := range ReadIndexPendingMax {
		must(t, n.nodes[1].rn.ReadIndex(uint64(i+1)))
	}
	wantErr(t, n.nodes[1].rn.ReadIndex(0), ErrTooManyReads)
}
