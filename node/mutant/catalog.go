package mutant

// Names of the mutants, used at their sites and by the runner.
const (
	TimersEarly10 = "timers-early-10"
	TimersEarly50 = "timers-early-50"
	TimersLate10  = "timers-late-10"
	AuthEarly10   = "auth-timer-early-10"
	PingEarly10   = "ping-timer-early-10"

	FsyncSkip1In4      = "fsync-skip-1-in-4"
	RecoverDropLast    = "recover-drop-last-record"
	DirSyncSkipCreate  = "dirsync-skip-create"
	DirSyncSkipRename  = "dirsync-skip-rename"
	LogNeverSync       = "log-never-sync"
	AckBeforeFsync     = "ack-before-fsync"
	HardStateNeverSave = "hardstate-never-written"

	RaftDoubleVote        = "raft-double-vote"
	RaftCommitNoQuorum    = "raft-commit-no-quorum"
	RaftCommitOldTerm     = "raft-commit-old-term"
	RaftVoteNotPersisted  = "raft-vote-not-persisted"
	KVStaleLeaseRead      = "kv-stale-lease-read"
	KVFollowerStaleRead   = "kv-follower-stale-read"
	RouteDropMsg          = "route-drop-msg"
	QueueDoubleDelivery   = "queue-double-delivery"
	ReplyWrongRequester   = "reply-wrong-requester"
	MapOrderRouteInterest = "map-order-route-interest"

	JSAckBeforeSync    = "js-ack-before-sync"
	JSSkipBlockDirSync = "js-skip-block-dirsync"
	JSForgetDedupe     = "js-forget-dedupe"
)

// Mutant describes one planted bug.
type Mutant struct {
	Name string
	// Site is where it is planted; Doc what it does.
	Site, Doc string
	// Scenarios are the scenario files (without .conf) likely to catch it;
	// nil means all of them.
	Scenarios []string
}

var (
	raftKV       = []string{"raft-kv-3", "raft-kv-5", "power-loss-all", "raft-kv-disk-faults", "raft-kv-pause", "raft-kv-churn"}
	staleReads   = []string{"raft-kv-pause", "raft-kv-3", "raft-kv-5"}
	churn        = []string{"raft-kv-churn", "raft-kv-3", "raft-kv-5"}
	durability   = []string{"power-loss-all", "raft-kv-disk-faults", "raft-kv-3", "raft-kv-5"}
	clustered    = []string{"accounts-cluster-partitions", "cluster-partitions-restarts", "cluster-reload"}
	withQueues   = []string{"pubsub-latency-resets", "node-crash-restart", "lame-duck-restart", "clock-skew-drift-jump", "accounts-cluster-partitions", "cluster-partitions-restarts", "cluster-reload"}
	jsDurability = []string{"js-power-loss", "js-publish-crash", "js-disk-faults"}
	jsRestarts   = []string{"js-publish-crash", "js-power-loss", "js-disk-faults"}
	withRequests = []string{"request-reply", "clock-skew-drift-jump", "node-crash-restart", "lame-duck-restart", "accounts-cluster-partitions"}
)

// Catalog lists every mutant, in the order the runner reports them.
var Catalog = []Mutant{
	{TimersEarly10, "server Env.Clock, raftgroup tick", "every node timer fires 10% early", nil},
	{TimersEarly50, "server Env.Clock, raftgroup tick", "every node timer fires 50% early", nil},
	{TimersLate10, "server Env.Clock, raftgroup tick", "every node timer fires 10% late", nil},
	{AuthEarly10, "server startAuthTimer", "the CONNECT deadline (auth timeout) fires 10% early", nil},
	{PingEarly10, "server setPingTimer", "the keep-alive PING timer fires 10% early", nil},

	{FsyncSkip1In4, "raftlog syncActive", "one WAL fsync in 4 reports success without syncing", durability},
	{RecoverDropLast, "raftlog scanSegment", "recovery drops the last intact record of the last segment", durability},
	{DirSyncSkipCreate, "raftlog syncWALDir", "a new WAL segment's directory entry is never synced", durability},
	{DirSyncSkipRename, "raftlog writeHardState/writeSnapshot", "a file renamed into place (hard state, snapshot) without syncing its directory", durability},
	{LogNeverSync, "raftgroup persist", "the raft log is never synced (was raftgroup Bugs.SkipSync)", durability},
	{AckBeforeFsync, "raftgroup persist", "votes and append acks are sent and entries applied before the sync, which completes a tick later", durability},
	{HardStateNeverSave, "raftlog writeHardState", "the hard-state file (term, vote) is never written", durability},

	{RaftDoubleVote, "raft tally", "a candidate counts its own vote twice", raftKV},
	{RaftCommitNoQuorum, "raft maybeCommit", "the leader commits an index stored on one replica fewer than a quorum", raftKV},
	{RaftCommitOldTerm, "raft maybeCommit", "entries of earlier terms are committed by counting replicas (Raft figure 8)", churn},
	{RaftVoteNotPersisted, "raft hardState", "the vote is left out of the persisted hard state", churn},
	{KVStaleLeaseRead, "kv get", "a member that believes it leads answers gets from local state, without a read index (stale lease read)", staleReads},
	{KVFollowerStaleRead, "kv get", "every member answers gets from local state at once (was kv Bugs.StaleReads)", raftKV},

	{RouteDropMsg, "server sendToRoutes", "one routed message in 50 is not written to its route", clustered},
	{QueueDoubleDelivery, "server deliverToQueue / Account.route", "one queue delivery in 20 also goes to a second member", withQueues},
	{ReplyWrongRequester, "server deliver", "one message in 20 with a reply subject carries the previous message's reply subject", withRequests},
	{MapOrderRouteInterest, "server sendAllInterest", "a new route is sent the local interest in map order, unsorted", clustered},

	{JSAckBeforeSync, "filestore WhenDurable", "a stream's PubAck (any WhenDurable) is sent once the bytes are written, before the sync that covers them", jsDurability},
	{JSSkipBlockDirSync, "filestore createBlock", "a new block file's directory entry (and the new store's directories) are never synced", jsDurability},
	{JSForgetDedupe, "jetstream restoreDedupe", "a recovered stream does not rebuild its duplicate window from the stored messages", jsRestarts},
}

// Lookup returns the named mutant, or nil.
func Lookup(name string) *Mutant {
	for i := range Catalog {
		if Catalog[i].Name == name {
			return &Catalog[i]
		}
	}
	return nil
}
