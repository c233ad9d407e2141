package sim

import (
	"time"

	"jsnode/node/server"
)

// Scenarios returns the built-in scenarios, in a fixed order.
func Scenarios() []*Scenario {
	return []*Scenario{pubSubLatencyResets(), nodeCrashRestart(), requestReply()}
}

// ScenarioByName finds a built-in scenario.
func ScenarioByName(name string) *Scenario {
	for _, sc := range Scenarios() {
		if sc.Name == name {
			return sc
		}
	}
	return nil
}

func oneNode() []NodeSpec {
	return []NodeSpec{{Name: "n1", Options: server.Options{Port: server.DefaultPort}}}
}

// pubSubLatencyResets: one node, ten clients publishing and subscribing
// (plain and queue) under latency and jitter while random client
// connections are reset.
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
		Faults:   Faults{ResetEvery: 500 * time.Millisecond},
		Duration: 30 * time.Second,
		Liveness: 30 * time.Second,
		Checks:   []string{"exactly-once-per-sub", "exactly-once-per-queue-group", "per-publisher-order", "liveness"},
	}
}

// nodeCrashRestart: clients publish, subscribe and make requests; the node
// crashes mid-traffic and restarts; clients reconnect and re-subscribe,
// and afterwards pub/sub and request/reply work again.
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
		Checks:   []string{"exactly-once-per-sub", "request-completes-once", "all-clients-reconnected", "liveness"},
	}
}

// requestReply: a queue group of responders and requesters with timeouts
// under latency, with occasional connection resets.
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
		Faults:   Faults{ResetEvery: 2 * time.Second},
		Duration: 20 * time.Second,
		Liveness: 30 * time.Second,
		Checks:   []string{"request-completes-once", "reply-matches-request", "no-duplicate-reply", "liveness"},
	}
}
