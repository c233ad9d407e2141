package raft

// Every bound the state machine enforces lives here, so a reader can see at
// a glance how much memory one group may hold and how large one message may
// grow. The init function below asserts the relations between them.
const (
	// InflightAppendsMax bounds the append messages a leader keeps in flight
	// to one follower in replicate state before waiting for acknowledgements.
	InflightAppendsMax = 256

	// AppendBytesMax bounds the entry payload of one append message (the
	// first entry is always sent, so one large entry still makes progress).
	AppendBytesMax = 1 << 20

	// AppendEntriesMax bounds the number of entries in one append message.
	AppendEntriesMax = 4096

	// EntryBytesMax bounds the data of one proposed entry.
	EntryBytesMax = 1 << 20

	// SnapshotChunkBytesDefault is the snapshot chunk size when
	// Config.SnapshotChunkBytes is zero.
	SnapshotChunkBytesDefault = 256 << 10

	// SnapshotChunkBytesMax bounds Config.SnapshotChunkBytes.
	SnapshotChunkBytesMax = 1 << 20

	// SnapshotChunksInflightMax bounds the unacknowledged snapshot chunks a
	// leader sends to one follower.
	SnapshotChunksInflightMax = 4

	// SnapshotBytesMax bounds a snapshot's data, because a follower
	// assembles the chunks in memory before installing it.
	SnapshotBytesMax = 256 << 20

	// MembersMax bounds voters plus learners of one group.
	MembersMax = 64

	// MessageBytesMax bounds one encoded message; Unmarshal rejects larger
	// input and Marshal refuses to produce it.
	MessageBytesMax = 4 << 20

	// ReadIndexPendingMax bounds the read-index requests a node queues.
	ReadIndexPendingMax = 1024

	// UncommittedBytesMax bounds the proposal bytes a leader accepts that
	// have not yet been applied; further proposals fail with
	// ErrProposalDropped until the group catches up.
	UncommittedBytesMax = 16 << 20

	// ApplyBytesMax bounds the committed entry bytes handed out in one Ready.
	ApplyBytesMax = 4 << 20

	// OutboxMessagesMax bounds the messages queued between two Ready calls;
	// further messages are dropped, which Raft tolerates like network loss.
	OutboxMessagesMax = 16384

	// ElectionTicksMin is the smallest allowed Config.ElectionTicks.
	ElectionTicksMin = 2

	// ElectionTicksMax bounds Config.ElectionTicks.
	ElectionTicksMax = 1 << 20

	// membershipScanBatch is how many entries one storage read fetches while
	// scanning the log backwards for the latest configuration entry.
	membershipScanBatch = 256

	// messageHeaderBytesMax bounds the fixed fields of an encoded message:
	// version, type, flags and twelve 64-bit varints.
	messageHeaderBytesMax = 3 + 12*10

	// entryHeaderBytesMax bounds the fixed fields of one encoded entry.
	entryHeaderBytesMax = 1 + 3*10

	// membershipBytesMax bounds an encoded membership.
	membershipBytesMax = 2*10 + MembersMax*10
)

func init() {
	assert(EntryBytesMax <= AppendBytesMax, "one entry must fit in one append message")
	assert(messageHeaderBytesMax+AppendBytesMax+AppendEntriesMax*entryHeaderBytesMax+10 <= MessageBytesMax,
		"a full append message must fit in MessageBytesMax")
	assert(messageHeaderBytesMax+membershipBytesMax+2*10+SnapshotChunkBytesMax+10 <= MessageBytesMax,
		"a full snapshot chunk must fit in MessageBytesMax")
	assert(SnapshotChunkBytesDefault <= SnapshotChunkBytesMax, "default chunk within bound")
	assert(InflightAppendsMax > 0 && SnapshotChunksInflightMax > 0, "windows must be positive")
	assert(ReadIndexPendingMax > 0 && OutboxMessagesMax > 0, "queues must be positive")
	assert(ElectionTicksMin >= 2, "a heartbeat must fit strictly inside an election timeout")
}
