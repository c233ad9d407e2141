package raft

import (
	"fmt"
	"math/rand/v2"
)

// Config configures one node of a Raft group. Ticks are calls to
// RawNode.Tick: the caller decides how long a tick is.
type Config struct {
	// ID identifies this node; it must not be None.
	ID ID
	// ElectionTicks is the election timeout. A follower that hears nothing
	// from a leader for a random number of ticks in [ElectionTicks,
	// 2*ElectionTicks) starts an election; a leader that has not heard from
	// a quorum for ElectionTicks steps down (check-quorum).
	ElectionTicks int
	// HeartbeatTicks is the interval between a leader's heartbeats; it must
	// be less than ElectionTicks.
	HeartbeatTicks int
	// Storage is the persisted log the node reads; the caller writes it.
	Storage Storage
	// Rand is the node's seeded source, used only for election timeouts.
	Rand *rand.Rand
	// Applied is the last index the application's state already reflects
	// when restarting (0: the storage snapshot's index). Committed entries
	// after it are handed out again.
	Applied uint64
	// DisablePreVote turns pre-vote off. Pre-vote keeps a node that was cut
	// off from deposing a healthy leader when it returns; leave it on.
	DisablePreVote bool
	// DisableCheckQuorum turns off check-quorum and the leader lease that
	// comes with it; leave it on.
	DisableCheckQuorum bool
	// MaxAppendBytes bounds the entry data in one append message
	// (0: AppendBytesMax).
	MaxAppendBytes uint64
	// MaxInflightAppends bounds in-flight append messages per follower
	// (0: InflightAppendsMax).
	MaxInflightAppends int
	// SnapshotChunkBytes is the size of one snapshot chunk
	// (0: SnapshotChunkBytesDefault; at most SnapshotChunkBytesMax).
	SnapshotChunkBytes int
	// MaxApplyBytes bounds the committed entry data in one Ready
	// (0: ApplyBytesMax).
	MaxApplyBytes uint64
}

// withDefaults validates c and fills in zero limits.
func (c Config) withDefaults() (Config, error) {
	bad := func(what string) (Config, error) { return c, fmt.Errorf("%w: %s", ErrInvalidConfig, what) }
	switch {
	case c.ID == None:
		return bad("ID must not be None")
	case c.Storage == nil:
		return bad("Storage is required")
	case c.Rand == nil:
		return bad("Rand is required")
	case c.ElectionTicks < ElectionTicksMin || c.ElectionTicks > ElectionTicksMax:
		return bad(fmt.Sprintf("ElectionTicks must be in [%d, %d]", ElectionTicksMin, ElectionTicksMax))
	case c.HeartbeatTicks <= 0 || c.HeartbeatTicks >= c.ElectionTicks:
		return bad("HeartbeatTicks must be in [1, ElectionTicks)")
	case c.MaxAppendBytes > AppendBytesMax:
		return bad("MaxAppendBytes exceeds AppendBytesMax")
	case c.MaxInflightAppends < 0 || c.MaxInflightAppends > InflightAppendsMax:
		return bad("MaxInflightAppends must be in [0, InflightAppendsMax]")
	case c.SnapshotChunkBytes < 0 || c.SnapshotChunkBytes > SnapshotChunkBytesMax:
		return bad("SnapshotChunkBytes must be in [0, SnapshotChunkBytesMax]")
	case c.MaxApplyBytes > ApplyBytesMax:
		return bad("MaxApplyBytes exceeds ApplyBytesMax")
	}
	if c.MaxAppendBytes == 0 {
		c.MaxAppendBytes = AppendBytesMax
	}
	if c.MaxInflightAppends == 0 {
		c.MaxInflightAppends = InflightAppendsMax
	}
	if c.SnapshotChunkBytes == 0 {
		c.SnapshotChunkBytes = SnapshotChunkBytesDefault
	}
	if c.MaxApplyBytes == 0 {
		c.MaxApplyBytes = ApplyBytesMax
	}
	return c, nil
}
