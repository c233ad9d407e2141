package sim

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"

	"jsnode/node/raft"
	"jsnode/node/raftgroup"
	"jsnode/node/raftgroup/kv"
	"jsnode/node/raftlog"
)

// raftSegmentBytes is the WAL segment size of the simulated logs: small,
// so that a run rotates segments many times.
const raftSegmentBytes = 16 << 10

// raftKV is the replicated key-value workload (see scenario_raftkv.go):
// a kv service on a RAFT group on every node, sim clients recording a
// porcupine history, and the Raft invariants checked on every event
// (raftkv_invariants.go). Its liveness round: once the faults have
// healed, a leader all nodes agree on, every client idle, then every
// client completes FinalOps operations with a definite outcome and all
// replicas apply the same log.
type raftKV struct {
	spec     RaftKVSpec
	r        *run
	names    []string
	services map[string]*kv.Service // current incarnation's, by node
	clients  []*kvClient
	hist     kvHistory
	inv      *raftInvariants
	timing   *raftTiming
	notes    []worldNote
	stopped  bool
	inFinal  bool
	problems []string // boot failures, bad replies
	// openErr is why the node's member could not open after an injected
	// disk fault (it counts as halted); corrupt marks nodes that reported
	// corruption of what they stored (raftkv_halts.go).
	openErr map[string]error
	corrupt map[string]bool
}

func newRaftKV(spec RaftKVSpec) *raftKV {
	return &raftKV{spec: spec, services: make(map[string]*kv.Service),
		openErr: make(map[string]error), corrupt: make(map[string]bool)}
}

func (p *raftKV) start(r *run) {
	p.r = r
	p.inv = newRaftInvariants(r.w)
	p.timing = newRaftTiming(r, p.spec)
	r.w.OnNote(func(at time.Duration, host, kind, detail string) {
		if kind != "phase" && kind != "violation" {
			p.notes = append(p.notes, worldNote{at: at, host: host, kind: kind, detail: detail})
		}
	})
	for _, n := range r.nodes {
		p.names = append(p.names, n.Name())
	}
	for _, n := range r.nodes {
		p.boot(n)
		n.OnBoot(p.boot)
	}
	addrs := make([]string, len(r.nodes))
	for i, n := range r.nodes {
		addrs[i] = n.Addr()
	}
	for i := 0; i < p.spec.Clients; i++ {
		p.newClient(i, addrs)
	}
}

// newClient creates client i, first connected to node i mod n.
func (p *raftKV) newClient(i int, addrs []string) {
	r := p.r
	opts := r.sc.Workload.clientOptions()
	opts.Name = clientHostName(len(r.clients) + 1)
	rotated := append(append([]string(nil), addrs[i%len(addrs):]...), addrs[:i%len(addrs)]...)
	c := r.w.NewClient(opts.Name, rotated, opts)
	r.clock.setDrift(r, c.Host())
	r.clients = append(r.clients, c) // connection resets pick from these
	kc := &kvClient{p: p, c: c, idx: i, pid: p.hist.newClientID(), seen: make(map[string]kvOutput),
		target: kv.RequestSubject(p.spec.Group)}
	p.clients = append(p.clients, kc)
	kc.scheduleNext()
}

// boot opens the node's member of the group on its (new) server.
func (p *raftKV) boot(n *NodeHandle) {
	if old := p.services[n.Name()]; old != nil {
		old.Stop() // a crashed incarnation's: harmless; a shut-down one's: must stop
	}
	delete(p.services, n.Name())
	delete(p.openErr, n.Name())
	h := n.Host()
	cfg := raftgroup.Config{
		Group: p.spec.Group, Self: n.Name(), Peers: p.names,
		Messenger: n.Server().SystemAccount(), Clock: h.Clock(), Rand: h.Rand(), FS: h.FS(), Log: h.Log(),
		Syncer:   n.Server().Syncer(),
		Buggify:  h.Buggify,
		Observer: raftObservers{p.inv.observer(n.Name()), p.timing.member(n.Name())},
		Tick:     p.spec.Tick, ElectionTicks: p.spec.ElectionTicks, HeartbeatTicks: p.spec.HeartbeatTicks,
		SnapshotEvery:  uint64(p.spec.SnapshotEvery),
		MaxAppendBytes: uint64(p.spec.AppendBytes), MaxInflightAppends: p.spec.InflightAppends,
		// Small segments, so crashes also hit segment rotation.
		LogOptions: raftlog.Options{SegmentBytes: raftSegmentBytes},
	}
	s, err := kv.Open(cfg, n.Server().GlobalAccount())
	if err != nil && p.diskFaultExplains(n, err) {
		p.openErr[n.Name()] = err
		p.r.w.noteEvent(n.Name(), "raft-open-failed", err.Error())
		return
	}
	if err != nil {
		p.problem("%s: opening the group (incarnation %d): %v", n.Name(), h.Incarnation(), err)
		return
	}
	p.services[n.Name()] = s
}

func (p *raftKV) problem(format string, args ...any) {
	if len(p.problems) < violationsMax {
		p.problems = append(p.problems, fmt.Sprintf("t=%v: ", p.r.w.Elapsed())+fmt.Sprintf(format, args...))
	}
}

func (p *raftKV) badReply(what string) { p.problem("client: %s", what) }

func (p *raftKV) stop() { p.stopped = true }

// liveService returns the node's service if the node is up and its
// group has not failed.
func (p *raftKV) liveService(n *NodeHandle) *kv.Service {
	s := p.services[n.Name()]
	if s == nil || !n.Alive() || s.Group().Err() != nil {
		return nil
	}
	return s
}

// leaderAgreed returns the leader every live member knows, if there is
// one and every node is up.
func (p *raftKV) leaderAgreed() (*kv.Service, bool) {
	var lead raft.ID
	var leader *kv.Service
	for _, n := range p.r.nodes {
		if p.reported(n) {
			continue
		}
		s := p.liveService(n)
		if s == nil {
			return nil, false
		}
		id, _ := s.Group().Leader()
		if id == raft.None || (lead != raft.None && id != lead) {
			return nil, false
		}
		lead = id
		if s.Group().IsLeader() {
			leader = s
		}
	}
	return leader, leader != nil
}

// ready: every node up with an agreed leader, every client connected and
// idle. With the quorum lost to corruption there is nothing to wait for
// (clients may retry forever); what is in flight at the end counts as
// unknown (endInFlight).
func (p *raftKV) ready() bool {
	if p.quorumLost() {
		return true
	}
	if _, ok := p.leaderAgreed(); !ok {
		return false
	}
	for _, kc := range p.clients {
		if !kc.c.Connected() || !kc.idle() {
			return false
		}
	}
	return true
}

func (p *raftKV) final() {
	p.inFinal = true
	for _, kc := range p.clients {
		kc.finalLeft = p.spec.FinalOps
		if kc.finalLeft > 0 && kc.idle() { // a busy one begins when it is done
			kc.begin()
		}
	}
}

// finalDone: every client owes nothing and every replica has applied the
// leader's whole committed log.
func (p *raftKV) finalDone() bool {
	if p.quorumLost() {
		return true
	}
	for _, kc := range p.clients {
		if kc.finalLeft > 0 || !kc.idle() {
			return false
		}
	}
	return p.converged()
}

func (p *raftKV) converged() bool {
	leader, ok := p.leaderAgreed()
	if !ok {
		return false
	}
	li := leader.Group().Info()
	if li.Commit != li.LastIndex {
		return false
	}
	for name, s := range p.services {
		if p.corrupt[name] {
			continue
		}
		if s.Group().Info().Applied != li.Commit {
			return false
		}
	}
	return true
}

// check reports invariant violations, group failures, divergent
// replicas, a missed liveness round and non-linearizable histories. On
// any failure the history's HTML visualization is written and named.
func (p *raftKV) check(stats map[string]int) error {
	var errs []error
	for _, kc := range p.clients {
		kc.endInFlight()
	}
	if p.inFinal && p.finalDone() {
		errs = append(errs, p.checkReplicas()...)
	} else {
		errs = append(errs, violation("liveness", errors.New("raft_kv: liveness round not completed: "+p.whyNotDone())))
	}
	for _, v := range p.inv.violations {
		errs = append(errs, violation(v.check, errors.New("raft invariant: "+v.msg)))
	}
	for _, v := range p.timing.violations {
		errs = append(errs, violation(v.check, errors.New("raft timing: "+v.msg)))
	}
	for _, name := range []string{checkRaftElection, checkRaftHeartbeat} {
		if p.r.checks.on(name) && p.timing.observed[name] == 0 {
			errs = append(errs, violationf(name, "raft timing: nothing observed"))
		}
	}
	for _, pr := range p.problems {
		errs = append(errs, errors.New("raft_kv: "+pr))
	}
	errs = append(errs, p.checkHalts()...)
	p.addStats(stats)
	if !p.r.checks.on("linearizable") {
		return errors.Join(errs...)
	}
	res, path, err := p.hist.checkLinearizable(p.r.sc.Name, p.r.w.Seed(), annotations(p.notes, p.inv.notes), len(errs) > 0)
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("raft_kv: writing the visualization: %w", err))
	case res == porcupine.Illegal:
		errs = append(errs, violationf("linearizable", "raft_kv: history of %d operations is not linearizable", len(p.hist.ops)))
	case res == porcupine.Unknown:
		errs = append(errs, violationf("linearizable", "raft_kv: linearizability check undecided after %v", linearizabilityBudget))
	}
	if len(errs) > 0 && path != "" {
		errs = append(errs, fmt.Errorf("raft_kv: history visualization: %s", path))
	}
	return errors.Join(errs...)
}

// checkReplicas compares the replicas once converged: same state, and
// every committed entry still held (violations of the latter are added
// to the invariants').
func (p *raftKV) checkReplicas() []error {
	if p.quorumLost() {
		return nil // the members left cannot commit, so they need not agree
	}
	var errs []error
	var want uint64
	first := ""
	for _, name := range p.names {
		if p.corrupt[name] {
			continue
		}
		s := p.services[name]
		p.inv.final(name, s.Group())
		if first == "" {
			first, want = name, s.Digest()
		} else if d := s.Digest(); d != want {
			errs = append(errs, violationf("replicas-converge", "raft_kv: replicas diverge: %s digest %016x, %s %016x", name, d, first, want))
		}
	}
	return errs
}

// whyNotDone explains an unfinished liveness round.
func (p *raftKV) whyNotDone() string {
	if !p.inFinal {
		if _, ok := p.leaderAgreed(); !ok {
			return "no leader agreed on by every node"
		}
		return "clients did not go idle"
	}
	var owed []string
	for _, kc := range p.clients {
		if kc.finalLeft > 0 {
			owed = append(owed, fmt.Sprintf("%s owes %d", kc.c.host.name, kc.finalLeft))
		}
	}
	if len(owed) > 0 {
		return strings.Join(owed, ", ")
	}
	return "replicas did not apply the same log: " + p.memberStates()
}

// memberStates lists each member's role, term, commit, applied and last
// index, for failure messages.
func (p *raftKV) memberStates() string {
	var parts []string
	for _, name := range p.names {
		s := p.services[name]
		if s == nil {
			parts = append(parts, name+" down")
			continue
		}
		i := s.Group().Info()
		parts = append(parts, fmt.Sprintf("%s %v term %d commit %d applied %d last %d", name, i.Role, i.Term, i.Commit, i.Applied, i.LastIndex))
	}
	return strings.Join(parts, "; ")
}

func (p *raftKV) addStats(stats map[string]int) {
	var ok, unknown, abandoned, notLeader, attempts int
	for _, kc := range p.clients {
		ok += kc.stats.ok
		unknown += kc.stats.unknown
		abandoned += kc.stats.abandoned
		notLeader += kc.stats.notLeader
		attempts += kc.stats.attempts
	}
	stats["kv-ops-ok"] = ok
	stats["kv-ops-unknown"] = unknown
	stats["kv-gets-abandoned"] = abandoned
	stats["kv-not-leader"] = notLeader
	stats["kv-attempts"] = attempts
	stats["raft-leaders"] = p.inv.chk.Leaders()
	stats["raft-committed"] = int(p.inv.chk.Committed())
	stats[checkRaftElection] = p.timing.observed[checkRaftElection]
	stats[checkRaftHeartbeat] = p.timing.observed[checkRaftHeartbeat]
	p.addDiskStats(stats)
}
