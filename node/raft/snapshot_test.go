package raft

import (
	"bytes"
	"testing"
)

// laggingFollowerNet returns a group where node 3 missed 20 entries that
// leader 1 then compacted into a snapshot of size bytes.
func laggingFollowerNet(t *testing.T, size int) (*testNet, []byte) {
	t.Helper()
	n := newTestNet(t, ids(1, 2, 3), func(c *Config) { c.SnapshotChunkBytes = 1024 })
	n.electLeader(1)
	n.cut[3] = true
	for i := range 20 {
		n.propose(1, dataN("s", i))
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
	applied := n.status(1).Applied
	must(t, n.nodes[1].rn.Compact(applied, data))
	n.stabilize()
	if first := n.status(1).FirstIndex; first != applied+1 {
		t.Fatalf("leader log starts at %d after compacting to %d", first, applied)
	}
	return n, data
}

func TestSnapshotSentInChunksAndInstalled(t *testing.T) {
	n, data := laggingFollowerNet(t, 10*1024+100)
	delete(n.cut, 3)
	mark := len(n.sent)
	n.tick(1, 1)
	chunks := 0
	for _, m := range n.sent[mark:] {
		if m.Type == MsgSnapshot && m.To == 3 {
			chunks++
			if len(m.ChunkData) > 1024 {
				t.Fatalf("chunk of %d bytes exceeds the chunk size", len(m.ChunkData))
			}
		}
	}
	if chunks != 11 {
		t.Fatalf("sent %d chunks for %d bytes in 1 KiB chunks, want 11", chunks, len(data))
	}
	tn := n.nodes[3]
	if len(tn.installed) != 1 || !bytes.Equal(tn.installed[0].Data, data) {
		t.Fatalf("follower installed %d snapshots; data equal: %v", len(tn.installed),
			len(tn.installed) == 1 && bytes.Equal(tn.installed[0].Data, data))
	}
	snap := tn.installed[0]
	if snap.Meta.Index != n.status(1).FirstIndex-1 || !snap.Meta.Membership.Equal(Membership{Voters: ids(1, 2, 3)}) {
		t.Fatalf("snapshot metadata %+v", snap.Meta)
	}
	// Replication continues after the snapshot.
	n.propose(1, "after")
	if got := tn.appliedData(); len(got) != 1 || got[0] != "after" {
		t.Fatalf("follower applied %v after the snapshot", got)
	}
	if n.status(3).Commit != n.status(1).Commit {
		t.Fatal("follower did not catch up")
	}
}

func TestSnapshotChunkWindow(t *testing.T) {
	n, _ := laggingFollowerNet(t, 10*1024)
	delete(n.cut, 3)
	n.filter = func(m Message) bool { return !(m.Type == MsgSnapshotResp) }
	mark := len(n.sent)
	n.tick(1, 1)
	chunks := n.countSent(mark, func(m Message) bool { return m.Type == MsgSnapshot && m.To == 3 })
	if chunks != SnapshotChunksInflightMax {
		t.Fatalf("sent %d unacknowledged chunks, want the window of %d", chunks, SnapshotChunksInflightMax)
	}
}

func TestSnapshotResumesAfterLostChunk(t *testing.T) {
	n, data := laggingFollowerNet(t, 5*1024)
	delete(n.cut, 3)
	dropped := false
	n.filter = func(m Message) bool {
		if m.Type == MsgSnapshot && m.ChunkOffset == 2048 && !dropped {
			dropped = true
			return false
		}
		return true
	}
	n.tick(1, 3) // heartbeat responses make the leader resend from the last acknowledged byte
	if !dropped {
		t.Fatal("test did not drop a chunk")
	}
	if tn := n.nodes[3]; len(tn.installed) != 1 || !bytes.Equal(tn.installed[0].Data, data) {
		t.Fatal("snapshot not installed intact after a lost chunk")
	}
}

func TestSnapshotRestartsWhenFollowerRestarts(t *testing.T) {
	n, data := laggingFollowerNet(t, 5*1024)
	delete(n.cut, 3)
	// Lose the final chunk, then restart the follower: it forgets the
	// partial snapshot and must get it again from the start.
	n.filter = func(m Message) bool { return !(m.Type == MsgSnapshot && m.ChunkLast) }
	n.tick(1, 1)
	n.filter = nil
	n.restart(3)
	mark := len(n.sent)
	n.tick(1, 3)
	if n.countSent(mark, func(m Message) bool { return m.Type == MsgSnapshot && m.To == 3 && m.ChunkOffset == 0 }) == 0 {
		t.Fatal("leader did not restart the transfer from offset 0")
	}
	if tn := n.nodes[3]; len(tn.installed) != 1 || !bytes.Equal(tn.installed[0].Data, data) {
		t.Fatal("snapshot not installed after a follower restart")
	}
}

func TestCompactValidation(t *testing.T) {
	n := newTestNet(t, ids(1), nil)
	n.electLeader(1)
	n.propose(1, "a")
	n.propose(1, "b")
	rn := n.nodes[1].rn
	applied := n.status(1).Applied
	wantErr(t, rn.Compact(applied+1, nil), ErrInvalidCompaction)
	must(t, rn.Compact(applied-1, []byte("state")))
	rd := rn.Ready()
	c := rd.Compaction
	if c == nil || c.Meta.Index != applied-1 || c.Meta.Term != 2 || string(c.Data) != "state" ||
		!c.Meta.Membership.Equal(Membership{Voters: ids(1)}) {
		t.Fatalf("compaction %+v", c)
	}
	must(t, n.nodes[1].storage.Compact(*c))
	rn.Advance(rd)
	wantErr(t, rn.Compact(applied-1, nil), ErrInvalidCompaction)
	wantErr(t, rn.Compact(applied, make([]byte, SnapshotBytesMax+1)), ErrInvalidCompaction)
}

func TestSnapshotToJoiningNodeCarriesMembership(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	for i := range 5 {
		n.propose(1, dataN("j", i))
	}
	must(t, n.nodes[1].rn.Compact(n.status(1).Applied, []byte("app")))
	n.stabilize()
	n.addEmpty(4)
	_, _, err := n.nodes[1].rn.ProposeConfChange(ConfChange{Op: ConfAddLearner, Node: 4})
	must(t, err)
	n.stabilize()
	n.tick(1, 2)
	st := n.status(4)
	want := Membership{Voters: ids(1, 2, 3), Learners: ids(4)}
	if len(n.nodes[4].installed) != 1 || !st.Membership.Equal(want) || st.Commit != n.status(1).Commit {
		t.Fatalf("joining learner: installed %d snapshots, status %+v", len(n.nodes[4].installed), st)
	}
}
