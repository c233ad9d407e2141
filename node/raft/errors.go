package raft

import (
	"errors"
	"fmt"
	"strconv"
)

// Errors returned by the state machine and by storage implementations.
var (
	// ErrNotLeader is matched (errors.Is) by every *NotLeaderError.
	ErrNotLeader = errors.New("raft: not the leader")
	// ErrProposalDropped means the leader refused a proposal because too
	// many proposal bytes are not yet applied.
	ErrProposalDropped = errors.New("raft: proposal dropped")
	// ErrTransferInProgress means a leadership transfer is under way and
	// the leader accepts no proposals until it completes or times out.
	ErrTransferInProgress = errors.New("raft: leadership transfer in progress")
	// ErrConfChangePending means an earlier membership change has not yet
	// committed; only one change may be pending at a time.
	ErrConfChangePending = errors.New("raft: membership change already pending")
	// ErrLeaderNotReady means the leader has not yet committed an entry of
	// its own term; membership changes wait for that (the single-server
	// change safety rule) and reads are queued.
	ErrLeaderNotReady = errors.New("raft: leader has not committed an entry in its term")
	// ErrInvalidConfChange means the change does not fit the membership
	// (adding an existing voter, removing the last voter, ...).
	ErrInvalidConfChange = errors.New("raft: invalid membership change")
	// ErrInvalidTransfer means the transfer target is not a voter.
	ErrInvalidTransfer = errors.New("raft: invalid leadership transfer target")
	// ErrEntryTooLarge means a proposal's data exceeds EntryBytesMax.
	ErrEntryTooLarge = errors.New("raft: entry too large")
	// ErrTooManyReads means ReadIndexPendingMax reads are already queued.
	ErrTooManyReads = errors.New("raft: too many pending read-index requests")
	// ErrInvalidMessage means a message is malformed or not addressed to
	// this node; it is dropped without effect.
	ErrInvalidMessage = errors.New("raft: invalid message")
	// ErrMessageTooLarge means an encoded message exceeds MessageBytesMax.
	ErrMessageTooLarge = errors.New("raft: message too large")
	// ErrInvalidConfig means a Config or bootstrap membership is unusable.
	ErrInvalidConfig = errors.New("raft: invalid config")
	// ErrInvalidCompaction means Compact was asked for an index that is not
	// applied or is already compacted.
	ErrInvalidCompaction = errors.New("raft: invalid compaction index")
	// ErrStorageFailed wraps an unexpected Storage error; the node stops
	// (every later call returns it) and must be restarted from storage.
	ErrStorageFailed = errors.New("raft: storage failed")
	// ErrCorruptState means the persisted state is inconsistent (for
	// example a commit index beyond the last entry).
	ErrCorruptState = errors.New("raft: persisted state is inconsistent")

	// ErrCompacted is returned by Storage for indexes before FirstIndex.
	ErrCompacted = errors.New("raft: requested index is compacted")
	// ErrUnavailable is returned by Storage for indexes after LastIndex.
	ErrUnavailable = errors.New("raft: requested entry is unavailable")
	// ErrSnapshotOutOfDate is returned by Storage when asked to apply a
	// snapshot older than the one it holds.
	ErrSnapshotOutOfDate = errors.New("raft: snapshot is out of date")
	// ErrSnapshotTemporarilyUnavailable may be returned by Storage.Snapshot
	// while a snapshot is being prepared; the leader retries later.
	ErrSnapshotTemporarilyUnavailable = errors.New("raft: snapshot temporarily unavailable")
)

// NotLeaderError is returned to callers that asked a non-leader to do a
// leader's work. Leader is the leader this node knows (None if unknown),
// so the caller can forward the request.
type NotLeaderError struct {
	Leader ID
}

// Error describes the error with the known leader.
func (e *NotLeaderError) Error() string {
	if e.Leader == None {
		return "raft: not the leader (leader unknown)"
	}
	return "raft: not the leader (leader is " + strconv.FormatUint(uint64(e.Leader), 10) + ")"
}

// Is makes errors.Is(err, ErrNotLeader) true.
func (e *NotLeaderError) Is(target error) bool { return target == ErrNotLeader }

// storageFailure carries an unexpected storage error up to the RawNode
// entry point, which turns it into ErrStorageFailed (see RawNode.guard).
type storageFailure struct{ err error }

// failStorage aborts the current operation because storage failed.
func failStorage(err error) {
	panic(storageFailure{err: fmt.Errorf("%w: %w", ErrStorageFailed, err)})
}

// assert panics when an internal invariant is broken. It is for states
// the code itself must never reach, never for bad input or misuse, which
// return errors instead.
func assert(cond bool, what string) {
	if !cond {
		panic("raft: invariant violated: " + what)
	}
}

// invariantf panics with a formatted explanation of a broken invariant.
// Callers test for the broken case themselves (if x > y { invariantf(...) }),
// so the arguments are boxed only on failure: checks run on every step.
func invariantf(format string, args ...any) {
	panic("raft: invariant violated: " + fmt.Sprintf(format, args...))
}
