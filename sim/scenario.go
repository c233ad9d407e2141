package sim

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"jsnode/node/mutant"
	"jsnode/node/server"
)

// Scenario is one simulated run, described as data and loaded from a
// scenario file (see ParseScenario): where the nodes and clients are, what
// traffic they generate, which faults hit them for how long, and which
// invariants are checked.
type Scenario struct {
	Name     string
	Net      NetSpec
	Topology Topology
	Workload Workload
	Faults   Faults
	// Duration is the fault phase: traffic runs and faults are injected.
	Duration time.Duration
	// Liveness bounds the recovery phase: faults heal, and every client
	// must be back and every final operation complete within it.
	Liveness time.Duration
	// Checks names the invariants the run checks (sim/checks.go); empty
	// means every check.
	Checks []string
}

// NetSpec overrides the world's network parameters (zero = default).
type NetSpec struct {
	LatencyMin, Jitter, MaxSkew time.Duration
	SplitProb                   float64
}

// Topology lists the nodes and how many client hosts there are.
type Topology struct {
	Nodes   []NodeSpec
	Clients int
}

// NodeSpec is one node: its host name and server options.
type NodeSpec struct {
	Name    string
	Options server.Options
}

// Workload is the traffic: any of its parts may be set.
type Workload struct {
	PubSub *PubSubSpec
	ReqRep *ReqRepSpec
	// Cluster is traffic across the nodes of a cluster; it brings its
	// own clients, placed on every node (workload_cluster.go).
	Cluster *ClusterSpec
	// RaftKV is a replicated key-value map on a RAFT group over the
	// nodes, checked for linearizability; it brings its own clients
	// (workload_raftkv.go).
	RaftKV *RaftKVSpec
	// Accounts is traffic between accounts across the nodes, each
	// client logged in as its own user; it brings its own clients
	// (workload_accounts.go).
	Accounts *AccountsSpec
	// JS publishes into a JetStream file stream on one node and reads
	// it back; it brings its own clients (workload_js.go).
	JS *JSPublishSpec
	// Client settings shared by every sim client.
	ReconnectWait time.Duration
	PingInterval  time.Duration
	// Credentials every client presents (empty: none).
	User, Pass, Token string
}

// Faults are injected during the fault phase only.
type Faults struct {
	// ResetEvery is the mean interval between resets of a random client
	// connection (0: none).
	ResetEvery time.Duration
	// Crashes kill a node at At and restart it Down later.
	Crashes []CrashSpec
	// MaxDriftPPM bounds each host's clock drift, drawn per host in
	// [-MaxDriftPPM, MaxDriftPPM] parts per million when the scenario
	// creates the host; it lasts the whole run (0: no drift). The clock's
	// constant skew is NetSpec.MaxSkew.
	MaxDriftPPM int64
	// ClockJumps step a node's clock forward during the fault phase.
	ClockJumps []ClockJumpSpec
	// LameDucks put a node into lame-duck mode at At and start it again
	// Down after it has shut down.
	LameDucks []LameDuckSpec
	// Partitions cut a node off from the other nodes for a while
	// (scenario_cluster.go).
	Partitions []PartitionSpec
	// RandomPartitions, RandomCrashes and RouteResetEvery are faults
	// between nodes at random times and of random kinds
	// (faults_random.go).
	RandomPartitions *RandomPartitionSpec
	RandomCrashes    *RandomCrashSpec
	RouteResetEvery  time.Duration
	// Reloads give a running node a new configuration (scenario_reload.go).
	Reloads []ReloadSpec
	// SlowLink throttles a node's links at random times (slow_links.go).
	SlowLink *SlowLinkSpec
	// ClientPartition cuts a client off from the nodes at random times
	// (scenario_client_partition.go).
	ClientPartition *ClientPartitionSpec
	// Pauses and RandomPauses stop a node's process for a while
	// (scenario_pause.go).
	Pauses       []PauseSpec
	RandomPauses *RandomPauseSpec
	// Disk holds disk errors, full disks, bit flips and power losses
	// (scenario_disk.go); nil if none.
	Disk *DiskFaultSpec
}

// CrashSpec is one node crash.
type CrashSpec struct {
	Node string
	At   time.Duration
	Down time.Duration
}

// ClockJumpSpec steps Node's clock forward by By at At.
type ClockJumpSpec struct {
	Node string
	At   time.Duration
	By   time.Duration
}

// LameDuckSpec is one lame-duck shutdown and restart of a node.
type LameDuckSpec struct {
	Node string
	At   time.Duration
	Down time.Duration
}

// Result summarises a run.
type Result struct {
	Scenario  string
	Seed      uint64
	TraceHash string
	SimTime   time.Duration
	Wall      time.Duration
	Events    uint64
	// Stats are workload counters (published, delivered, required, ...).
	Stats map[string]int
	// Buggify is how often each BUGGIFY site fired in the run (sites
	// that never fired are absent); see BuggifyTally.
	Buggify map[string]int
}

// Speed is simulated seconds per wall-clock second.
func (r Result) Speed() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return r.SimTime.Seconds() / r.Wall.Seconds()
}

// String is the one-line report: scenario, seed, hash, times and speed.
func (r Result) String() string {
	return fmt.Sprintf("scenario: %s seed: %d trace-hash: %s sim-seconds: %.1f wall-ms: %d speed: %.0fx events: %d",
		r.Scenario, r.Seed, r.TraceHash, r.SimTime.Seconds(), r.Wall.Milliseconds(), r.Speed(), r.Events)
}

// StatsLine lists the workload counters as key=value, sorted by key.
func (r Result) StatsLine() string {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(r.Stats)) {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%d", k, r.Stats[k])
	}
	return b.String()
}

// workloadPart is one kind of traffic with its own invariants.
type workloadPart interface {
	// start creates the part's clients' subscriptions and traffic.
	start(r *run)
	// stop ends traffic generation (end of the fault phase).
	stop()
	// ready reports whether the part's clients are back and subscribed.
	ready() bool
	// final issues the liveness round once ready.
	final()
	// finalDone reports whether the liveness round has completed.
	finalDone() bool
	// check verifies the invariants and adds counters to stats.
	check(stats map[string]int) error
}

// run is one execution of a scenario.
type run struct {
	sc      *Scenario
	w       *World
	nodes   []*NodeHandle
	clients []*Client
	parts   []workloadPart
	faults  bool // the fault phase is on
	// nextClient is where the next part takes its clients from.
	nextClient int
	// clock holds the drift drawn for each host (scenario_clock.go).
	clock clockRun
	// lameDucks tracks each lame-duck fault (scenario_lameduck.go).
	lameDucks []*lameDuckRun
	// reloads tracks the reload faults (scenario_reload.go).
	reloads reloadRun
	// checks are the invariants this run checks (sim/checks.go).
	checks checkSet
	// flipNodes are the nodes bitflip may corrupt (faults_disk.go).
	flipNodes []string
}

// deliverySettle is how long after a publish a connection break can
// still explain a lost message. The node forwards within the event that
// reads the message, so only latency separates publish from delivery;
// a break later than this cannot explain a loss.
const deliverySettle = 250 * time.Millisecond

// breakNoticeMargin is how long before a publish a queue member's break
// may still be unknown to the node (the close reaches it a latency later).
const breakNoticeMargin = 100 * time.Millisecond

// maxScenarioLatency bounds LatencyMin+Jitter so that the windows above
// stay sound.
const maxScenarioLatency = 50 * time.Millisecond

// finalRoundGrace bounds how long the liveness round may take once every
// client is back.
const finalRoundGrace = 10 * time.Second

// RunScenario runs sc with seed; trace (nil for none) receives the event
// trace. It returns the result and the first invariant violation.
func RunScenario(sc *Scenario, seed uint64, trace io.Writer) (Result, error) {
	wallStart := time.Now() // wall time only measures speed for the report
	mutant.Reset()          // a planted mutant's counters start afresh each run
	r := &run{sc: sc, w: NewWorld(seed, sc.worldOptions(trace)), checks: newCheckSet(sc.Checks)}
	err := r.execute()
	res := Result{
		Scenario: sc.Name, Seed: seed, TraceHash: r.w.TraceHash(),
		SimTime: r.w.Elapsed(), Wall: time.Since(wallStart), Events: r.w.Events(),
		Stats: make(map[string]int), Buggify: r.w.BuggifyFired(),
	}
	for _, p := range r.parts {
		if cerr := p.check(res.Stats); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}
	res.TraceHash = r.w.TraceHash()
	return res, r.checks.selectChecks(err)
}

func (sc *Scenario) worldOptions(trace io.Writer) Options {
	o := DefaultOptions()
	if sc.Net.LatencyMin > 0 {
		o.LatencyMin = sc.Net.LatencyMin
	}
	if sc.Net.Jitter > 0 {
		o.Jitter = sc.Net.Jitter
	}
	if sc.Net.MaxSkew > 0 {
		o.MaxSkew = sc.Net.MaxSkew
	}
	if sc.Net.SplitProb > 0 {
		o.SplitProb = sc.Net.SplitProb
	}
	o.Trace = trace
	return o
}

// execute runs the three phases: setup, faults with traffic, liveness.
func (r *run) execute() error {
	if o := r.w.opts; o.LatencyMin+o.Jitter > maxScenarioLatency {
		return fmt.Errorf("scenario %s: latency %v+%v exceeds %v", r.sc.Name, o.LatencyMin, o.Jitter, maxScenarioLatency)
	}
	if err := r.setup(); err != nil {
		return err
	}
	w := r.w
	w.Note("phase", "faults")
	r.faults = true
	r.scheduleFaults()
	w.RunFor(r.sc.Duration)
	r.faults = false
	for _, p := range r.parts {
		p.stop()
	}
	w.Note("phase", "liveness")
	if err := r.heal(); err != nil {
		return err
	}
	if !w.RunUntil(r.allReady, r.sc.Liveness) {
		return violation("liveness", errors.New("liveness: clients not reconnected and resubscribed in time"))
	}
	for _, p := range r.parts {
		p.final()
	}
	if !w.RunUntil(r.allFinalDone, finalRoundGrace) {
		return violation("liveness", errors.New("liveness: final round did not complete"))
	}
	w.RunFor(deliverySettle) // let stray duplicates show up before checking
	return errors.Join(r.checkReconnected(), asViolation("lame-duck-info-before-close", r.checkLameDucks()),
		asViolation("timing-lame-duck", r.checkLameDuckTiming()), r.checkReloads())
}

// checkReconnected: after a node crash or lame-duck shutdown every client
// must have come back on a new session.
func (r *run) checkReconnected() error {
	// In a cluster only the clients of the node that went down reconnect;
	// the cluster and accounts workloads check their clients themselves.
	if len(r.sc.Faults.Crashes) == 0 && len(r.sc.Faults.LameDucks) == 0 || hasCluster(r.sc) || hasAccounts(r.sc) {
		return nil
	}
	for _, c := range r.clients {
		if c.Stats().Reconnects == 0 {
			return violationf("all-clients-reconnected", "client %s never reconnected after the crash", c.host.name)
		}
	}
	return nil
}

func (r *run) setup() error {
	sc := r.sc
	var addrs []string
	for _, ns := range sc.Topology.Nodes {
		opts := ns.Options
		n, err := r.w.StartNode(ns.Name, &opts)
		if err != nil {
			return err
		}
		r.nodes = append(r.nodes, n)
		addrs = append(addrs, n.Addr())
		r.clock.setDrift(r, n.Host())
	}
	copts := sc.Workload.clientOptions()
	for i := 1; i <= sc.Topology.Clients; i++ {
		name := clientHostName(i)
		copts.Name = name
		c := r.w.NewClient(name, addrs, copts)
		r.clients = append(r.clients, c)
		r.clock.setDrift(r, c.Host())
	}
	if !r.w.RunUntil(r.allConnected, 10*time.Second) {
		return errors.New("setup: clients did not connect")
	}
	r.parts = r.sc.Workload.parts()
	if tp := newTimingProbes(r); tp != nil {
		r.parts = append(r.parts, tp)
	}
	for _, p := range r.parts {
		p.start(r)
	}
	if !r.w.RunUntil(r.allReady, 10*time.Second) {
		return errors.New("setup: subscriptions not confirmed")
	}
	return r.startLameDuckWatchers()
}

// clientHostName names the i-th client host (1-based).
func clientHostName(i int) string { return "c" + strconv.Itoa(i) }

// clientOptions are the settings every sim client of the workload uses.
func (wl *Workload) clientOptions() ClientOptions {
	return ClientOptions{
		Headers: true, NoResponders: true, MaxReconnects: -1,
		ReconnectWait: wl.ReconnectWait, PingInterval: wl.PingInterval,
		User: wl.User, Pass: wl.Pass, Token: wl.Token,
	}
}

func (wl *Workload) parts() []workloadPart {
	var parts []workloadPart
	if wl.PubSub != nil {
		parts = append(parts, newPubSub(*wl.PubSub))
	}
	if wl.ReqRep != nil {
		parts = append(parts, newReqRep(*wl.ReqRep))
	}
	if wl.Cluster != nil {
		parts = append(parts, newClusterWorkload(*wl.Cluster))
	}
	if wl.RaftKV != nil {
		parts = append(parts, newRaftKV(*wl.RaftKV))
	}
	if wl.Accounts != nil {
		parts = append(parts, newAccountsWorkload(*wl.Accounts))
	}
	if wl.JS != nil {
		parts = append(parts, newJSWorkload(*wl.JS))
	}
	return parts
}

func (r *run) allConnected() bool {
	for _, c := range r.clients {
		if !c.Connected() {
			return false
		}
	}
	return true
}

func (r *run) allReady() bool {
	if !r.allConnected() || r.w.anySlowed() {
		return false
	}
	for _, p := range r.parts {
		if !p.ready() {
			return false
		}
	}
	return true
}

func (r *run) allFinalDone() bool {
	for _, p := range r.parts {
		if !p.finalDone() {
			return false
		}
	}
	return true
}

// takeClients hands out the next n clients, wrapping around, so parts
// use distinct clients while there are enough.
func (r *run) takeClients(n int) []*Client {
	out := make([]*Client, n)
	for i := range out {
		out[i] = r.clients[r.nextClient%len(r.clients)]
		r.nextClient++
	}
	return out
}
