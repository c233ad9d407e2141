package raft

import (
	"math/rand/v2"
	"testing"
)

func TestStartBootstrapsCommittedMembership(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	for _, id := range n.ids() {
		st := n.status(id)
		if st.Term != 1 || st.Commit != 1 || st.LastIndex != 1 || st.Role != RoleFollower {
			t.Fatalf("node %d after start: %+v", id, st)
		}
		if !st.Membership.Equal(Membership{Voters: ids(1, 2, 3)}) {
			t.Fatalf("node %d membership %+v", id, st.Membership)
		}
		applied := n.nodes[id].applied
		if len(applied) != 1 || applied[0].Type != EntryConfChange {
			t.Fatalf("node %d applied %+v, want the bootstrap entry", id, applied)
		}
		cc, m, err := DecodeConfChange(applied[0].Data)
		must(t, err)
		if cc.Op != ConfBootstrap || len(m.Voters) != 3 {
			t.Fatalf("bootstrap entry decodes to %+v %+v", cc, m)
		}
	}
}

func TestElectionOnTimeout(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	// Only node 1 ticks, so it times out first: within [10, 20) ticks.
	ticks := 0
	for n.status(1).Role != RoleLeader {
		n.tick(1, 1)
		ticks++
		if ticks >= 20 {
			t.Fatalf("no election after %d ticks", ticks)
		}
	}
	if ticks < 10 {
		t.Fatalf("elected after %d ticks, before the minimum election timeout", ticks)
	}
	// Pre-vote does not bump the term; the real election does, once.
	for _, id := range n.ids() {
		st := n.status(id)
		if st.Term != 2 || st.Lead != 1 || st.Commit != 2 {
			t.Fatalf("node %d: %+v", id, st)
		}
	}
}

func TestRandomizedElectionTimeoutRange(t *testing.T) {
	seen := map[int]bool{}
	for seed := range uint64(200) {
		c := testConfig(1, NewMemoryStorage())
		c.Rand = rand.New(rand.NewPCG(seed, 1))
		rn, err := Start(c, Membership{Voters: ids(1, 2, 3)})
		must(t, err)
		rn.raft.resetRandomizedElectionTimeout()
		got := rn.raft.randomizedElectionTimeout
		if got < 10 || got >= 20 {
			t.Fatalf("seed %d: timeout %d outside [10, 20)", seed, got)
		}
		seen[got] = true
	}
	if len(seen) < 8 {
		t.Fatalf("only %d distinct timeouts over 200 seeds: not randomized", len(seen))
	}
}

func TestSingleNodeElectsItself(t *testing.T) {
	n := newTestNet(t, ids(1), nil)
	n.electLeader(1)
	n.propose(1, "x")
	if got := n.nodes[1].appliedData(); len(got) != 1 || got[0] != "x" {
		t.Fatalf("applied %v", got)
	}
}

func TestPreVoteDoesNotDisruptHealthyLeader(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	term := n.status(1).Term
	n.cut[3] = true
	n.tick(3, 100) // many election timeouts while cut off
	if st := n.status(3); st.Term != term {
		t.Fatalf("isolated node bumped its term to %d (was %d) despite pre-vote", st.Term, term)
	}
	delete(n.cut, 3)
	n.tick(3, 30) // it campaigns again, now connected
	n.tick(1, 1)  // and the leader heartbeats
	if st := n.status(1); st.Role != RoleLeader || st.Term != term {
		t.Fatalf("leader disrupted: %+v", st)
	}
	if st := n.status(3); st.Lead != 1 || st.Term != term {
		t.Fatalf("rejoined node: %+v", st)
	}
}

func TestWithoutPreVoteRejoiningNodeDisrupts(t *testing.T) {
	// The contrast case: shows the previous test would fail without pre-vote.
	n := newTestNet(t, ids(1, 2, 3), func(c *Config) {
		c.DisablePreVote = true
		c.DisableCheckQuorum = true
	})
	n.electLeader(1)
	term := n.status(1).Term
	n.cut[3] = true
	n.tick(3, 100)
	if n.status(3).Term <= term {
		t.Fatal("without pre-vote the isolated node should bump its term")
	}
	delete(n.cut, 3)
	n.tick(3, 20) // it times out again, now connected, with its higher term
	if st := n.status(1); st.Role == RoleLeader && st.Term == term {
		t.Fatalf("leader was not disrupted without pre-vote: %+v", st)
	}
}

func TestCheckQuorumLeaderStepsDown(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	n.cut[1] = true
	n.tick(1, 9)
	if n.status(1).Role != RoleLeader {
		t.Fatal("stepped down before an election timeout")
	}
	n.tick(1, 1)
	if st := n.status(1); st.Role != RoleFollower || st.Lead != None {
		t.Fatalf("leader cut off for an election timeout did not step down: %+v", st)
	}
}

func TestCheckQuorumKeepsLeaderWithQuorum(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	n.cut[3] = true
	n.tick(1, 50)
	if n.status(1).Role != RoleLeader {
		t.Fatal("leader with a live quorum stepped down")
	}
}

func TestLeaderLeaseIgnoresVoteRequests(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	term := n.status(2).Term
	// A vote request from a higher term while node 2 heard from the leader.
	err := n.nodes[2].rn.Step(Message{Type: MsgVote, From: 3, To: 2, Term: term + 5, Index: 100, LogTerm: 100})
	must(t, err)
	if st := n.status(2); st.Term != term || st.Vote == 3 {
		t.Fatalf("follower in lease adopted a disruptive vote request: %+v", st)
	}
	// The same request marked as a leadership transfer is honoured.
	err = n.nodes[2].rn.Step(Message{Type: MsgVote, From: 3, To: 2, Term: term + 5, Index: 100, LogTerm: 100, Transfer: true})
	must(t, err)
	if st := n.status(2); st.Term != term+5 || st.Vote != 3 {
		t.Fatalf("transfer vote not granted: %+v", st)
	}
}

func TestVoteIsInHardStateOfTheSameReady(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), func(c *Config) { c.DisableCheckQuorum = true })
	tn := n.nodes[2]
	must(t, tn.rn.Step(Message{Type: MsgVote, From: 1, To: 2, Term: 5, Index: 1, LogTerm: 1}))
	rd := tn.rn.Ready()
	if rd.HardState.Vote != 1 || rd.HardState.Term != 5 || !rd.MustSync {
		t.Fatalf("vote not in the Ready's HardState: %+v", rd.HardState)
	}
	if len(rd.Messages) != 1 || rd.Messages[0].Type != MsgVoteResp || rd.Messages[0].Reject {
		t.Fatalf("messages %v", rd.Messages)
	}
}

func TestNoDoubleVoteAfterRestart(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), func(c *Config) { c.DisableCheckQuorum = true })
	must(t, n.nodes[2].rn.Step(Message{Type: MsgVote, From: 1, To: 2, Term: 5, Index: 1, LogTerm: 1}))
	n.handleReady(n.nodes[2])
	n.queue = nil
	n.restart(2)
	must(t, n.nodes[2].rn.Step(Message{Type: MsgVote, From: 3, To: 2, Term: 5, Index: 1, LogTerm: 1}))
	rd := n.nodes[2].rn.Ready()
	if len(rd.Messages) != 1 || !rd.Messages[0].Reject {
		t.Fatalf("restarted node voted twice in term 5: %v", rd.Messages)
	}
	// The repeated request from the candidate it voted for is granted again.
	must(t, n.nodes[2].rn.Step(Message{Type: MsgVote, From: 1, To: 2, Term: 5, Index: 1, LogTerm: 1}))
	rd = n.nodes[2].rn.Ready()
	if len(rd.Messages) != 1 || rd.Messages[0].Reject {
		t.Fatalf("re-request from the same candidate refused: %v", rd.Messages)
	}
}

func TestVoteRequiresUpToDateLog(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), func(c *Config) { c.DisableCheckQuorum = true })
	n.electLeader(1)
	n.propose(1, "a")
	st := n.status(2)
	// A candidate whose last term is older than ours is refused.
	must(t, n.nodes[2].rn.Step(Message{Type: MsgVote, From: 3, To: 2, Term: st.Term + 1, Index: 50, LogTerm: 1}))
	rd := n.nodes[2].rn.Ready()
	if len(rd.Messages) != 1 || !rd.Messages[0].Reject {
		t.Fatalf("stale-log candidate got a vote: %v", rd.Messages)
	}
}

func TestPreCandidateLosesAndStaysInTerm(t *testing.T) {
	// Check-quorum off: with it, peers in their lease would not even answer.
	n := newTestNet(t, ids(1, 2, 3), func(c *Config) { c.DisableCheckQuorum = true })
	n.electLeader(1)
	term := n.status(1).Term
	n.propose(1, "a")
	// Node 3 misses an entry, then campaigns: peers refuse its pre-vote
	// because its log is behind.
	n.cut[3] = true
	n.propose(1, "b")
	delete(n.cut, 3)
	// Keep the leader from catching node 3 up meanwhile.
	n.filter = func(m Message) bool { return m.Type != MsgAppend && m.Type != MsgHeartbeat }
	n.campaign(3)
	if st := n.status(3); st.Role != RoleFollower || st.Term != term {
		t.Fatalf("pre-candidate with a stale log: %+v", st)
	}
}

func TestLeaderDoesNotCommitWithoutQuorum(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	commit := n.status(1).Commit
	n.cut[2], n.cut[3] = true, true
	n.propose(1, "lonely")
	if n.status(1).Commit != commit {
		t.Fatal("leader committed without a quorum")
	}
}
