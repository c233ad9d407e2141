package sim

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"jsnode/node/server"
)

// The three scenarios below were Go definitions before scenario files
// existed. They stay as the reference the files must load into exactly,
// so that moving them into files changed no trace hash.

func oneNode() []NodeSpec {
	return []NodeSpec{{Name: "n1", Options: server.Options{Port: server.DefaultPort}}}
}

func pubSubLatencyResets() *Scenario {
	return &Scenario{
		Name:     "pubsub-latency-resets",
		Net:      NetSpec{LatencyMin: time.Millisecond, Jitter: 5 * time.Millisecond},
		Topology: Topology{Nodes: oneNode(), Clients: 10},
		Workload: Workload{
			PubSub: &PubSubSpec{
				Publishers: 3, Subscribers: 4, QueueSubscribers: 3,
				Interval: 20 * time.Millisecond, PayloadSize: 64, FinalRound: 20,
			},
			ReconnectWait: 100 * time.Millisecond,
		},
		Faults: Faults{ResetEvery: 500 * time.Millisecond,
			ClientPartition: &ClientPartitionSpec{Every: 3 * time.Second, Heal: 500 * time.Millisecond, OneWay: true}},
		Duration: 30 * time.Second,
		Liveness: 30 * time.Second,
		Checks:   []string{"exactly-once-per-sub", "exactly-once-per-queue-group", "per-publisher-order", "liveness"},
	}
}

func nodeCrashRestart() *Scenario {
	return &Scenario{
		Name:     "node-crash-restart",
		Net:      NetSpec{LatencyMin: time.Millisecond, Jitter: 3 * time.Millisecond},
		Topology: Topology{Nodes: oneNode(), Clients: 10},
		Workload: Workload{
			PubSub: &PubSubSpec{
				Publishers: 2, Subscribers: 2, QueueSubscribers: 2,
				Interval: 25 * time.Millisecond, PayloadSize: 32, FinalRound: 20,
			},
			ReqRep: &ReqRepSpec{
				Responders: 2, Requesters: 2,
				Interval: 30 * time.Millisecond, Timeout: 500 * time.Millisecond, FinalRound: 10,
			},
			ReconnectWait: 250 * time.Millisecond,
		},
		Faults:   Faults{Crashes: []CrashSpec{{Node: "n1", At: 5 * time.Second, Down: 3 * time.Second}}},
		Duration: 15 * time.Second,
		Liveness: 30 * time.Second,
		Checks: []string{"exactly-once-per-sub", "exactly-once-per-queue-group", "per-publisher-order", "request-completes-once",
			"reply-matches-request", "no-duplicate-reply", "all-clients-reconnected", "timing-ping-interval", "liveness"},
	}
}

func requestReply() *Scenario {
	return &Scenario{
		Name:     "request-reply",
		Net:      NetSpec{LatencyMin: time.Millisecond, Jitter: 20 * time.Millisecond},
		Topology: Topology{Nodes: oneNode(), Clients: 8},
		Workload: Workload{
			ReqRep: &ReqRepSpec{
				Responders: 3, Requesters: 5,
				Interval: 10 * time.Millisecond, Timeout: 200 * time.Millisecond, FinalRound: 20,
			},
			ReconnectWait: 100 * time.Millisecond,
		},
		Faults: Faults{ResetEvery: 2 * time.Second,
			ClientPartition: &ClientPartitionSpec{Every: 2 * time.Second, Heal: 600 * time.Millisecond}},
		Duration: 20 * time.Second,
		Liveness: 30 * time.Second,
		Checks:   []string{"request-completes-once", "reply-matches-request", "no-duplicate-reply", "liveness"},
	}
}

// TestScenarioFilesMatchGoDefinitions: each former built-in loads from its
// file into exactly the struct the Go definition built, and a run of each
// gives the same trace hash both ways.
func TestScenarioFilesMatchGoDefinitions(t *testing.T) {
	for _, want := range []*Scenario{pubSubLatencyResets(), nodeCrashRestart(), requestReply()} {
		got, err := LoadScenarioFile(filepath.Join(testScenarioDir, want.Name+ScenarioExt))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: file loads as\n%+v\nGo definition is\n%+v", want.Name, *got, *want)
		}
		a, errA := RunScenario(got, 1, nil)
		b, errB := RunScenario(want, 1, nil)
		if errA != nil || errB != nil {
			t.Fatalf("%s: %v / %v", want.Name, errA, errB)
		}
		if a.TraceHash != b.TraceHash {
			t.Fatalf("%s: file run hash %s, Go definition run hash %s", want.Name, a.TraceHash, b.TraceHash)
		}
	}
}
