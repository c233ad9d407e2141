package raftlog

import (
	"errors"
	"fmt"

	"jsnode/node/raft"
)

// Errors returned by Log.
var (
	// ErrCorrupt is matched (errors.Is) by every *CorruptionError.
	ErrCorrupt = errors.New("raftlog: corrupt log")
	// ErrFailed means an earlier write, sync, rename or remove failed. The
	// Log then refuses every further call (fail-stop): after a failed
	// fsync the kernel may have dropped the unsynced pages, so retrying
	// proves nothing. Reopen the directory to recover what is durable.
	ErrFailed = errors.New("raftlog: log failed after an I/O error; reopen it to recover")
	// ErrClosed means the Log was closed.
	ErrClosed = errors.New("raftlog: log closed")
	// ErrInvalid means a call broke the log's rules (a gap, an overwrite
	// of a committed entry, a term or commit going backwards, ...). Nothing
	// was written and the Log stays usable.
	ErrInvalid = errors.New("raftlog: invalid request")
	// ErrVoteConflict means a Save tried to change the vote already cast in
	// the current term: a node must never vote twice in one term.
	ErrVoteConflict = errors.New("raftlog: refusing a second vote in the same term")
	// ErrSyncInFlight means a Save, Compact or Sync came while a sync
	// started with StartSync had not finished: the Log only serves reads
	// then, so the files the sync works on stay as it captured them.
	ErrSyncInFlight = errors.New("raftlog: a sync is in flight")
)

// CorruptionError reports stored data that fails its checksum or breaks
// the log's structure somewhere a crash cannot explain: in the middle of a
// segment, in a segment other than the last, in the hard-state or snapshot
// file, a gap between indexes, or a commit index beyond the stored log.
// Open returns it instead of guessing; reads return it instead of serving
// wrong data. It matches ErrCorrupt and raft.ErrCorruptState.
type CorruptionError struct {
	// File is the path of the damaged file.
	File string
	// Offset is the byte offset of the damage in File, or -1 when the
	// problem is not at one place (a missing segment, a commit index).
	Offset int64
	// Reason says what is wrong.
	Reason string
}

func (e *CorruptionError) Error() string {
	if e.Offset < 0 {
		return fmt.Sprintf("raftlog: corruption in %s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("raftlog: corruption in %s at offset %d: %s", e.File, e.Offset, e.Reason)
}

// Unwrap makes errors.Is match ErrCorrupt and raft.ErrCorruptState.
func (e *CorruptionError) Unwrap() []error { return []error{ErrCorrupt, raft.ErrCorruptState} }

func corruptf(file string, offset int64, format string, args ...any) *CorruptionError {
	return &CorruptionError{File: file, Offset: offset, Reason: fmt.Sprintf(format, args...)}
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
