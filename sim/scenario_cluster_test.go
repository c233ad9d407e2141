package sim

import (
	"strings"
	"testing"
)

// clusterScenario is a valid two-node cluster file body.
const clusterScenario = `
duration: "5s"
nodes [
  { name: n1, config { cluster { name: c, listen: 6222, routes: ["nats-route://n2:6222"] } } }
  { name: n2, config { cluster { name: c, listen: 6222 } } }
]
workload { cluster { publishers_per_node: 1, subscribers_per_node: 1, interval: "10ms" } }
`

func TestClusterScenarioLoads(t *testing.T) {
	sc, err := ParseScenario("c.conf", []byte(clusterScenario+`faults { partition { node: n2, at: "1s", heal_after: "500ms" } }`), nil)
	if err != nil {
		t.Fatal(err)
	}
	cs := sc.Workload.Cluster
	if cs == nil || cs.PublishersPerNode != 1 || cs.SubscribersPerNode != 1 || cs.FinalRound != defaultFinalRound {
		t.Fatalf("cluster workload %+v", cs)
	}
	if p := sc.Faults.Partitions; len(p) != 1 || p[0].Node != "n2" || p[0].Heal.Milliseconds() != 500 {
		t.Fatalf("partitions %+v", p)
	}
	if got := strings.Join(sc.Checks, ","); got != "cluster-once-per-sub,no-loops,timing-ping-interval,liveness" {
		t.Fatalf("default checks %s", got)
	}
}

func TestClusterScenarioErrors(t *testing.T) {
	twoPlain := strings.Replace(clusterScenario, `{ name: n2, config { cluster { name: c, listen: 6222 } } }`, `{ name: n2 }`, 1)
	withPubSub := strings.Replace(clusterScenario, `workload { cluster`, `workload { pubsub { publishers: 1, subscribers: 1, interval: "10ms" }, cluster`, 1)
	for _, tc := range []struct{ text, want string }{
		{twoPlain, "nodes: node n2 has no cluster block"},
		{withPubSub, "pubsub and request_reply check a single node"},
		{minimalScenario[:strings.Index(minimalScenario, "workload")] + `workload { cluster { publishers_per_node: 1, subscribers_per_node: 1, interval: "10ms" } }`, "workload.cluster: needs at least two nodes"},
		{strings.Replace(clusterScenario, "subscribers_per_node: 1", "subscribers_per_node: 0", 1), "needs subscribers_per_node or queue_subscribers_per_node"},
		{clusterScenario + `faults { partition { node: n9, at: "1s", heal_after: "1s" } }`, `no node "n9"`},
		{clusterScenario + `faults { partition { node: n1, at: "1s" } }`, `missing "heal_after"`},
	} {
		_, err := ParseScenario("bad.conf", []byte(tc.text), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "bad.conf:") {
			t.Errorf("error %v, want bad.conf:... %q", err, tc.want)
		}
	}
}
