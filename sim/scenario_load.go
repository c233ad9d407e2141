package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"jsnode/node/conf"
	"jsnode/node/config"
	"jsnode/node/server"
)

// Scenario files are written in the node config syntax (node/conf), so one
// parser serves both and a scenario's node blocks are real node configs:
//
//	name: pubsub-latency-resets     # optional; must match the file name
//	duration: "30s"                 # the fault phase (required)
//	liveness: "30s"                 # bound on recovery (default 30s)
//	network { latency: "1ms", jitter: "5ms", split_prob: 0.25 }
//	nodes [
//	  { name: n1, config { port: 4222, lame_duck_duration: "3s", lame_duck_grace_period: "1s" } }
//	]
//	clients { count: 10, reconnect_wait: "100ms", ping_interval: "2m",
//	          user: app, password: s3cret }      # token: ... instead
//	workload {
//	  pubsub { publishers: 3, subscribers: 4, queue_subscribers: 3,
//	           interval: "20ms", payload_size: 64, final_round: 20 }
//	  request_reply { responders: 3, requesters: 5, interval: "10ms",
//	                  timeout: "200ms", final_round: 20 }
//	  # with several nodes: cluster { ... } (scenario_cluster.go),
//	  # raft_kv { ... } (scenario_raftkv.go)
//	  # between accounts, on one node or several: accounts { ... }
//	  # (scenario_accounts.go)
//	  # into a JetStream stream on one node: js_publish { ... }
//	  # (scenario_jspub.go)
//	}
//	faults {
//	  conn_reset { every: "500ms" }
//	  crash { node: n1, at: "20s", restart_after: "3s" }
//	  lame_duck { node: n1, at: "5s", restart_after: "2s" }
//	  clock_skew { max: "50ms" }
//	  clock_drift { max_ppm: 100 }
//	  clock_jump [ { node: n1, at: "4s", by: "2s" } ]
//	  # between nodes: partition { ... } (scenario_cluster.go),
//	  # partition_random, crash_random, route_reset (faults_random.go)
//	  # reload [ { node: n1, at: "5s", config { ... } } ] (scenario_reload.go)
//	}
//	checks [ exactly-once-per-sub, per-publisher-order, liveness ]
//
// Keys ignore case, as in node configs; unknown keys are errors. crash,
// clock_jump and lame_duck take one block or an array of blocks (a key
// written twice keeps only its last value). Crash and lame-duck outages of
// one node may not overlap, and a lame duck (the node's lame_duck_duration
// plus restart_after) must end within duration. A node's config block goes
// through config.Apply and is then validated as server.New would, so it
// fails exactly as the same text in a jsnode config file would. Every
// error is a *conf.Error starting with "file:line:col:".
//
// Defaults: liveness 30s; network and clock_skew as DefaultOptions
// (latency 200µs, jitter 2ms, split 0.25, skew 50ms); clients.count the
// sum of the workload's roles; final_round 10; payload_size 0; checks
// every check the workload and faults provide (scenarioChecks).

// ScenarioExt is the extension of scenario files.
const ScenarioExt = ".conf"

// Scenario file limits and defaults.
const (
	defaultLiveness     = 30 * time.Second
	defaultFinalRound   = 10
	minScenarioPhase    = time.Millisecond
	maxScenarioDuration = time.Hour
	minWorkloadInterval = time.Millisecond
	maxScenarioClients  = 1000
	maxRoleCount        = 1000
	maxFinalRound       = 10_000
	maxPayloadSize      = 1 << 20
	maxScenarioSkew     = time.Hour
	maxFaultEntries     = 100
	// maxScenarioNodes bounds a scenario's nodes. Several nodes must form
	// one cluster (checkClusterTopology): unconnected nodes would break
	// the workloads' delivery guarantees.
	maxScenarioNodes = 7
)

// scenarioKeys are the top-level keys of a scenario file.
var scenarioKeys = []string{"name", "duration", "liveness", "network", "nodes", "clients", "workload", "faults", "checks"}

// ParseScenario reads a scenario file's text. file names it in positions
// and gives the default scenario name (its base name without ScenarioExt);
// src resolves include directives relative to file (nil: none allowed).
func ParseScenario(file string, data []byte, src conf.Source) (*Scenario, error) {
	m, err := conf.Parse(file, data, conf.Options{Source: src})
	if err != nil {
		return nil, err
	}
	top, err := mapFields("scenario", m, scenarioKeys...)
	if err != nil {
		return nil, err
	}
	sc := &Scenario{Name: strings.TrimSuffix(filepath.Base(file), ScenarioExt), Liveness: defaultLiveness}
	steps := []func(*fields, *Scenario) error{
		parseHeader, parseNetwork, parseNodes, parseWorkload, checkClusterTopology, checkJSTopology, parseClients, parseFaults, parseChecks,
	}
	for _, step := range steps {
		if err := step(top, sc); err != nil {
			return nil, err
		}
	}
	return sc, nil
}

// LoadScenarioFile reads and parses the scenario file at path; includes
// are read from the file system relative to it.
func LoadScenarioFile(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseScenario(path, data, conf.SourceFunc(os.ReadFile))
}

// ScenarioFiles lists the scenario files in dir, sorted by name.
func ScenarioFiles(dir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*"+ScenarioExt))
	if err != nil {
		return nil, err
	}
	slices.Sort(paths)
	return paths, nil
}

// LoadScenarios loads every scenario file in dir, sorted by file name.
func LoadScenarios(dir string) ([]*Scenario, error) {
	paths, err := ScenarioFiles(dir)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("sim: no %s files in %s", ScenarioExt, dir)
	}
	out := make([]*Scenario, 0, len(paths))
	for _, p := range paths {
		sc, err := LoadScenarioFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// ScenarioDir is the repository's scenarios/ directory: found next to
// this package's source when that is still where it was built from, else
// ./scenarios under the working directory.
func ScenarioDir() string {
	if _, file, _, ok := runtime.Caller(0); ok {
		dir := filepath.Join(filepath.Dir(file), "..", "scenarios")
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir
		}
	}
	return "scenarios"
}

func parseHeader(top *fields, sc *Scenario) error {
	if v, ok := top.get("name"); ok {
		name, err := v.AsString()
		if err != nil {
			return inBlock("scenario.name", err)
		}
		if name != sc.Name {
			return posError(v.Pos, "scenario.name: %q differs from the file name %q (the test runs it as TestScenarios/%s)", name, sc.Name, sc.Name)
		}
	}
	if !validName(sc.Name) {
		return posError(top.m.Pos, "scenario name %q: use letters, digits, '-', '_' and '.'", sc.Name)
	}
	if err := top.require("duration"); err != nil {
		return err
	}
	if err := top.duration("duration", &sc.Duration, minScenarioPhase, maxScenarioDuration); err != nil {
		return err
	}
	return top.duration("liveness", &sc.Liveness, minScenarioPhase, maxScenarioDuration)
}

// validName accepts names usable as host names and test names.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}

func parseNetwork(top *fields, sc *Scenario) error {
	v, ok := top.get("network")
	if !ok {
		return nil
	}
	f, err := blockFields("network", v, "latency", "jitter", "split_prob")
	if err != nil {
		return err
	}
	n := &sc.Net
	if err := f.duration("latency", &n.LatencyMin, time.Nanosecond, maxScenarioLatency); err != nil {
		return err
	}
	if err := f.duration("jitter", &n.Jitter, time.Nanosecond, maxScenarioLatency); err != nil {
		return err
	}
	if err := f.fraction("split_prob", &n.SplitProb, 0, 1); err != nil {
		return err
	}
	o := sc.worldOptions(nil)
	if o.LatencyMin+o.Jitter > maxScenarioLatency {
		return posError(v.Pos, "network: latency %v + jitter %v exceeds %v, beyond which the checks' timing windows are unsound",
			o.LatencyMin, o.Jitter, maxScenarioLatency)
	}
	return nil
}

func parseNodes(top *fields, sc *Scenario) error {
	if err := top.require("nodes"); err != nil {
		return err
	}
	v, _ := top.get("nodes")
	list, err := v.AsArray()
	if err != nil {
		return inBlock("nodes", err)
	}
	if len(list) == 0 || len(list) > maxScenarioNodes {
		return posError(v.Pos, "nodes: %d nodes; a scenario has 1 to %d", len(list), maxScenarioNodes)
	}
	for i, item := range list {
		ns, err := parseNode(fmt.Sprintf("nodes[%d]", i), item)
		if err != nil {
			return err
		}
		if sc.node(ns.Name) != nil {
			return posError(item.Pos, "nodes[%d]: node name %q used twice", i, ns.Name)
		}
		sc.Topology.Nodes = append(sc.Topology.Nodes, ns)
	}
	return nil
}

// processKeys are config keys that set up the process rather than the
// node, and mean nothing in the simulator.
var processKeys = []string{"logtime", "log_file", "logfile", "pid_file", "pidfile"}

func parseNode(where string, v *conf.Value) (NodeSpec, error) {
	var ns NodeSpec
	f, err := blockFields(where, v, "name", "config")
	if err != nil {
		return ns, err
	}
	if err := f.require("name"); err != nil {
		return ns, err
	}
	if err := f.str("name", &ns.Name); err != nil {
		return ns, err
	}
	if !validName(ns.Name) || ns.Name == "world" || isClientHostName(ns.Name) || strings.HasPrefix(ns.Name, watchHostPrefix) || strings.HasPrefix(ns.Name, probeHostPrefix) {
		return ns, f.errorf("name", "%q is not a usable node name (letters, digits, '-', '_', '.'; not \"world\", c<number>, %s... or %s...)", ns.Name, watchHostPrefix, probeHostPrefix)
	}
	cv, ok := f.get("config")
	if !ok {
		return ns, nil
	}
	ns.Options, err = parseNodeConfig(where+"("+ns.Name+").config", ns.Name, cv)
	return ns, err
}

// parseNodeConfig reads a node's config block (a node's own, or the one a
// reload fault installs) as a config file is read.
func parseNodeConfig(where, name string, cv *conf.Value) (server.Options, error) {
	var o server.Options
	cm, err := cv.AsMap()
	if err != nil {
		return o, inBlock(where, err)
	}
	var proc config.Process
	if err := config.Apply(cm, &o, &proc); err != nil {
		return o, inBlock(where, err)
	}
	for _, k := range cm.Keys {
		if slices.Contains(processKeys, strings.ToLower(k)) {
			return o, posError(cm.KeyPos(k), "%s: %q sets up a process, which a simulated node does not have", where, k)
		}
	}
	if err := validateNodeOptions(name, o); err != nil {
		return o, posError(cv.Pos, "%s: %v", where, err)
	}
	return o, nil
}

// isClientHostName reports names of the form c<number>, which the
// scenario gives its client hosts.
func isClientHostName(s string) bool {
	if len(s) < 2 || s[0] != 'c' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// validateNodeOptions builds (but does not start) a server from o in a
// throwaway world, so option combinations server.New refuses fail at load
// time with the config block's position.
func validateNodeOptions(name string, o server.Options) error {
	h := NewWorld(1, Options{}).Host(name)
	_, err := server.New(&o, server.Env{Clock: h.Clock(), Net: h.Net(), Rand: h.Rand()})
	return err
}

// node finds a node spec by name.
func (sc *Scenario) node(name string) *NodeSpec {
	for i := range sc.Topology.Nodes {
		if sc.Topology.Nodes[i].Name == name {
			return &sc.Topology.Nodes[i]
		}
	}
	return nil
}

func parseClients(top *fields, sc *Scenario) error {
	wl := &sc.Workload
	count := 0
	if ps := wl.PubSub; ps != nil {
		count += ps.Publishers + ps.Subscribers + ps.QueueSubscribers
	}
	if rr := wl.ReqRep; rr != nil {
		count += rr.Responders + rr.Requesters
	}
	sc.Topology.Clients = count
	v, ok := top.get("clients")
	if !ok {
		return nil
	}
	f, err := blockFields("clients", v, "count", "reconnect_wait", "ping_interval", "user", "password", "token")
	if err != nil {
		return err
	}
	steps := []error{
		f.integer("count", &sc.Topology.Clients, 1, maxScenarioClients),
		f.duration("reconnect_wait", &wl.ReconnectWait, time.Millisecond, maxScenarioDuration),
		f.duration("ping_interval", &wl.PingInterval, time.Millisecond, maxScenarioDuration),
		f.str("user", &wl.User),
		f.str("password", &wl.Pass),
		f.str("token", &wl.Token),
	}
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	if wl.Token != "" && (wl.User != "" || wl.Pass != "") {
		return f.errorf("token", "give either token or user/password")
	}
	return nil
}
