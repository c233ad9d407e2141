package sim

import (
	"maps"
	"slices"
	"time"

	"jsnode/node/conf"
)

// Scenario-file support for clusters: the cluster workload and the
// partition fault.
//
//	workload {
//	  cluster { publishers_per_node: 1, subscribers_per_node: 1,
//	            queue_subscribers_per_node: 1, interval: "20ms",
//	            payload_size: 32, final_round: 20 }
//	}
//	faults {
//	  partition [ { node: n1, at: "4s", heal_after: "3s" } ]
//	}
//
// A partition cuts one node off from every other node (its clients keep
// their connections) and heals after heal_after.

// PartitionSpec cuts Node off from the other nodes at At for Heal.
type PartitionSpec struct {
	Node string
	At   time.Duration
	Heal time.Duration
}

func hasCluster(sc *Scenario) bool { return sc.Workload.Cluster != nil }

// parseClusterWorkload reads workload.cluster.
func parseClusterWorkload(v *conf.Value) (*ClusterSpec, error) {
	f, err := blockFields("workload.cluster", v, "publishers_per_node", "subscribers_per_node",
		"queue_subscribers_per_node", "interval", "payload_size", "final_round")
	if err != nil {
		return nil, err
	}
	if err := f.require("publishers_per_node", "interval"); err != nil {
		return nil, err
	}
	cs := &ClusterSpec{FinalRound: defaultFinalRound}
	steps := []error{
		f.integer("publishers_per_node", &cs.PublishersPerNode, 1, maxRoleCount),
		f.integer("subscribers_per_node", &cs.SubscribersPerNode, 0, maxRoleCount),
		f.integer("queue_subscribers_per_node", &cs.QueueSubscribersPerNode, 0, maxRoleCount),
		f.duration("interval", &cs.Interval, minWorkloadInterval, maxScenarioDuration),
		f.integer("payload_size", &cs.PayloadSize, 0, maxPayloadSize),
		f.integer("final_round", &cs.FinalRound, 0, maxFinalRound),
	}
	if err := firstError(steps); err != nil {
		return nil, err
	}
	if cs.SubscribersPerNode+cs.QueueSubscribersPerNode == 0 {
		return nil, posError(v.Pos, "workload.cluster: needs subscribers_per_node or queue_subscribers_per_node")
	}
	return cs, nil
}

// parsePartitions reads faults.partition (one block or an array).
func parsePartitions(f *fields, sc *Scenario) error {
	_, list, err := timedEntries(f, sc, "partition", "heal_after", time.Millisecond, maxScenarioDuration)
	for _, t := range list {
		sc.Faults.Partitions = append(sc.Faults.Partitions, PartitionSpec{Node: t.node, At: t.at, Heal: t.extra})
	}
	return err
}

// schedulePartitions arms the partition faults.
func (r *run) schedulePartitions() {
	for _, p := range r.sc.Faults.Partitions {
		r.schedulePartition(p)
	}
}

func (r *run) schedulePartition(p PartitionSpec) {
	w := r.w
	others := func() []string {
		var out []string
		for _, n := range r.nodes {
			if n.Name() != p.Node {
				out = append(out, n.Name())
			}
		}
		return out
	}
	w.After(p.At, func() {
		if !r.faults {
			return
		}
		w.Partition([]string{p.Node}, others())
		w.After(p.Heal, func() { w.unpartition([]string{p.Node}, others()) })
	})
}

// unpartition removes the cuts between a and b (both directions) and
// restarts delivery on the connections they held up; other partitions
// stay.
func (w *World) unpartition(a, b []string) {
	for _, x := range a {
		for _, y := range b {
			delete(w.blocked, link{x, y})
			delete(w.blocked, link{y, x})
		}
	}
	w.Note("unpartition", "")
	for _, id := range slices.Sorted(maps.Keys(w.conns)) {
		for _, e := range w.conns[id].ends {
			if e != nil && (e.out.pending() || e.out.rst) {
				e.out.kick(w.now)
			}
		}
	}
}

// checkClusterTopology: several nodes must form one cluster (a cluster
// block on each), and only the cluster workload knows how messages cross
// routes; a cluster workload needs a cluster.
func checkClusterTopology(top *fields, sc *Scenario) error {
	nodes := sc.Topology.Nodes
	wl := &sc.Workload
	v, _ := top.get("nodes")
	if len(nodes) > 1 {
		for _, ns := range nodes {
			if ns.Options.Cluster.Port == 0 {
				return posError(v.Pos, "nodes: node %s has no cluster block; several nodes must form a cluster", ns.Name)
			}
		}
		if wl.PubSub != nil || wl.ReqRep != nil {
			w, _ := top.get("workload")
			return posError(w.Pos, "workload: pubsub and request_reply check a single node; use the cluster workload with several nodes")
		}
	}
	if wl.Cluster != nil && len(nodes) < 2 {
		w, _ := top.get("workload")
		return posError(w.Pos, "workload.cluster: needs at least two nodes")
	}
	return nil
}
