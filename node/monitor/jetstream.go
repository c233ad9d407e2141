package monitor

import (
	"encoding/json"
	"time"
)

// RawJSON is a JSON value kept as it was encoded: used for nats-server
// documents jsnode only passes through (decoded JWT claims, latency
// samples), whose inner shape belongs to other libraries.
type RawJSON = json.RawMessage

// JetStreamVarz is /varz "jetstream": empty ({}) when JetStream is off.
type JetStreamVarz struct {
	Config *JetStreamConfig `json:"config,omitempty"`
	Stats  *JetStreamStats  `json:"stats,omitempty"`
	Meta   *MetaClusterInfo `json:"meta,omitempty"`
	Limits *JSLimitOpts     `json:"limits,omitempty"`
}

// JetStreamConfig is the server's JetStream configuration.
type JetStreamConfig struct {
	MaxMemory    int64         `json:"max_memory"`
	MaxStore     int64         `json:"max_storage"`
	StoreDir     string        `json:"store_dir,omitempty"`
	SyncInterval time.Duration `json:"sync_interval,omitempty"`
	SyncAlways   bool          `json:"sync_always,omitempty"`
	Domain       string        `json:"domain,omitempty"`
	CompressOK   bool          `json:"compress_ok,omitempty"`
	UniqueTag    string        `json:"unique_tag,omitempty"`
	Strict       bool          `json:"strict,omitempty"`
}

// JetStreamStats is JetStream's resource use.
type JetStreamStats struct {
	Memory         uint64            `json:"memory"`
	Store          uint64            `json:"storage"`
	ReservedMemory uint64            `json:"reserved_memory"`
	ReservedStore  uint64            `json:"reserved_storage"`
	Accounts       int               `json:"accounts"`
	HAAssets       int               `json:"ha_assets"`
	API            JetStreamAPIStats `json:"api"`
}

// JetStreamAPIStats counts JetStream API requests.
type JetStreamAPIStats struct {
	Level    int    `json:"level"`
	Total    uint64 `json:"total"`
	Errors   uint64 `json:"errors"`
	Inflight uint64 `json:"inflight,omitempty"`
}

// JSLimitOpts are the server-wide JetStream limits.
type JSLimitOpts struct {
	MaxRequestBatch           int           `json:"max_request_batch,omitempty"`
	MaxAckPending             int           `json:"max_ack_pending,omitempty"`
	MaxHAAssets               int           `json:"max_ha_assets,omitempty"`
	Duplicates                time.Duration `json:"max_duplicate_window,omitempty"`
	MaxBatchInflightPerStream int           `json:"max_batch_inflight_per_stream,omitempty"`
	MaxBatchInflightTotal     int           `json:"max_batch_inflight_total,omitempty"`
	MaxBatchSize              int           `json:"max_batch_size,omitempty"`
	MaxBatchTimeout           time.Duration `json:"max_batch_timeout,omitempty"`
	DefaultMaxConsumers       int           `json:"default_max_consumers,omitempty"`
}

// MetaClusterInfo describes the JetStream meta group.
type MetaClusterInfo struct {
	Name            string             `json:"name,omitempty"`
	Leader          string             `json:"leader,omitempty"`
	Peer            string             `json:"peer,omitempty"`
	Replicas        []*PeerInfo        `json:"replicas,omitempty"`
	Size            int                `json:"cluster_size"`
	QuorumNeeded    int                `json:"quorum_needed"`
	Rescue          bool               `json:"rescue,omitempty"`
	Pending         int                `json:"pending"`
	PendingRequests int                `json:"pending_requests"`
	PendingInfos    int                `json:"pending_infos"`
	Snapshot        *MetaSnapshotStats `json:"snapshot"`
}

// PeerInfo is one peer of a RAFT group.
type PeerInfo struct {
	Name    string        `json:"name"`
	Current bool          `json:"current"`
	Offline bool          `json:"offline,omitempty"`
	Active  time.Duration `json:"active"`
	Lag     uint64        `json:"lag,omitempty"`
	Peer    string        `json:"peer"`
	Pending bool          `json:"pending,omitempty"`
}

// MetaSnapshotStats describes the meta group's snapshots.
type MetaSnapshotStats struct {
	PendingEntries uint64        `json:"pending_entries"`
	PendingSize    uint64        `json:"pending_size"`
	LastTime       time.Time     `json:"last_time,omitempty"`
	LastDuration   time.Duration `json:"last_duration,omitempty"`
}

// JSInfo is the /jsz document. With JetStream off it carries Disabled
// and zero statistics (Config is a value, so "config" always appears).
type JSInfo struct {
	JetStreamStats
	ID              string           `json:"server_id"`
	Now             time.Time        `json:"now"`
	Disabled        bool             `json:"disabled,omitempty"`
	Config          JetStreamConfig  `json:"config,omitempty"`
	Limits          *JSLimitOpts     `json:"limits,omitempty"`
	Streams         int              `json:"streams"`
	StreamsLeader   int              `json:"streams_leader,omitempty"`
	Consumers       int              `json:"consumers"`
	ConsumersLeader int              `json:"consumers_leader,omitempty"`
	Messages        uint64           `json:"messages"`
	Bytes           uint64           `json:"bytes"`
	Meta            *MetaClusterInfo `json:"meta_cluster,omitempty"`
	AccountDetails  []*AccountDetail `json:"account_details,omitempty"`
	Total           int              `json:"total"`
}

// AccountDetail is one account of /jsz?accounts=true. Stream details
// (stream_detail) are JetStream's to fill and are passed through raw.
type AccountDetail struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	JetStreamStats
	Streams []RawJSON `json:"stream_detail,omitempty"`
}
