package raft

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"testing"

	"jsnode/node/raft/raftcheck"
)

// The randomized cluster harness: N nodes, a network the test controls
// (loss, delay, reordering, duplication, partitions, one-way cuts), crashes
// that keep only what Ready asked to persist, membership changes, leader
// transfers, compaction and reads, all driven by one seeded PRNG. After
// every step it checks Raft's safety properties; at the end it heals
// everything and checks liveness.

// simOptions are the knobs of one randomized run.
type simOptions struct {
	pool          int // node IDs 1..pool; the first voters start the group
	voters        int
	steps         int
	dropProb      float64
	dupProb       float64
	delayMax      int
	tickProb      float64
	crashProb     float64
	restartProb   float64
	crashMidReady float64
	partitionProb float64
	healProb      float64
	// isolateLeaderProb cuts the current leader off from everyone (a
	// Jepsen-style nemesis that targets leaders, which churns terms).
	isolateLeaderProb float64
	crashLeaderProb   float64
	proposeProb       float64
	confProb          float64
	transferProb      float64
	compactProb       float64
	readProb          float64
	// tinyAppends sends one entry per append message (otherwise chosen
	// per seed), which opens more interleavings.
	tinyAppends bool
	// configure adjusts every node's Config.
	configure func(c *Config)
	bugs      testBugs
}

// churnSimOptions is a harsher profile: longer runs, a nemesis that
// isolates and crashes leaders, frequent crashes (also between persisting
// and sending), one entry per append. It churns through many terms with
// divergent uncommitted tails, which is where commit and vote bugs hide.
func churnSimOptions() simOptions {
	o := defaultSimOptions()
	o.steps = 1000
	o.tinyAppends = true
	o.isolateLeaderProb, o.crashLeaderProb, o.healProb = 0.1, 0.05, 0.2
	o.proposeProb = 0.8
	o.crashProb, o.restartProb, o.crashMidReady = 0.05, 0.5, 0.05
	return o
}

// fiveVoterSimOptions runs five voters out of seven nodes.
func fiveVoterSimOptions() simOptions {
	o := defaultSimOptions()
	o.pool, o.voters = 7, 5
	return o
}

// lossySimOptions loses, duplicates and delays many more messages and
// changes membership and leadership often.
func lossySimOptions() simOptions {
	o := defaultSimOptions()
	o.dropProb, o.dupProb, o.delayMax = 0.3, 0.2, 10
	o.confProb, o.transferProb = 0.1, 0.05
	return o
}

func defaultSimOptions() simOptions {
	return simOptions{
		pool: 5, voters: 3, steps: 300,
		dropProb: 0.05, dupProb: 0.03, delayMax: 4, tickProb: 0.9,
		crashProb: 0.01, restartProb: 0.1, crashMidReady: 0.003,
		partitionProb: 0.02, healProb: 0.05,
		proposeProb: 0.3, confProb: 0.02, transferProb: 0.01, compactProb: 0.03, readProb: 0.1,
	}
}

// simNode is one node: durable storage, and (while up) the RawNode and
// the application state it rebuilt.
type simNode struct {
	id      ID
	storage *MemoryStorage
	rn      *RawNode
	applied uint64
	hash    uint64
	check   *raftcheck.Member // this incarnation, as the checker sees it
}

type simMsg struct {
	at       int
	from, to ID
	data     []byte
}

// sim is one run. Safety violations are recorded in violation; the run
// stops at the first.
type sim struct {
	seed    uint64
	opt     simOptions
	rng     *rand.Rand
	cfgRand *rand.Rand
	now     int
	nodes   []*simNode
	net     []simMsg
	group   []int          // partition side per node index
	oneWay  map[[2]ID]bool // cut directed links
	elect   int
	cfg     func(id ID, s Storage) Config

	check     *raftcheck.Checker
	reads     map[uint64]readCheck
	nextData  uint64
	nextRead  uint64
	violation string
	// violated is the check the violation fails ("": a harness failure).
	violated string
	stats    simStats
}

type readCheck struct {
	node     ID
	required uint64
}

type simStats struct {
	elections, crashes, compactions, installs, confChanges, reads, applied int
}

func (st *simStats) add(o simStats) {
	st.elections += o.elections
	st.crashes += o.crashes
	st.compactions += o.compactions
	st.installs += o.installs
	st.confChanges += o.confChanges
	st.reads += o.reads
	st.applied += o.applied
}

func newSim(seed uint64, opt simOptions) *sim {
	s := &sim{seed: seed, opt: opt, rng: rand.New(rand.NewPCG(seed, 0x5eed)),
		oneWay: map[[2]ID]bool{}, reads: map[uint64]readCheck{}}
	s.check = raftcheck.New(s.unsafe)
	s.group = make([]int, opt.pool)
	s.elect = 4 + s.rng.IntN(7)
	heartbeat := 1 + s.rng.IntN(2)
	appendBytes := []uint64{0, 3, 40}[s.rng.IntN(3)]
	if opt.tinyAppends {
		appendBytes = 1
	}
	inflight := 1 + s.rng.IntN(8)
	chunk := []int{5, 16, 1000}[s.rng.IntN(3)]
	s.cfg = func(id ID, st Storage) Config {
		c := Config{ID: id, ElectionTicks: s.elect, HeartbeatTicks: heartbeat, Storage: st,
			Rand: rand.New(rand.NewPCG(seed, uint64(id)*7919+uint64(s.now))), MaxAppendBytes: appendBytes,
			MaxInflightAppends: inflight, SnapshotChunkBytes: chunk}
		if opt.configure != nil {
			opt.configure(&c)
		}
		return c
	}
	var voters []ID
	for i := 1; i <= opt.voters; i++ {
		voters = append(voters, ID(i))
	}
	for i := 1; i <= opt.pool; i++ {
		n := &simNode{id: ID(i), storage: NewMemoryStorage()}
		n.check = s.check.Member(nodeName(n.id))
		var err error
		if i <= opt.voters {
			n.rn, err = Start(s.cfg(n.id, n.storage), Membership{Voters: voters})
		} else {
			n.rn, err = Restart(s.cfg(n.id, n.storage))
		}
		if err != nil {
			panic(err)
		}
		n.rn.raft.bugs = opt.bugs
		s.nodes = append(s.nodes, n)
	}
	// Bootstrapping is persisted before the group goes live (a node that
	// crashed before that would simply not be a founding member).
	for _, n := range s.nodes {
		rd := n.rn.Ready()
		_ = n.storage.Append(rd.Entries)
		_ = n.storage.SetHardState(rd.HardState)
		for _, e := range rd.CommittedEntries {
			s.apply(n, e)
		}
		n.rn.Advance(rd)
	}
	return s
}

// nodeName names a node to the checker.
func nodeName(id ID) string { return fmt.Sprintf("node %d", id) }

// unsafe records a violation of a Raft safety property.
func (s *sim) unsafe(v raftcheck.Violation) {
	if s.violation == "" {
		s.violated = v.Check
	}
	s.fail("%s", v.Msg)
}

func (s *sim) fail(format string, args ...any) {
	if s.violation == "" {
		s.violation = fmt.Sprintf("step %d: ", s.now) + fmt.Sprintf(format, args...)
	}
}

func (s *sim) chance(p float64) bool { return s.rng.Float64() < p }

func (s *sim) node(id ID) *simNode { return s.nodes[id-1] }

// run executes the fault phase, then the liveness phase.
func (s *sim) run() error {
	for s.now = 1; s.now <= s.opt.steps && s.violation == ""; s.now++ {
		s.injectFaults()
		s.clientActions()
		s.stepOnce()
	}
	if s.violation != "" {
		return errors.New(s.violation)
	}
	if err := s.liveness(); err != nil {
		return err
	}
	if s.violation != "" {
		return errors.New(s.violation)
	}
	return nil
}

// stepOnce ticks, delivers due messages, handles Readys and checks.
func (s *sim) stepOnce() {
	for _, n := range s.nodes {
		if n.rn != nil && s.chance(s.opt.tickProb) {
			n.rn.Tick()
		}
	}
	s.deliverDue()
	for _, n := range s.nodes {
		for i := 0; i < 8 && n.rn != nil && n.rn.HasReady(); i++ {
			s.handleReady(n)
		}
	}
	s.checkStep()
}

func (s *sim) deliverDue() {
	due, rest := s.net[:0:0], s.net[:0:0]
	for _, m := range s.net {
		if m.at <= s.now {
			due = append(due, m)
		} else {
			rest = append(rest, m)
		}
	}
	s.net = rest
	for _, sm := range due {
		n := s.node(sm.to)
		if n.rn == nil || s.blocked(sm.from, sm.to) {
			continue
		}
		m, err := Unmarshal(sm.data)
		if err != nil {
			s.fail("unmarshal: %v", err)
			return
		}
		if err := n.rn.Step(m); err != nil {
			s.fail("node %d step %s: %v", sm.to, m, err)
			return
		}
	}
}

func (s *sim) blocked(from, to ID) bool {
	return s.group[from-1] != s.group[to-1] || s.oneWay[[2]ID{from, to}]
}

func (s *sim) send(m Message) {
	if m.Type == MsgVoteResp && !m.Reject {
		s.check.Voted(nodeName(m.From), nodeName(m.To), m.Term)
	}
	data, err := Marshal(m)
	if err != nil {
		s.fail("marshal %s: %v", m, err)
		return
	}
	if s.chance(s.opt.dropProb) {
		return
	}
	copies := 1
	if s.chance(s.opt.dupProb) {
		copies = 2
	}
	for range copies {
		s.net = append(s.net, simMsg{at: s.now + 1 + s.rng.IntN(s.opt.delayMax), from: m.From, to: m.To, data: data})
	}
}

// handleReady carries out one Ready in the documented order, checking
// what it can on the way. A crash may strike after persisting, with only
// some messages sent.
func (s *sim) handleReady(n *simNode) {
	rd := n.rn.Ready()
	n.check.Appended(checkEntries(rd.Entries), logTerms(n.rn.raft.log))
	// A crash may strike between any two of the writes, or after them
	// with only some messages sent.
	crashAt := -1
	if s.chance(s.opt.crashMidReady) {
		crashAt = s.rng.IntN(4)
	}
	if crashAt == 0 {
		s.crash(n)
		return
	}
	if rd.Snapshot != nil {
		if err := n.storage.ApplySnapshot(*rd.Snapshot); err != nil {
			s.fail("node %d apply snapshot: %v", n.id, err)
		}
	}
	if crashAt == 1 {
		s.crash(n)
		return
	}
	if err := n.storage.Append(rd.Entries); err != nil {
		s.fail("node %d append: %v", n.id, err)
	}
	if crashAt == 2 {
		s.crash(n)
		return
	}
	if !rd.HardState.IsEmpty() {
		_ = n.storage.SetHardState(rd.HardState)
	}
	if crashAt == 3 {
		for _, m := range rd.Messages[:s.rng.IntN(len(rd.Messages)+1)] {
			s.send(m)
		}
		s.crash(n)
		return
	}
	for _, m := range rd.Messages {
		s.send(m)
	}
	if rd.Snapshot != nil {
		s.restoreApp(n, *rd.Snapshot)
		s.stats.installs++
	}
	for _, e := range rd.CommittedEntries {
		s.apply(n, e)
	}
	if rd.Compaction != nil {
		if err := n.storage.Compact(*rd.Compaction); err != nil {
			s.fail("node %d compact: %v", n.id, err)
		}
	}
	for _, rs := range rd.ReadStates {
		s.checkRead(n, rs)
	}
	n.rn.Advance(rd)
}

// restoreApp rebuilds the application state from a snapshot and checks it
// matches the state every other node had at that index.
func (s *sim) restoreApp(n *simNode, snap Snapshot) {
	if len(snap.Data) < 16 {
		if snap.Meta.Index == 0 {
			n.hash, n.applied = 0, 0
			return
		}
		s.fail("node %d snapshot %d has short data", n.id, snap.Meta.Index)
		return
	}
	n.hash = binary.LittleEndian.Uint64(snap.Data)
	n.applied = binary.LittleEndian.Uint64(snap.Data[8:])
	if n.applied != snap.Meta.Index {
		s.fail("node %d snapshot data for %d labelled %d", n.id, n.applied, snap.Meta.Index)
	}
	n.check.Restored(snap.Meta.Index, snap.Meta.Term)
	n.check.State(n.applied, n.hash)
}

func snapshotData(hash, index uint64) []byte {
	b := binary.LittleEndian.AppendUint64(nil, hash)
	b = binary.LittleEndian.AppendUint64(b, index)
	for i := range 24 { // filler so snapshots span several chunks
		b = append(b, byte(hash>>(i%8*8))^byte(i))
	}
	return b
}

func entryHash(prev uint64, e Entry) uint64 {
	h := fnv.New64a()
	var b [8 * 3]byte
	binary.LittleEndian.PutUint64(b[0:], prev)
	binary.LittleEndian.PutUint64(b[8:], e.Index)
	binary.LittleEndian.PutUint64(b[16:], e.Term)
	h.Write(b[:])
	h.Write([]byte{byte(e.Type)})
	h.Write(e.Data)
	return h.Sum64()
}

// checkEntry is e as the checker sees it.
func checkEntry(e Entry) raftcheck.Entry {
	return raftcheck.Entry{Index: e.Index, Term: e.Term, Digest: raftcheck.Digest(byte(e.Type), e.Data)}
}

// checkEntries is ents as the checker sees them.
func checkEntries(ents []Entry) []raftcheck.Entry {
	out := make([]raftcheck.Entry, len(ents))
	for i, e := range ents {
		out[i] = checkEntry(e)
	}
	return out
}

// logTerms reads l for the checker; a compacted index reads as term 0.
func logTerms(l *raftLog) raftcheck.Log {
	return raftcheck.LogFunc(func(i uint64) (uint64, error) { return l.termOrZero(i), nil })
}

// apply applies one committed entry; the checker verifies state-machine
// safety: every node applies the same entry at index i, in order, and
// reaches the same state after it.
func (s *sim) apply(n *simNode, e Entry) {
	n.check.Applied(checkEntry(e), n.rn.raft.term)
	n.hash = entryHash(n.hash, e)
	n.applied = e.Index
	s.stats.applied++
	n.check.State(e.Index, n.hash)
}

// checkStep observes every leader after every step: the checker verifies
// at most one leader per term and, for each new leadership, leader
// completeness.
func (s *sim) checkStep() {
	for _, n := range s.nodes {
		if n.rn == nil || n.rn.raft.role != RoleLeader {
			continue
		}
		log := n.rn.raft.log
		if n.check.Leading(n.rn.raft.term, log.firstIndex()-1, logTerms(log)) {
			s.stats.elections++
		}
	}
}

func (s *sim) checkRead(n *simNode, rs ReadState) {
	rc, ok := s.reads[rs.Context]
	if !ok || rc.node != n.id {
		s.fail("node %d got an unknown read %d", n.id, rs.Context)
		return
	}
	// Duplicated messages may answer a read twice; each answer must hold.
	s.stats.reads++
	if rs.Index < rc.required {
		s.fail("linearizability: read %d answered at index %d, but %d was committed before it began",
			rs.Context, rs.Index, rc.required)
	}
}

func (s *sim) crash(n *simNode) {
	n.rn = nil
	n.applied, n.hash = 0, 0
	s.stats.crashes++
}

// restart rebuilds a crashed node from its storage alone.
func (s *sim) restart(n *simNode) {
	snap, _ := n.storage.Snapshot()
	rn, err := Restart(s.cfg(n.id, n.storage))
	if err != nil {
		s.fail("node %d restart: %v", n.id, err)
		return
	}
	rn.raft.bugs = s.opt.bugs
	n.rn = rn
	n.check = s.check.Member(nodeName(n.id))
	s.restoreApp(n, snap)
	hs, _ := n.storage.InitialState()
	for index := n.applied + 1; index <= hs.Commit; index++ {
		if want, ok := s.check.CommittedTerm(index); ok {
			if got := rn.raft.log.termOrZero(index); got != want {
				s.fail("durability: node %d lost committed entry %d across a crash", n.id, index)
				return
			}
		}
	}
}

// injectFaults crashes, restarts, partitions and heals at random.
func (s *sim) injectFaults() {
	for _, n := range s.nodes {
		switch {
		case n.rn != nil && s.chance(s.opt.crashProb):
			s.crash(n)
		case n.rn == nil && s.chance(s.opt.restartProb):
			s.restart(n)
		}
	}
	if s.chance(s.opt.partitionProb) {
		for i := range s.group {
			s.group[i] = s.rng.IntN(2)
		}
	}
	if s.chance(s.opt.partitionProb) {
		a, b := ID(1+s.rng.IntN(s.opt.pool)), ID(1+s.rng.IntN(s.opt.pool))
		s.oneWay[[2]ID{a, b}] = true
	}
	if l := s.leader(); l != nil && s.chance(s.opt.isolateLeaderProb) {
		for i := range s.group {
			s.group[i] = 0
		}
		s.group[l.id-1] = 1
	}
	if l := s.leader(); l != nil && s.chance(s.opt.crashLeaderProb) {
		s.crash(l)
	}
	if s.chance(s.opt.healProb) {
		s.heal()
	}
}

func (s *sim) heal() {
	clear(s.group)
	clear(s.oneWay)
}

// leader returns a node that believes it leads (highest term), or nil.
func (s *sim) leader() *simNode {
	var best *simNode
	for _, n := range s.nodes {
		if n.rn != nil && n.rn.raft.role == RoleLeader && (best == nil || n.rn.raft.term > best.rn.raft.term) {
			best = n
		}
	}
	return best
}

// clientActions proposes, changes membership, transfers leadership,
// compacts and reads at random.
func (s *sim) clientActions() {
	if l := s.leader(); l != nil {
		if s.chance(s.opt.proposeProb) {
			s.nextData++
			_, _, _ = l.rn.Propose(fmt.Appendf(nil, "d%d", s.nextData))
		}
		if s.chance(s.opt.confProb) {
			s.randomConfChange(l)
		}
		if s.chance(s.opt.transferProb) {
			_ = l.rn.TransferLeader(ID(1 + s.rng.IntN(s.opt.pool)))
		}
	}
	n := s.nodes[s.rng.IntN(len(s.nodes))]
	if n.rn == nil {
		return
	}
	if s.chance(s.opt.compactProb) && n.applied > 0 {
		if err := n.rn.Compact(n.applied, snapshotData(n.hash, n.applied)); err == nil {
			s.stats.compactions++
		}
	}
	if s.chance(s.opt.readProb) {
		s.nextRead++
		if n.rn.ReadIndex(s.nextRead) == nil {
			s.reads[s.nextRead] = readCheck{node: n.id, required: s.maxCommitted()}
		}
	}
}

// maxCommitted is the highest commit index any live node knows now.
func (s *sim) maxCommitted() uint64 {
	var c uint64
	for _, n := range s.nodes {
		if n.rn != nil {
			c = max(c, n.rn.raft.log.committed)
		}
	}
	return c
}

func (s *sim) randomConfChange(l *simNode) {
	id := ID(1 + s.rng.IntN(s.opt.pool))
	m := l.rn.raft.membership
	var cc ConfChange
	switch {
	case m.IsVoter(id):
		if len(m.Voters) <= 2 {
			return
		}
		cc = ConfChange{Op: ConfRemove, Node: id}
	case m.IsLearner(id):
		cc = ConfChange{Op: []ConfChangeOp{ConfPromoteLearner, ConfRemove}[s.rng.IntN(2)], Node: id}
	default:
		cc = ConfChange{Op: []ConfChangeOp{ConfAddLearner, ConfAddVoter}[s.rng.IntN(2)], Node: id}
	}
	if _, _, err := l.rn.ProposeConfChange(cc); err == nil {
		s.stats.confChanges++
	}
}

// liveness heals everything and requires a stable leader, then requires
// fresh proposals to be applied by every member, within bounded ticks.
func (s *sim) liveness() error {
	s.heal()
	// Healed links deliver in order (like the TCP routes Raft runs over).
	s.opt.dropProb, s.opt.dupProb, s.opt.delayMax, s.opt.tickProb = 0, 0, 1, 1
	s.opt.crashMidReady = 0
	for _, n := range s.nodes {
		if n.rn == nil {
			s.restart(n)
		}
	}
	limit := s.now + 30*s.elect
	var lead *simNode
	for ; s.now < limit && s.violation == ""; s.now++ {
		s.stepOnce()
		if lead = s.stableLeader(); lead != nil {
			break
		}
	}
	if lead == nil {
		return fmt.Errorf("liveness: no stable leader %d ticks after healing", 30*s.elect)
	}
	want := map[string]bool{}
	for i := range 5 {
		want[fmt.Sprintf("final%d", i)] = false
	}
	// Catching up a lagging member costs round trips in proportion to its
	// backlog when appends are tiny; allow for that on top of elections.
	budget := 30*s.elect + 4*int(s.backlog(lead))
	limit = s.now + budget
	lastProposal := -1 << 30
	for ; s.now < limit && s.violation == ""; s.now++ {
		// A client retries what is not yet committed once per timeout.
		if l := s.leader(); l != nil && s.now-lastProposal >= 2*s.elect {
			lastProposal = s.now
			for _, key := range sortedMissing(want) {
				_, _, _ = l.rn.Propose([]byte(key))
			}
		}
		s.stepOnce()
		if s.finalCommitted(want) && s.allApplied() {
			return nil
		}
	}
	return fmt.Errorf("liveness: proposals not applied by all members %d ticks after a leader emerged: %s",
		budget, s.describe())
}

// backlog is how far the slowest member's application lags the leader's log.
func (s *sim) backlog(l *simNode) uint64 {
	last := l.rn.raft.log.lastIndex()
	lag := uint64(0)
	for _, id := range l.rn.raft.membership.ids() {
		lag = max(lag, last-min(last, s.node(id).applied))
	}
	return lag
}

// stableLeader returns the leader if every member follows it.
func (s *sim) stableLeader() *simNode {
	l := s.leader()
	if l == nil {
		return nil
	}
	for _, id := range l.rn.raft.membership.ids() {
		n := s.node(id)
		if n.rn.raft.lead != l.id || n.rn.raft.term != l.rn.raft.term {
			return nil
		}
	}
	return l
}

func sortedMissing(want map[string]bool) []string {
	var out []string
	for i := range len(want) {
		if key := fmt.Sprintf("final%d", i); !want[key] {
			out = append(out, key)
		}
	}
	return out
}

// finalCommitted marks final values seen in the leader's committed log
// and reports whether all are there.
func (s *sim) finalCommitted(want map[string]bool) bool {
	l := s.leader()
	if l == nil {
		return false
	}
	log := l.rn.raft.log
	ents, err := log.slice(log.firstIndex(), log.committed+1, noByteLimit)
	if err != nil {
		return false
	}
	for _, e := range ents {
		if _, ok := want[string(e.Data)]; ok {
			want[string(e.Data)] = true
		}
	}
	return len(sortedMissing(want)) == 0
}

// describe summarises every node for failure messages.
func (s *sim) describe() string {
	out := ""
	for _, n := range s.nodes {
		if n.rn == nil {
			out += fmt.Sprintf("\n  %d: down", n.id)
			continue
		}
		st := n.rn.Status()
		out += fmt.Sprintf("\n  %d: %s term %d lead %d commit %d applied %d/%d last %d first %d members %v progress %+v",
			n.id, st.Role, st.Term, st.Lead, st.Commit, st.Applied, n.applied, st.LastIndex, st.FirstIndex, st.Membership, st.Progress)
	}
	return out
}

// allApplied reports whether every member applied the leader's commit.
func (s *sim) allApplied() bool {
	l := s.leader()
	if l == nil {
		return false
	}
	for _, id := range l.rn.raft.membership.ids() {
		if n := s.node(id); n.rn == nil || n.applied < l.rn.raft.log.committed {
			return false
		}
	}
	return true
}

var (
	flagSeed  = flag.Int64("raft.seed", -1, "run only this seed in the randomized cluster tests")
	flagSeeds = flag.Int("raft.seeds", 0, "number of seeds per profile in the randomized cluster tests")
)

// seedRange returns the seeds to run: -raft.seed alone, else n (or
// -raft.seeds) seeds from 0.
func seedRange(n int) []uint64 {
	if *flagSeed >= 0 {
		return []uint64{uint64(*flagSeed)}
	}
	if *flagSeeds > 0 {
		n = *flagSeeds
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(i)
	}
	return seeds
}

func TestRandomizedClusterSafetyAndLiveness(t *testing.T) {
	profiles := []struct {
		name  string
		opt   simOptions
		seeds int
	}{
		{"default", defaultSimOptions(), 300},
		{"churn", churnSimOptions(), 100},
		{"five-voters", fiveVoterSimOptions(), 100},
		{"lossy", lossySimOptions(), 100},
	}
	for _, p := range profiles {
		t.Run(p.name, func(t *testing.T) {
			seeds := seedRange(p.seeds)
			var total simStats
			for _, seed := range seeds {
				s := newSim(seed, p.opt)
				if err := s.run(); err != nil {
					t.Fatalf("seed %d: %v\nreplay: go test ./node/raft -run 'TestRandomizedClusterSafetyAndLiveness/%s' -raft.seed=%d",
						seed, err, p.name, seed)
				}
				total.add(s.stats)
			}
			t.Logf("%d seeds: %+v", len(seeds), total)
			// The run must exercise the machinery it claims to test.
			if len(seeds) >= 50 && (total.elections < len(seeds) || total.crashes == 0 || total.compactions == 0 ||
				total.installs == 0 || total.confChanges == 0 || total.reads == 0) {
				t.Fatalf("harness exercised too little: %+v", total)
			}
		})
	}
}

// TestHarnessIsDeterministic: the same seed replays the same run, so any
// failure can be reproduced from its seed alone.
func TestHarnessIsDeterministic(t *testing.T) {
	for _, seed := range []uint64{3, 77} {
		var outcomes [2]string
		for i := range outcomes {
			s := newSim(seed, churnSimOptions())
			err := s.run()
			outcomes[i] = fmt.Sprintf("%v %+v %s", err, s.stats, s.describe())
		}
		if outcomes[0] != outcomes[1] {
			t.Fatalf("seed %d ran differently twice:\n%s\n%s", seed, outcomes[0], outcomes[1])
		}
	}
}
