package sim

import (
	"time"

	"jsnode/node/conf"
	"jsnode/node/raft"
	"jsnode/node/raftgroup"
)

// Scenario-file support for the replicated key-value workload:
//
//	workload {
//	  raft_kv { group: kv, clients: 5, keys: 3, interval: "20ms",
//	            timeout: "500ms", final_ops: 3, tick: "20ms",
//	            election_ticks: 10, heartbeat_ticks: 2, snapshot_every: 64,
//	            append_bytes: 1, inflight_appends: 1 }
//	}
//
// Every node runs a member of RAFT group `group` (all nodes are voters)
// with its log on the node's disk, and serves the kv service on it
// (node/raftgroup/kv). `clients` sim clients, each connected to a node
// and knowing all of them, issue put/get/cas operations on `keys` keys
// with a think time drawn around `interval`; each attempt times out after
// `timeout`. After the faults heal, each client must complete `final_ops`
// operations with a definite outcome. Required: clients, interval and
// timeout. Defaults: group kv, keys 3, final_ops 3, tick 20ms,
// election_ticks 10, heartbeat_ticks 2, snapshot_every 64; append_bytes
// and inflight_appends (raft's defaults unless set) bound each append
// message's entry bytes and the appends in flight per follower.

// RaftKVSpec is workload.raft_kv.
type RaftKVSpec struct {
	Group    string
	Clients  int
	Keys     int
	Interval time.Duration
	Timeout  time.Duration
	FinalOps int

	Tick           time.Duration
	ElectionTicks  int
	HeartbeatTicks int
	SnapshotEvery  int
	// AppendBytes and InflightAppends bound each leader's appends (0:
	// raft's defaults): 1 and 1 send one entry at a time.
	AppendBytes     int
	InflightAppends int
}

// Defaults and bounds of raft_kv.
const (
	defaultRaftKVKeys      = 3
	defaultRaftKVFinalOps  = 3
	defaultRaftTick        = 20 * time.Millisecond
	defaultElectionTicks   = 10
	defaultHeartbeatTicks  = 2
	defaultSnapshotEvery   = 64
	maxRaftKVKeys          = 1000
	maxRaftTicks           = 1000
	minRaftSnapshotEvery   = 2
	maxRaftSnapshotEvery   = 1 << 20
	defaultRaftKVGroupName = "kv"
)

func hasRaftKV(sc *Scenario) bool { return sc.Workload.RaftKV != nil }

func parseRaftKV(v *conf.Value) (*RaftKVSpec, error) {
	f, err := blockFields("workload.raft_kv", v, "group", "clients", "keys", "interval", "timeout", "final_ops",
		"tick", "election_ticks", "heartbeat_ticks", "snapshot_every", "append_bytes", "inflight_appends")
	if err != nil {
		return nil, err
	}
	if err := f.require("clients", "interval", "timeout"); err != nil {
		return nil, err
	}
	s := &RaftKVSpec{Group: defaultRaftKVGroupName, Keys: defaultRaftKVKeys, FinalOps: defaultRaftKVFinalOps,
		Tick: defaultRaftTick, ElectionTicks: defaultElectionTicks, HeartbeatTicks: defaultHeartbeatTicks,
		SnapshotEvery: defaultSnapshotEvery}
	steps := []error{
		f.str("group", &s.Group),
		f.integer("clients", &s.Clients, 1, maxRoleCount),
		f.integer("keys", &s.Keys, 1, maxRaftKVKeys),
		f.duration("interval", &s.Interval, minWorkloadInterval, maxScenarioDuration),
		f.duration("timeout", &s.Timeout, minWorkloadInterval, maxScenarioDuration),
		f.integer("final_ops", &s.FinalOps, 0, maxFinalRound),
		f.duration("tick", &s.Tick, time.Millisecond, time.Minute),
		f.integer("election_ticks", &s.ElectionTicks, 2, maxRaftTicks),
		f.integer("append_bytes", &s.AppendBytes, 1, raft.AppendBytesMax),
		f.integer("inflight_appends", &s.InflightAppends, 1, raft.InflightAppendsMax),
		f.integer("heartbeat_ticks", &s.HeartbeatTicks, 1, maxRaftTicks),
		f.integer("snapshot_every", &s.SnapshotEvery, minRaftSnapshotEvery, maxRaftSnapshotEvery),
	}
	if err := firstError(steps); err != nil {
		return nil, err
	}
	if s.HeartbeatTicks >= s.ElectionTicks {
		return nil, f.errorf("heartbeat_ticks", "%d must be below election_ticks %d", s.HeartbeatTicks, s.ElectionTicks)
	}
	if !validGroupToken(s.Group) {
		return nil, f.errorf("group", "%q must be letters, digits, '-' or '_'", s.Group)
	}
	return s, nil
}

func validGroupToken(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != "" && len(s) <= raftgroup.GroupNameMax
}
