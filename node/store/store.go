// Package store keeps a stream's messages: a log indexed by sequence, with
// a per-subject index, deletes (tombstones), purges and a time index for
// per-message TTLs. Two implementations share one interface and one
// conformance suite: the memory store (memory.go) and the file store
// (filestore/, over the disk seam).
//
// A store knows nothing of stream limits, discard policies, dedupe or
// acks: the stream (node/jetstream) enforces those with the primitives
// here, so both stores behave the same way by construction.
//
// Every method runs on the node's loop. Durability is asynchronous:
// WhenDurable calls back once what was written before it is durable
// (group commit; see disk.Syncer).
package store

import (
	"errors"

	"jsnode/node/subject"
)

// Errors of a store.
var (
	// ErrNotFound means no message has that sequence (never stored, or
	// beyond the last) or none matches the filter.
	ErrNotFound = errors.New("store: no message found")
	// ErrDeleted means the message at that sequence was removed.
	ErrDeleted = errors.New("store: message deleted")
	// ErrCorrupt means the stored record failed its checksum (or could
	// not be decoded): the message is reported, never served.
	ErrCorrupt = errors.New("store: message record corrupt")
	// ErrStopped means the store was stopped or deleted.
	ErrStopped = errors.New("store: stopped")
	// ErrFailed means an earlier write or sync failed; the store accepts
	// no more writes until it is reopened (what is durable stays so).
	ErrFailed = errors.New("store: failed")
	// ErrTooLarge means a message is larger than the store can keep (a
	// file store's record bound); nothing was stored.
	ErrTooLarge = errors.New("store: message too large")
	// ErrBadSequence means a sequence argument is out of range.
	ErrBadSequence = errors.New("store: bad sequence")
)

// Msg is one stored message. The caller owns what a load returns.
type Msg struct {
	Subject string
	// Header is the complete NATS/1.0 header block, or nil.
	Header []byte
	Data   []byte
	Seq    uint64
	// Time is when the message was stored, in Unix nanoseconds.
	Time int64
}

// State is a store's summary. FirstSeq is LastSeq+1 when the store holds
// no message (both 0 in a store that never held one and has no first
// sequence set).
type State struct {
	Msgs      uint64
	Bytes     uint64 // the accounting size of the messages (see MsgSize)
	FirstSeq  uint64
	FirstTime int64 // Unix ns; 0 when empty
	LastSeq   uint64
	LastTime  int64 // Unix ns of the last message stored; 0 if none
	// NumSubjects is how many distinct subjects the messages have.
	NumSubjects int
	// NumDeleted counts the sequences in [FirstSeq, LastSeq] that hold
	// no message (removed, or lost).
	NumDeleted int
	// Lost lists the messages found damaged (by recovery or by a read),
	// which are no longer served.
	Lost *Lost
}

// Lost describes messages lost to corruption.
type Lost struct {
	Msgs  []uint64 // sequences, ascending
	Bytes uint64
}

// SubjectState is the per-subject index entry.
type SubjectState struct {
	Msgs  uint64
	First uint64
	Last  uint64
}

// Store is a stream's message log. Sequences are dense from the first
// sequence on: Append gives LastSeq+1, and a removed or purged sequence is
// never given again.
type Store interface {
	// Append stores a message at LastSeq+1, stamped ts (Unix ns). ttl > 0
	// is a per-message time to live in nanoseconds: the message is
	// listed by Expired once ts+ttl has passed. The message is readable
	// at once; it is durable once a later WhenDurable's done has run.
	Append(subj string, hdr, data []byte, ts, ttl int64) (seq uint64, err error)
	// WhenDurable calls done once everything appended, removed or purged
	// before the call is durable, or with the error that prevented it.
	// Calls made while a sync runs share the next one (group commit).
	// done runs on the loop; a memory store calls it before returning,
	// and so may any store with nothing to wait for (an error, a
	// stopped store, the file store's relaxed mode).
	WhenDurable(done func(err error))

	// Load returns the message at seq (ErrNotFound, ErrDeleted or
	// ErrCorrupt otherwise).
	Load(seq uint64) (*Msg, error)
	// LoadNext returns the first message at or after start whose subject
	// matches filter ("" and ">" match all; wildcards allowed).
	LoadNext(filter string, start uint64) (*Msg, error)
	// LoadLast returns the last message whose subject matches filter.
	LoadLast(filter string) (*Msg, error)

	// Remove deletes the message at seq, reporting whether it existed;
	// erase also overwrites its bytes where they are stored.
	Remove(seq uint64, erase bool) (removed bool, err error)
	// Purge removes messages whose subject matches filter ("" and ">":
	// all) and whose sequence is below upTo (0: no bound), sparing the
	// newest keep of those (0: none). It returns how many it removed.
	// Purging everything keeps LastSeq; the next append follows it.
	Purge(filter string, upTo, keep uint64) (purged uint64, err error)
	// Compact removes every message below seq. A seq beyond LastSeq+1
	// moves the next sequence to seq (the store is then empty, with
	// FirstSeq seq and LastSeq seq-1), as a first_seq or a purge to a
	// sequence does.
	Compact(seq uint64) (purged uint64, err error)

	// State is the summary (cheap: no scan).
	State() State
	// SubjectState is the index entry of one literal subject (zero if
	// the store holds none).
	SubjectState(subj string) SubjectState
	// Subjects returns the index entries of the subjects matching filter
	// ("" and ">": all).
	Subjects(filter string) map[string]SubjectState
	// FilteredState counts the messages at or after start whose subject
	// matches filter, with the first and last such sequence.
	FilteredState(filter string, start uint64) SubjectState
	// Deleted lists the sequences in [FirstSeq, LastSeq] that hold no
	// message, ascending.
	Deleted() []uint64

	// NextExpiry is the earliest ts+ttl of the messages with a TTL
	// (Unix ns), or 0 if none has one.
	NextExpiry() int64
	// Expired returns up to max sequences (ascending by expiry) whose
	// ts+ttl is at or before now. They stay stored until removed.
	Expired(now int64, max int) []uint64

	// Kind is where the store keeps its messages; State.Bytes counts
	// MsgSize of this kind.
	Kind() Kind

	// Stop closes the store; what was durable stays so.
	Stop() error
	// Delete stops the store and removes everything it stored.
	Delete() error
}

// Kind is where a store keeps its messages.
type Kind int

// The kinds, named as stream configs name them ("file", "memory").
const (
	File Kind = iota
	Memory
)

func (k Kind) String() string {
	if k == Memory {
		return "memory"
	}
	return "file"
}

// MsgSize is the accounting size of a message (State.Bytes, limits), as
// nats-server counts it for each kind, so max_bytes and the bytes clients
// see agree with it.
func MsgSize(k Kind, subj string, hdr, data []byte) uint64 {
	if k == Memory {
		return uint64(len(subj) + len(hdr) + len(data) + 16)
	}
	// record length, sequence, time and subject length (22), the
	// subject, the header length when there are headers (4), the
	// header, the payload and the checksum (8).
	n := 22 + len(subj) + len(data) + 8
	if len(hdr) > 0 {
		n += 4 + len(hdr)
	}
	return uint64(n)
}

// MatchAll reports whether filter matches every subject.
func MatchAll(filter string) bool { return filter == "" || filter == ">" }

// Matches reports whether subj matches filter ("" and ">" match all).
func Matches(filter, subj string) bool {
	return MatchAll(filter) || subject.Match(filter, subj)
}
