package sim

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/anishathalye/porcupine"

	"jsnode/node/raftgroup/kv"
)

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// TestKVModel: the porcupine model accepts and refuses what it should,
// including operations of unknown outcome.
func TestKVModel(t *testing.T) {
	put := func(client int, v string, call, ret int64, unknown bool) porcupine.Operation {
		return porcupine.Operation{ClientId: client, Input: kvInput{Op: kv.OpPut, Key: "k", Value: v},
			Output: kvOutput{Unknown: unknown}, Call: call, Return: ret}
	}
	get := func(client int, v string, call, ret int64) porcupine.Operation {
		return porcupine.Operation{ClientId: client, Input: kvInput{Op: kv.OpGet, Key: "k"},
			Output: kvOutput{Value: v, Found: v != ""}, Call: call, Return: ret}
	}
	cas := func(client int, old, v string, call, ret int64, out kvOutput) porcupine.Operation {
		return porcupine.Operation{ClientId: client, Input: kvInput{Op: kv.OpCAS, Key: "k", Old: old, OldAbsent: old == "", Value: v},
			Output: out, Call: call, Return: ret}
	}
	for _, tc := range []struct {
		name string
		ops  []porcupine.Operation
		ok   bool
	}{
		{"read your write", []porcupine.Operation{put(0, "1", 0, 10, false), get(1, "1", 20, 30)}, true},
		{"stale read", []porcupine.Operation{put(0, "1", 0, 10, false), get(1, "", 20, 30)}, false},
		{"unknown put may be seen", []porcupine.Operation{put(0, "1", 0, endOfTime, true), get(1, "1", 20, 30)}, true},
		{"unknown put may be missed", []porcupine.Operation{put(0, "1", 0, endOfTime, true), get(1, "", 20, 30)}, true},
		{"unknown put cannot vanish", []porcupine.Operation{put(0, "1", 0, endOfTime, true), get(1, "1", 20, 30), get(1, "", 40, 50)}, false},
		{"cas ok", []porcupine.Operation{put(0, "1", 0, 10, false), cas(0, "1", "2", 20, 30, kvOutput{}), get(0, "2", 40, 50)}, true},
		{"cas ok on wrong value", []porcupine.Operation{put(0, "1", 0, 10, false), cas(0, "9", "2", 20, 30, kvOutput{})}, false},
		{"cas mismatch reports value", []porcupine.Operation{put(0, "1", 0, 10, false), cas(0, "9", "2", 20, 30, kvOutput{Mismatch: true, Value: "1", Found: true})}, true},
		{"cas mismatch wrong value", []porcupine.Operation{put(0, "1", 0, 10, false), cas(0, "9", "2", 20, 30, kvOutput{Mismatch: true, Value: "3", Found: true})}, false},
		{"cas on absent", []porcupine.Operation{cas(0, "", "1", 0, 10, kvOutput{}), get(0, "1", 20, 30)}, true},
		{"unknown cas applies only if it matches", []porcupine.Operation{put(0, "1", 0, 10, false), cas(1, "9", "2", 20, endOfTime, kvOutput{Unknown: true}), get(0, "2", 40, 50)}, false},
	} {
		if got := porcupine.CheckOperations(kvModel, tc.ops); got != tc.ok {
			t.Errorf("%s: linearizable = %v, want %v", tc.name, got, tc.ok)
		}
	}
}

const raftKVScenario = `
duration: "5s"
nodes [
  { name: n1, config { cluster { name: c, listen: 6222, routes: ["nats-route://n2:6222"] } } }
  { name: n2, config { cluster { name: c, listen: 6222 } } }
]
workload { raft_kv { clients: 2, interval: "10ms", timeout: "200ms" } }
`

func TestRaftKVScenarioLoads(t *testing.T) {
	sc, err := ParseScenario("r.conf", []byte(raftKVScenario+`faults {
  partition_random { every: "1s", heal_after: "500ms", kinds: [ split, flap ] }
  crash_random { every: "2s", restart_after: "300ms", max_down: 1 }
  route_reset { every: "700ms" }
}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := sc.Workload.RaftKV
	if s == nil || s.Group != "kv" || s.Clients != 2 || s.Keys != defaultRaftKVKeys || s.Tick != defaultRaftTick ||
		s.ElectionTicks != defaultElectionTicks || s.SnapshotEvery != defaultSnapshotEvery || s.FinalOps != defaultRaftKVFinalOps {
		t.Fatalf("raft_kv %+v", s)
	}
	f := sc.Faults
	if f.RandomPartitions == nil || !slices.Equal(f.RandomPartitions.Kinds, []string{"split", "flap"}) ||
		f.RandomCrashes == nil || f.RandomCrashes.MaxDown != 1 || f.RouteResetEvery.Milliseconds() != 700 {
		t.Fatalf("faults %+v", f)
	}
	for _, c := range []string{"raft-election-safety", "raft-log-matching", "raft-leader-completeness",
		"raft-state-machine-safety", "raft-committed-never-lost", "linearizable", "replicas-converge", "liveness"} {
		if !slices.Contains(sc.Checks, c) {
			t.Fatalf("default checks %v lack %s", sc.Checks, c)
		}
	}
}

func TestRaftKVScenarioErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{strings.Replace(raftKVScenario, `clients: 2, `, ``, 1), `workload.raft_kv: missing "clients"`},
		{strings.Replace(raftKVScenario, `clients: 2`, `clients: 2, group: "a.b"`, 1), `workload.raft_kv.group: "a.b" must be`},
		{strings.Replace(raftKVScenario, `clients: 2`, `clients: 2, heartbeat_ticks: 10`, 1), `heartbeat_ticks: 10 must be below election_ticks 10`},
		{strings.Replace(raftKVScenario, `clients: 2`, `clients: 2, snapshot_every: 1`, 1), `snapshot_every: 1 is outside`},
		{raftKVScenario + `faults { partition_random { every: "1s", heal_after: "1s", kinds: [ sideways ] } }`, `"sideways" is not one of`},
		{raftKVScenario + `faults { partition_random { every: "1s" } }`, `missing "heal_after"`},
		{raftKVScenario + `faults { crash_random { every: "1s", restart_after: "1s", max_down: 0 } }`, `max_down: 0 is outside`},
		{raftKVScenario + `faults { route_reset { every: "0s" } }`, `route_reset.every: 0s is outside`},
		{minimalScenario + `faults { route_reset { every: "1s" } }`, `route_reset: needs at least two nodes`},
	} {
		_, err := ParseScenario("bad.conf", []byte(tc.text), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "bad.conf:") {
			t.Errorf("error %v, want bad.conf:... %q", err, tc.want)
		}
	}
}

// TestRandomPartitionKinds: each kind cuts what it says, on five nodes.
func TestRandomPartitionKinds(t *testing.T) {
	sc, err := LoadScenarioFile(filepath.Join(testScenarioDir, "raft-kv-5"+ScenarioExt))
	if err != nil {
		t.Fatal(err)
	}
	r := &run{sc: sc, w: NewWorld(7, DefaultOptions())}
	for _, ns := range sc.Topology.Nodes {
		r.nodes = append(r.nodes, &NodeHandle{host: r.w.Host(ns.Name)})
	}
	for _, tc := range []struct {
		kind    string
		minCuts int
		maxCuts int
		oneWay  bool
	}{
		{"isolate", 8, 8, false}, {"split", 8, 12, false}, {"flap", 8, 12, false},
		{"one_way", 4, 4, true}, {"bridge", 8, 8, false},
	} {
		for i := 0; i < 20; i++ {
			links := r.drawCut(tc.kind)
			if len(links) < tc.minCuts || len(links) > tc.maxCuts {
				t.Fatalf("%s cut %d links: %v", tc.kind, len(links), links)
			}
			reverse := 0
			for _, l := range links {
				if slices.Contains(links, link{l.to, l.from}) {
					reverse++
				}
			}
			if tc.oneWay != (reverse == 0) {
				t.Fatalf("%s: %d of %d links cut both ways: %v", tc.kind, reverse, len(links), links)
			}
			if tc.kind == "bridge" {
				touched := map[string]bool{}
				for _, l := range links {
					touched[l.from], touched[l.to] = true, true
				}
				if len(touched) != 4 {
					t.Fatalf("bridge: the bridge node is cut too: %v", links)
				}
			}
		}
	}
}
