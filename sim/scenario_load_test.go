package sim

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"jsnode/node/conf"
)

// minimalScenario is a valid file body that tests extend or break.
const minimalScenario = `
duration: "5s"
nodes [ { name: n1 } ]
workload { request_reply { responders: 1, requesters: 1, interval: "10ms", timeout: "100ms" } }
`

const jsScenario = `
duration: "5s"
nodes [ { name: n1, config { jetstream: enabled } } ]
workload { js_publish { publishers: 1, interval: "10ms", timeout: "100ms", stream: S, keys: 2, payload_size: 16 } }
`

// TestScenarioFileErrorsHavePositions: each broken file is refused with
// an error that starts with the file:line:col of the culprit.
func TestScenarioFileErrorsHavePositions(t *testing.T) {
	for _, tc := range []struct {
		text, want string
	}{
		{"durration: \"5s\"\n" + minimalScenario, `bad.conf:1:1: scenario: unknown field "durration"`},
		{strings.Replace(minimalScenario, `duration: "5s"`, `liveness: "5s"`, 1), `bad.conf:1:1: scenario: missing "duration"`},
		{minimalScenario + "network { latency: \"1ms\", jiter: \"2ms\" }\n", `bad.conf:5:27: network: unknown field "jiter"`},
		{minimalScenario + "network { latency: \"40ms\", jitter: \"20ms\" }\n", `bad.conf:5:9: network: latency 40ms + jitter 20ms exceeds 50ms`},
		{minimalScenario + "name: other\n", `bad.conf:5:7: scenario.name: "other" differs from the file name "bad"`},
		{strings.Replace(minimalScenario, `{ name: n1 }`, `{ name: n1, config { prot: 4222 } }`, 1), `bad.conf:3:30: nodes[0](n1).config: unknown field "prot"`},
		{strings.Replace(minimalScenario, `{ name: n1 }`, `{ name: n1, config { port: "x" } }`, 1), `bad.conf:3:36: nodes[0](n1).config: expected an integer`},
		{strings.Replace(minimalScenario, `{ name: n1 }`, `{ name: n1, config { log_file: x.log } }`, 1), `bad.conf:3:30: nodes[0](n1).config: "log_file" sets up a process`},
		{strings.Replace(minimalScenario, `{ name: n1 }`, `{ name: n1, config { lame_duck_duration: "1s", lame_duck_grace_period: "2s" } }`, 1), `bad.conf:3:28: nodes[0](n1).config: lame duck grace period`},
		{strings.Replace(minimalScenario, `{ name: n1 }`, `{ name: n1 }, { name: n1 }`, 1), `bad.conf:3:23: nodes[1]: node name "n1" used twice`},
		{strings.Replace(minimalScenario, `{ name: n1 }`, `{ name: c3 }`, 1), `bad.conf:3:11: nodes[0].name: "c3" is not a usable node name`},
		{minimalScenario + "faults { crash { node: n2, at: \"1s\", restart_after: \"1s\" } }\n", `bad.conf:5:18: faults.crash.node: no node "n2"`},
		{minimalScenario + "faults { crash [ { node: n1, at: \"9s\", restart_after: \"1s\" } ] }\n", `bad.conf:5:34: faults.crash[0].at: 9s is outside [0s, 5s]`},
		{minimalScenario + "faults { crash { node: n1, at: \"5s\", restart_after: \"1s\" } }\n", `bad.conf:5:28: faults.crash.at: 5s is not within the 5s fault phase`},
		{minimalScenario + "faults { crash { node: n1, at: \"1s\" } }\n", `bad.conf:5:16: faults.crash: missing "restart_after"`},
		{minimalScenario + "faults { crash [ { node: n1, at: \"1s\", restart_after: \"2s\" }, { node: n1, at: \"2s\", restart_after: \"1s\" } ] }\n", `bad.conf:5:8: faults: node n1: crash at 1s overlaps crash at 2s`},
		{minimalScenario + "faults { lame_duck { node: n1, at: \"1s\", restart_after: \"1s\" } }\n", `bad.conf:5:32: faults.lame_duck.at: lame duck at 1s + the node's lame_duck_duration 2m0s`},
		{minimalScenario + "faults { reload { node: n2, at: \"1s\", config { port: 4222 } } }\n", `bad.conf:5:19: faults.reload.node: no node "n2"`},
		{minimalScenario + "faults { reload { node: n1, at: \"1s\" } }\n", `bad.conf:5:17: faults.reload: missing "config"`},
		{minimalScenario + "faults { reload { node: n1, at: \"1s\", config { prot: 1 } } }\n", `bad.conf:5:48: faults.reload.config: unknown field "prot"`},
		{minimalScenario + "faults { clock_drift { max_ppm: 20000 } }\n", `bad.conf:5:33: faults.clock_drift.max_ppm: 20000 is outside [1, 10000]`},
		{minimalScenario + "faults { clock_jump { node: n1, at: \"1s\", by: \"-2h\" } }\n", `bad.conf:5:47: faults.clock_jump.by: -2h0m0s is outside`},
		{minimalScenario + "faults { clock_jump { node: n1, at: \"1s\", by: \"0s\" } }\n", `bad.conf:5:43: faults.clock_jump.by: a jump of 0 moves nothing`},
		{minimalScenario + "faults { conn_reset { every: 5MB } }\n", `bad.conf:5:30: faults.conn_reset.every: "5MB" is a size, not a duration`},
		{minimalScenario + "faults { disk_error { every: \"1s\" } }\n", `bad.conf:5:10: faults.disk_error: needs a raft_kv or js_publish workload`},
		{minimalScenario + "faults { disk_error { every: \"1s\", ops: [ write, fsync ] } }\n", `bad.conf:5:50: faults.disk_error.ops: "fsync" is not one of write, sync, read`},
		{minimalScenario + "faults { disk_full { every: \"1s\" } }\n", `bad.conf:5:20: faults.disk_full: missing "lasts"`},
		{minimalScenario + "faults { bitflip { every: \"1s\" } }\n", `bad.conf:5:18: faults.bitflip: needs at least three nodes`},
		{minimalScenario + "faults { power_loss { at: \"6s\", restart_after: \"1s\" } }\n", `bad.conf:5:27: faults.power_loss.at: 6s is outside [0s, 5s]`},
		{minimalScenario + "faults { pause { node: n1, at: \"1s\", lasts: \"2m\" } }\n", `bad.conf:5:45: faults.pause.lasts: 2m0s is outside [1ms, 1m0s]`},
		{minimalScenario + "faults { pause_random { every: \"1s\" } }\n", `bad.conf:5:23: faults.pause_random: missing "lasts"`},
		{minimalScenario + "faults { slow_link { every: \"1s\", lasts: \"1s\", bandwidth: 10 } }\n", `bad.conf:5:59: faults.slow_link.bandwidth: 10 is outside [1024,`},
		{minimalScenario + "faults { client_partition { every: \"1s\" } }\n", `bad.conf:5:27: faults.client_partition: missing "heal_after"`},
		{minimalScenario + "checks [ liveness, exactly-once ]\n", `bad.conf:5:20: checks: unknown check "exactly-once"`},
		{minimalScenario + "checks [ per-publisher-order ]\n", `bad.conf:5:10: checks: "per-publisher-order" needs pubsub`},
		{minimalScenario + "clients { token: t, user: u }\n", `bad.conf:5:11: clients.token: give either token or user/password`},
		{minimalScenario + "clients { Count: 2, count: 3 }\n", `bad.conf:5:21: clients: "count" repeats "Count"`},
		{strings.Replace(minimalScenario, `responders: 1`, `responders: 0`, 1), `bad.conf:4:40: workload.request_reply.responders: 0 is outside [1, 1000]`},
		{minimalScenario + "workload { }\n", `bad.conf:5:10: workload: needs `},
		{strings.Replace(jsScenario, `jetstream: enabled`, `port: 4222`, 1), `bad.conf:4:10: workload.js_publish: node n1 has no jetstream in its config`},
		{jsScenario + "faults { bitflip { every: \"1s\", on: [ rest ] } }\n", `bad.conf:5:18: faults.bitflip: js_publish runs on one node; set beyond_tolerance: true`},
		{strings.Replace(jsScenario, `payload_size: 16`, `payload_size: 4`, 1), `bad.conf:4:110: workload.js_publish.payload_size: 4 is outside [8,`},
		{strings.Replace(jsScenario, `duration: "5s"`, `duration: "2m"`, 1), `bad.conf:4:10: workload.js_publish: duration + liveness`},
		{minimalScenario + "nodes [ { name: n1, config { include ./missing.conf } } ]\n", `bad.conf:5:30: cannot read include "missing.conf"`},
	} {
		_, err := ParseScenario("bad.conf", []byte(tc.text), conf.MapSource{})
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("error %v\n want prefix %s", err, tc.want)
		}
	}
}

// TestScenarioFileDefaults: a minimal file gets the documented defaults,
// including every check its workload provides.
func TestScenarioFileDefaults(t *testing.T) {
	sc, err := ParseScenario("dir/minimal.conf", []byte(minimalScenario), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "minimal" || sc.Duration != 5*time.Second || sc.Liveness != defaultLiveness {
		t.Fatalf("header: %q %v %v", sc.Name, sc.Duration, sc.Liveness)
	}
	if sc.Topology.Clients != 2 || sc.Workload.ReqRep.FinalRound != defaultFinalRound {
		t.Fatalf("clients %d, final round %d", sc.Topology.Clients, sc.Workload.ReqRep.FinalRound)
	}
	want := []string{"request-completes-once", "reply-matches-request", "no-duplicate-reply", "timing-ping-interval", "liveness"}
	if !slices.Equal(sc.Checks, want) {
		t.Fatalf("default checks %v, want %v", sc.Checks, want)
	}
	if o := sc.worldOptions(nil); o.LatencyMin != DefaultLatencyMin || o.MaxSkew != DefaultMaxSkew {
		t.Fatalf("network defaults %v %v", o.LatencyMin, o.MaxSkew)
	}
}

// TestScenarioFileNodeConfigIsARealConfig: a node block may include a
// config file, whose settings (auth with permissions here) reach the
// node's options; the clock faults land in the scenario.
func TestScenarioFileNodeConfigIsARealConfig(t *testing.T) {
	src := conf.MapSource{"dir/n1.conf": `
port: 4333
ping_interval: "3s"
authorization { users [ { user: app, password: pw, permissions { allow_responses: true } } ] }
`}
	text := strings.Replace(minimalScenario, `{ name: n1 }`, `{ name: n1, config { include n1.conf } }`, 1) + `
clients { user: app, password: pw }
faults {
  clock_skew { max: "1s" }
  clock_drift { max_ppm: 100 }
  clock_jump [ { node: n1, at: "1s", by: "2s" }, { node: n1, at: "3s", by: "1s" } ]
}
`
	sc, err := ParseScenario("dir/withinclude.conf", []byte(text), src)
	if err != nil {
		t.Fatal(err)
	}
	o := sc.Topology.Nodes[0].Options
	if o.Port != 4333 || o.PingInterval != 3*time.Second || len(o.Auth.Users) != 1 || o.Auth.Users[0].Permissions.Response == nil {
		t.Fatalf("node options not from the included config: %+v", o)
	}
	f := sc.Faults
	wantJumps := []ClockJumpSpec{{"n1", time.Second, 2 * time.Second}, {"n1", 3 * time.Second, time.Second}}
	if sc.Net.MaxSkew != time.Second || f.MaxDriftPPM != 100 || !slices.Equal(f.ClockJumps, wantJumps) {
		t.Fatalf("clock faults: skew %v drift %d jumps %v", sc.Net.MaxSkew, f.MaxDriftPPM, f.ClockJumps)
	}
	if sc.Workload.User != "app" || sc.Workload.Pass != "pw" {
		t.Fatalf("client credentials %q %q", sc.Workload.User, sc.Workload.Pass)
	}
}

// TestScenariosLoadFromTheRepository: Scenarios and ScenarioByName read
// the repository's files, sorted by name, each named after its file.
func TestScenariosLoadFromTheRepository(t *testing.T) {
	paths, err := ScenarioFiles(testScenarioDir)
	if err != nil {
		t.Fatal(err)
	}
	scs := Scenarios()
	if len(scs) != len(paths) || len(scs) < 5 {
		t.Fatalf("%d scenarios for %d files", len(scs), len(paths))
	}
	for i, sc := range scs {
		if want := strings.TrimSuffix(filepath.Base(paths[i]), ScenarioExt); sc.Name != want {
			t.Fatalf("scenario %d is %q, file %q", i, sc.Name, want)
		}
	}
	if sc := ScenarioByName("lame-duck-restart"); sc == nil || len(sc.Faults.LameDucks) != 1 {
		t.Fatalf("ScenarioByName(lame-duck-restart) = %+v", sc)
	}
	if ScenarioByName("no-such-scenario") != nil || ScenarioByName("../go") != nil {
		t.Fatal("ScenarioByName found a scenario that does not exist")
	}
}

// TestReadmeExampleLoads keeps the example in scenarios/README.md valid.
func TestReadmeExampleLoads(t *testing.T) {
	const fence = "```"
	data, err := os.ReadFile(filepath.Join(testScenarioDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), fence+"\n")
	example, _, ok2 := strings.Cut(rest, fence)
	if !ok || !ok2 {
		t.Fatal("README.md has no fenced example")
	}
	sc, err := ParseScenario("my-scenario.conf", []byte(example), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Faults.Crashes) != 1 || len(sc.Faults.LameDucks) != 1 || len(sc.Faults.ClockJumps) != 1 {
		t.Fatalf("example faults: %+v", sc.Faults)
	}
}
