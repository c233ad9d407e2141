package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"jsnode/node/conf"
	"jsnode/node/server"
)

func parseWorkload(top *fields, sc *Scenario) error {
	if err := top.require("workload"); err != nil {
		return err
	}
	v, _ := top.get("workload")
	f, err := blockFields("workload", v, "pubsub", "request_reply", "cluster", "raft_kv", "accounts", "js_publish")
	if err != nil {
		return err
	}
	if pv, ok := f.get("pubsub"); ok {
		if sc.Workload.PubSub, err = parsePubSub(pv); err != nil {
			return err
		}
	}
	if rv, ok := f.get("request_reply"); ok {
		if sc.Workload.ReqRep, err = parseReqRep(rv); err != nil {
			return err
		}
	}
	if cv, ok := f.get("cluster"); ok {
		if sc.Workload.Cluster, err = parseClusterWorkload(cv); err != nil {
			return err
		}
	}
	if rv, ok := f.get("raft_kv"); ok {
		if sc.Workload.RaftKV, err = parseRaftKV(rv); err != nil {
			return err
		}
	}
	if av, ok := f.get("accounts"); ok {
		if sc.Workload.Accounts, err = parseAccountsWorkload(av, sc); err != nil {
			return err
		}
	}
	if jv, ok := f.get("js_publish"); ok {
		if sc.Workload.JS, err = parseJSPublish(jv); err != nil {
			return err
		}
	}
	if sc.Workload.PubSub == nil && sc.Workload.ReqRep == nil && sc.Workload.Cluster == nil && sc.Workload.RaftKV == nil && sc.Workload.Accounts == nil && sc.Workload.JS == nil {
		return posError(v.Pos, "workload: needs pubsub, request_reply, cluster, raft_kv, accounts or js_publish")
	}
	return nil
}

func parsePubSub(v *conf.Value) (*PubSubSpec, error) {
	f, err := blockFields("workload.pubsub", v,
		"publishers", "subscribers", "queue_subscribers", "interval", "payload_size", "final_round")
	if err != nil {
		return nil, err
	}
	if err := f.require("publishers", "interval"); err != nil {
		return nil, err
	}
	ps := &PubSubSpec{FinalRound: defaultFinalRound}
	steps := []error{
		f.integer("publishers", &ps.Publishers, 1, maxRoleCount),
		f.integer("subscribers", &ps.Subscribers, 0, maxRoleCount),
		f.integer("queue_subscribers", &ps.QueueSubscribers, 0, maxRoleCount),
		f.duration("interval", &ps.Interval, minWorkloadInterval, maxScenarioDuration),
		f.integer("payload_size", &ps.PayloadSize, 0, maxPayloadSize),
		f.integer("final_round", &ps.FinalRound, 0, maxFinalRound),
	}
	if err := firstError(steps); err != nil {
		return nil, err
	}
	if ps.Subscribers+ps.QueueSubscribers == 0 {
		return nil, posError(v.Pos, "workload.pubsub: needs subscribers or queue_subscribers")
	}
	return ps, nil
}

func parseReqRep(v *conf.Value) (*ReqRepSpec, error) {
	f, err := blockFields("workload.request_reply", v,
		"responders", "requesters", "interval", "timeout", "final_round")
	if err != nil {
		return nil, err
	}
	if err := f.require("responders", "requesters", "interval", "timeout"); err != nil {
		return nil, err
	}
	rr := &ReqRepSpec{FinalRound: defaultFinalRound}
	steps := []error{
		f.integer("responders", &rr.Responders, 1, maxRoleCount),
		f.integer("requesters", &rr.Requesters, 1, maxRoleCount),
		f.duration("interval", &rr.Interval, minWorkloadInterval, maxScenarioDuration),
		f.duration("timeout", &rr.Timeout, minWorkloadInterval, maxScenarioDuration),
		f.integer("final_round", &rr.FinalRound, 0, maxFinalRound),
	}
	return rr, firstError(steps)
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// faultKeys are the blocks of faults { }.
var faultKeys = []string{"conn_reset", "crash", "clock_skew", "clock_drift", "clock_jump", "lame_duck", "partition",
	"partition_random", "crash_random", "route_reset", "reload", "disk_error", "disk_full", "bitflip", "power_loss",
	"pause", "pause_random", "client_partition", "slow_link"}

func parseFaults(top *fields, sc *Scenario) error {
	v, ok := top.get("faults")
	if !ok {
		return nil
	}
	f, err := blockFields("faults", v, faultKeys...)
	if err != nil {
		return err
	}
	parsers := []func(*fields, *Scenario) error{
		parseConnReset, parseClockSkew, parseClockDrift, parseCrashes, parseClockJumps, parseLameDucks,
		parsePartitions, parseRandomPartitions, parseRandomCrashes, parseRouteReset, parseReloads, parseDiskFaults,
		parsePauses, parseRandomPauses, parseClientPartition, parseSlowLink,
	}
	for _, p := range parsers {
		if err := p(f, sc); err != nil {
			return err
		}
	}
	return checkOutages(f, sc)
}

// single reads faults.key as a block with one required field.
func single(f *fields, key, field string) (*fields, error) {
	v, ok := f.get(key)
	if !ok {
		return nil, nil
	}
	b, err := blockFields("faults."+key, v, field)
	if err != nil {
		return nil, err
	}
	return b, b.require(field)
}

func parseConnReset(f *fields, sc *Scenario) error {
	b, err := single(f, "conn_reset", "every")
	if b == nil || err != nil {
		return err
	}
	return b.duration("every", &sc.Faults.ResetEvery, time.Millisecond, maxScenarioDuration)
}

func parseClockSkew(f *fields, sc *Scenario) error {
	b, err := single(f, "clock_skew", "max")
	if b == nil || err != nil {
		return err
	}
	return b.duration("max", &sc.Net.MaxSkew, time.Nanosecond, maxScenarioSkew)
}

func parseClockDrift(f *fields, sc *Scenario) error {
	b, err := single(f, "clock_drift", "max_ppm")
	if b == nil || err != nil {
		return err
	}
	ppm := 0
	if err := b.integer("max_ppm", &ppm, 1, MaxClockDriftPPM); err != nil {
		return err
	}
	sc.Faults.MaxDriftPPM = int64(ppm)
	return nil
}

// timedEntries reads faults.key's entries, each naming an existing node
// and a time within the fault phase, plus the extra duration field within
// [lo, hi].
func timedEntries(f *fields, sc *Scenario, key, extra string, lo, hi time.Duration) ([]*fields, []timedFault, error) {
	list, err := f.entries(key, "node", "at", extra)
	if err != nil || len(list) == 0 {
		return nil, nil, err
	}
	if len(list) > maxFaultEntries {
		return nil, nil, f.errorf(key, "%d entries; at most %d", len(list), maxFaultEntries)
	}
	out := make([]timedFault, len(list))
	for i, e := range list {
		if err := e.require("node", "at", extra); err != nil {
			return nil, nil, err
		}
		t := &out[i]
		steps := []error{
			e.str("node", &t.node),
			e.duration("at", &t.at, 0, sc.Duration),
			e.duration(extra, &t.extra, lo, hi),
		}
		if err := firstError(steps); err != nil {
			return nil, nil, err
		}
		if sc.node(t.node) == nil {
			return nil, nil, e.errorf("node", "no node %q in nodes", t.node)
		}
		if t.at >= sc.Duration {
			return nil, nil, e.errorf("at", "%v is not within the %v fault phase", t.at, sc.Duration)
		}
	}
	return list, out, nil
}

// timedFault is the common shape of crash, clock_jump and lame_duck.
type timedFault struct {
	node      string
	at, extra time.Duration
}

func parseCrashes(f *fields, sc *Scenario) error {
	_, list, err := timedEntries(f, sc, "crash", "restart_after", 0, maxScenarioDuration)
	for _, t := range list {
		sc.Faults.Crashes = append(sc.Faults.Crashes, CrashSpec{Node: t.node, At: t.at, Down: t.extra})
	}
	return err
}

func parseClockJumps(f *fields, sc *Scenario) error {
	entries, list, err := timedEntries(f, sc, "clock_jump", "by", -MaxClockJump, MaxClockJump)
	for i, t := range list {
		if t.extra == 0 {
			return entries[i].errorf("by", "a jump of 0 moves nothing")
		}
	}
	for _, t := range list {
		sc.Faults.ClockJumps = append(sc.Faults.ClockJumps, ClockJumpSpec{Node: t.node, At: t.at, By: t.extra})
	}
	return err
}

func parseLameDucks(f *fields, sc *Scenario) error {
	entries, list, err := timedEntries(f, sc, "lame_duck", "restart_after", 0, maxScenarioDuration)
	if err != nil {
		return err
	}
	for i, t := range list {
		for _, prev := range sc.Faults.LameDucks {
			if prev.Node == t.node {
				return entries[i].errorf("node", "node %q already has a lame_duck (one per node)", t.node)
			}
		}
		end := t.at + lameDuckDuration(sc.node(t.node).Options) + t.extra
		if end >= sc.Duration {
			return entries[i].errorf("at", "lame duck at %v + the node's lame_duck_duration %v + restart_after %v ends after the %v fault phase (set lame_duck_duration in the node's config)",
				t.at, lameDuckDuration(sc.node(t.node).Options), t.extra, sc.Duration)
		}
		sc.Faults.LameDucks = append(sc.Faults.LameDucks, LameDuckSpec{Node: t.node, At: t.at, Down: t.extra})
	}
	return nil
}

// lameDuckDuration is the node's lame-duck drain time, defaults applied.
func lameDuckDuration(o server.Options) time.Duration {
	if o.LameDuckDuration > 0 {
		return o.LameDuckDuration
	}
	return server.DefaultLameDuckDur
}

// checkOutages refuses crash and lame-duck windows that overlap on one
// node: the second fault would find the node already down.
func checkOutages(f *fields, sc *Scenario) error {
	type window struct {
		from, to time.Duration
		what     string
	}
	byNode := map[string][]window{}
	for _, c := range sc.Faults.Crashes {
		byNode[c.Node] = append(byNode[c.Node], window{c.At, c.At + c.Down, fmt.Sprintf("crash at %v", c.At)})
	}
	for _, l := range sc.Faults.LameDucks {
		to := l.At + lameDuckDuration(sc.node(l.Node).Options) + l.Down
		byNode[l.Node] = append(byNode[l.Node], window{l.At, to, fmt.Sprintf("lame_duck at %v", l.At)})
	}
	for _, ns := range sc.Topology.Nodes {
		ws := byNode[ns.Name]
		for i := range ws {
			for j := i + 1; j < len(ws); j++ {
				if ws[i].from <= ws[j].to && ws[j].from <= ws[i].to {
					return posError(f.m.Pos, "faults: node %s: %s overlaps %s", ns.Name, ws[i].what, ws[j].what)
				}
			}
		}
	}
	return nil
}

// scenarioCheck is an invariant a scenario can list, with the part of
// the scenario that performs it.
type scenarioCheck struct {
	name    string
	needs   string
	applies func(*Scenario) bool
}

func hasPubSub(sc *Scenario) bool { return sc.Workload.PubSub != nil }
func hasReqRep(sc *Scenario) bool { return sc.Workload.ReqRep != nil }

// hasRequests: request/reply traffic on one node or across accounts.
func hasRequests(sc *Scenario) bool {
	return hasReqRep(sc) || hasAccounts(sc) && len(sc.Workload.Accounts.Requesters) > 0
}

// scenarioChecks lists every check, in the order used when a file lists
// none.
var scenarioChecks = []scenarioCheck{
	{"exactly-once-per-sub", "pubsub with subscribers", func(sc *Scenario) bool { return hasPubSub(sc) && sc.Workload.PubSub.Subscribers > 0 }},
	{"exactly-once-per-queue-group", "pubsub with queue_subscribers", func(sc *Scenario) bool { return hasPubSub(sc) && sc.Workload.PubSub.QueueSubscribers > 0 }},
	{"per-publisher-order", "pubsub", hasPubSub},
	{"request-completes-once", "request_reply, or accounts with requesters", hasRequests},
	{"reply-matches-request", "request_reply, or accounts with requesters", hasRequests},
	{"no-duplicate-reply", "request_reply, or accounts with requesters", hasRequests},
	{"all-clients-reconnected", "a crash or lame_duck fault (without a cluster)", func(sc *Scenario) bool {
		return len(sc.Faults.Crashes)+len(sc.Faults.LameDucks) > 0 && !hasCluster(sc)
	}},
	{"lame-duck-info-before-close", "a lame_duck fault", func(sc *Scenario) bool { return len(sc.Faults.LameDucks) > 0 }},
	{"timing-lame-duck", "a lame_duck fault", func(sc *Scenario) bool { return len(sc.Faults.LameDucks) > 0 }},
	{"cluster-once-per-sub", "a cluster workload, or an accounts workload with subscribers", func(sc *Scenario) bool {
		return hasCluster(sc) || hasAccounts(sc) && len(sc.Workload.Accounts.Subscribers) > 0
	}},
	{"cluster-once-per-queue-group", "a cluster workload with queue_subscribers_per_node, or an accounts workload with a queue", func(sc *Scenario) bool {
		return hasCluster(sc) && sc.Workload.Cluster.QueueSubscribersPerNode > 0 || hasAccounts(sc) && sc.Workload.Accounts.hasSubscriberQueue()
	}},
	{"no-loops", "a cluster or accounts workload", func(sc *Scenario) bool { return hasCluster(sc) || hasAccounts(sc) }},
	{"account-graph", "an accounts workload", hasAccounts},
	{"service-import-replies", "an accounts workload with requesters", func(sc *Scenario) bool {
		return hasAccounts(sc) && len(sc.Workload.Accounts.Requesters) > 0
	}},
	{"raft-election-safety", "a raft_kv workload", hasRaftKV},
	{"raft-log-matching", "a raft_kv workload", hasRaftKV},
	{"raft-leader-completeness", "a raft_kv workload", hasRaftKV},
	{"raft-state-machine-safety", "a raft_kv workload", hasRaftKV},
	{"raft-committed-never-lost", "a raft_kv workload", hasRaftKV},
	{"raft-commit-current-term", "a raft_kv workload", hasRaftKV},
	{"linearizable", "a raft_kv workload", hasRaftKV},
	{"replicas-converge", "a raft_kv workload", hasRaftKV},
	{checkJSAckedDurable, "a js_publish workload", hasJS},
	{checkJSCorruption, "a js_publish workload with bitflip at rest", func(sc *Scenario) bool { return hasJS(sc) && sc.Faults.Disk.flipsAtRest() }},
	{checkJSDedupe, "a js_publish workload", hasJS},
	{checkJSSeqDense, "a js_publish workload", hasJS},
	{checkJSLinearizable, "a js_publish workload", hasJS},
	{"halt-or-report", "a bitflip fault on raft_kv", func(sc *Scenario) bool { return hasRaftKV(sc) && sc.Faults.Disk != nil && sc.Faults.Disk.FlipEvery > 0 }},
	{checkAuthTimeout, "a node that requires authentication and is never reloaded", probesApply(probeAuth)},
	{checkPingInterval, "a node never reloaded whose login a probe can use", probesApply(probePing)},
	{checkStaleConnection, "such a node with ping_interval*(ping_max+1)+2s within half the fault phase", probesApply(probeStale)},
	{checkRaftElection, "a raft_kv workload", hasRaftKV},
	{checkRaftHeartbeat, "a raft_kv workload", hasRaftKV},
	{"liveness", "nothing", func(*Scenario) bool { return true }},
}

func checkNames() string {
	names := make([]string, len(scenarioChecks))
	for i, c := range scenarioChecks {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

func parseChecks(top *fields, sc *Scenario) error {
	v, ok := top.get("checks")
	if !ok {
		for _, c := range scenarioChecks {
			if c.applies(sc) {
				sc.Checks = append(sc.Checks, c.name)
			}
		}
		return nil
	}
	list, err := v.AsArray()
	if err != nil {
		return inBlock("checks", err)
	}
	for _, item := range list {
		name, err := item.AsString()
		if err != nil {
			return inBlock("checks", err)
		}
		i := slices.IndexFunc(scenarioChecks, func(c scenarioCheck) bool { return c.name == name })
		switch {
		case i < 0:
			return posError(item.Pos, "checks: unknown check %q (known: %s)", name, checkNames())
		case !scenarioChecks[i].applies(sc):
			return posError(item.Pos, "checks: %q needs %s, which this scenario lacks", name, scenarioChecks[i].needs)
		case slices.Contains(sc.Checks, name):
			return posError(item.Pos, "checks: %q listed twice", name)
		}
		sc.Checks = append(sc.Checks, name)
	}
	return nil
}
