package raft

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// testNode is one member of a testNet: a RawNode, its "disk" and what it
// applied.
type testNode struct {
	id         ID
	rn         *RawNode
	storage    *MemoryStorage
	applied    []Entry
	readStates []ReadState
	installed  []Snapshot
}

// testNet is a small synchronous network for rule-by-rule tests: messages
// are delivered in FIFO order by stabilize, and filter may drop any.
type testNet struct {
	t      *testing.T
	nodes  map[ID]*testNode
	queue  []Message
	filter func(m Message) bool // return false to drop
	cut    map[ID]bool          // isolated nodes
	sent   []Message            // every message that left a node
	tweak  func(c *Config)
}

func testConfig(id ID, s Storage) Config {
	return Config{ID: id, ElectionTicks: 10, HeartbeatTicks: 1, Storage: s,
		Rand: rand.New(rand.NewPCG(uint64(id), 99))}
}

// newTestNet starts a group whose initial voters are voters.
func newTestNet(t *testing.T, voters []ID, tweak func(c *Config)) *testNet {
	t.Helper()
	n := &testNet{t: t, nodes: map[ID]*testNode{}, cut: map[ID]bool{}, tweak: tweak}
	for _, id := range voters {
		s := NewMemoryStorage()
		rn, err := Start(n.config(id, s), Membership{Voters: slices.Clone(voters)})
		if err != nil {
			t.Fatalf("start %d: %v", id, err)
		}
		n.nodes[id] = &testNode{id: id, rn: rn, storage: s}
	}
	n.stabilize()
	return n
}

func (n *testNet) config(id ID, s Storage) Config {
	c := testConfig(id, s)
	if n.tweak != nil {
		n.tweak(&c)
	}
	return c
}

// addEmpty starts a node with empty storage (a node about to join).
func (n *testNet) addEmpty(id ID) *testNode {
	s := NewMemoryStorage()
	rn, err := Restart(n.config(id, s))
	if err != nil {
		n.t.Fatalf("restart %d: %v", id, err)
	}
	tn := &testNode{id: id, rn: rn, storage: s}
	n.nodes[id] = tn
	return tn
}

// restart rebuilds a node from its storage, losing all volatile state.
func (n *testNet) restart(id ID) {
	tn := n.nodes[id]
	rn, err := Restart(n.config(id, tn.storage))
	if err != nil {
		n.t.Fatalf("restart %d: %v", id, err)
	}
	tn.rn = rn
	tn.applied = nil
}

func (n *testNet) ids() []ID {
	ids := make([]ID, 0, len(n.nodes))
	for id := range n.nodes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// handleReady carries out one node's Ready in the documented order.
func (n *testNet) handleReady(tn *testNode) {
	rd := tn.rn.Ready()
	if rd.Snapshot != nil {
		must(n.t, tn.storage.ApplySnapshot(*rd.Snapshot))
		tn.installed = append(tn.installed, *rd.Snapshot)
	}
	must(n.t, tn.storage.Append(rd.Entries))
	if !rd.HardState.IsEmpty() {
		must(n.t, tn.storage.SetHardState(rd.HardState))
	}
	for _, m := range rd.Messages {
		n.sent = append(n.sent, m)
		n.queue = append(n.queue, m)
	}
	tn.applied = append(tn.applied, rd.CommittedEntries...)
	if rd.Compaction != nil {
		must(n.t, tn.storage.Compact(*rd.Compaction))
	}
	tn.readStates = append(tn.readStates, rd.ReadStates...)
	tn.rn.Advance(rd)
}

// stabilize handles every Ready and delivers every message until quiet.
func (n *testNet) stabilize() {
	for range 100000 {
		progressed := false
		for _, id := range n.ids() {
			tn := n.nodes[id]
			for tn.rn.HasReady() {
				n.handleReady(tn)
				progressed = true
			}
		}
		if len(n.queue) == 0 && !progressed {
			return
		}
		queue := n.queue
		n.queue = nil
		for _, m := range queue {
			n.deliver(m)
		}
	}
	n.t.Fatal("network did not stabilize")
}

func (n *testNet) deliver(m Message) {
	to := n.nodes[m.To]
	if to == nil || n.cut[m.To] || n.cut[m.From] || (n.filter != nil && !n.filter(m)) {
		return
	}
	b, err := Marshal(m)
	must(n.t, err)
	m2, err := Unmarshal(b)
	must(n.t, err)
	if err := to.rn.Step(m2); err != nil {
		n.t.Fatalf("step %s: %v", m, err)
	}
}

// tick ticks one node k times, stabilizing after each tick.
func (n *testNet) tick(id ID, k int) {
	for range k {
		n.nodes[id].rn.Tick()
		n.stabilize()
	}
}

// tickAll ticks every node k times.
func (n *testNet) tickAll(k int) {
	for range k {
		for _, id := range n.ids() {
			n.nodes[id].rn.Tick()
		}
		n.stabilize()
	}
}

func (n *testNet) campaign(id ID) {
	must(n.t, n.nodes[id].rn.Campaign())
	n.stabilize()
}

func (n *testNet) status(id ID) Status { return n.nodes[id].rn.Status() }

// leader returns the node that believes it leads in the highest term.
func (n *testNet) leader() ID {
	var lead ID
	var term uint64
	for _, id := range n.ids() {
		st := n.status(id)
		if st.Role == RoleLeader && st.Term >= term {
			lead, term = id, st.Term
		}
	}
	return lead
}

func (n *testNet) propose(id ID, data string) (uint64, uint64) {
	n.t.Helper()
	index, term, err := n.nodes[id].rn.Propose([]byte(data))
	if err != nil {
		n.t.Fatalf("propose on %d: %v", id, err)
	}
	n.stabilize()
	return index, term
}

// appliedData lists the non-empty normal entries a node applied.
func (tn *testNode) appliedData() []string {
	var out []string
	for _, e := range tn.applied {
		if e.Type == EntryNormal && len(e.Data) > 0 {
			out = append(out, string(e.Data))
		}
	}
	return out
}

// countSent counts sent messages matching pred since position from.
func (n *testNet) countSent(from int, pred func(m Message) bool) int {
	c := 0
	for _, m := range n.sent[from:] {
		if pred(m) {
			c++
		}
	}
	return c
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

// electLeader makes id campaign and checks it wins.
func (n *testNet) electLeader(id ID) {
	n.t.Helper()
	n.campaign(id)
	if st := n.status(id); st.Role != RoleLeader {
		n.t.Fatalf("node %d did not become leader: %+v", id, st)
	}
}

func ids(v ...ID) []ID { return v }

func dataN(prefix string, i int) string { return fmt.Sprintf("%s-%d", prefix, i) }
