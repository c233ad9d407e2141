package raftcheck

import (
	"fmt"
	"hash/fnv"
)

// The check names; sim's scenarios select checks by them.
const (
	ElectionSafety     = "raft-election-safety"
	LogMatching        = "raft-log-matching"
	LeaderCompleteness = "raft-leader-completeness"
	StateMachineSafety = "raft-state-machine-safety"
	CommittedNeverLost = "raft-committed-never-lost"
	CommitCurrentTerm  = "raft-commit-current-term"
)

// Violation is one broken property: the check it fails and what happened.
type Violation struct {
	Check, Msg string
}

func (v Violation) String() string { return v.Check + ": " + v.Msg }

// Entry is a log entry as the checker sees it: its place and a digest of
// its content (type and data).
type Entry struct {
	Index, Term, Digest uint64
}

// Digest is the content digest of an entry of type typ carrying data.
func Digest(typ byte, data []byte) uint64 {
	h := fnv.New64a()
	h.Write([]byte{typ})
	h.Write(data)
	return h.Sum64()
}

// Log is what the checker reads of one member's log.
type Log interface {
	// Term is the term of the entry at index (at the snapshot's index,
	// the snapshot's term), or an error if the log does not hold it.
	Term(index uint64) (uint64, error)
}

// LogFunc adapts a function to Log.
type LogFunc func(index uint64) (uint64, error)

// Term calls f.
func (f LogFunc) Term(index uint64) (uint64, error) { return f(index) }

// Checker holds what all members of one group were seen doing.
type Checker struct {
	report     func(Violation)
	leaders    map[uint64]string // term -> first leader seen
	splitTerms map[uint64]bool   // terms with two leaders, reported
	votes      map[voteKey]string
	entries    map[entryKey]entryRec
	committed  []commitRec // index i at [i-1]
	states     map[uint64]stateRec
}

type voteKey struct {
	voter string
	term  uint64
}

type entryKey struct{ index, term uint64 }

// entryRec is the first sighting of an (index, term).
type entryRec struct {
	digest    uint64
	prevTerm  uint64
	prevKnown bool
	member    string
}

// commitRec is an entry known committed: its term and content, and a
// term by which it was committed (the lowest term of a member that
// applied it: a member learns of a commit only from a leader of a term
// no later than its own).
type commitRec struct {
	known  bool
	term   uint64
	digest uint64
	byTerm uint64
	member string
}

// stateRec is the first application state seen after an index.
type stateRec struct {
	digest uint64
	member string
}

// New returns a checker that calls report with each violation, in the
// order they happen.
func New(report func(Violation)) *Checker {
	return &Checker{report: report, leaders: make(map[uint64]string), splitTerms: make(map[uint64]bool),
		votes: make(map[voteKey]string), entries: make(map[entryKey]entryRec), states: make(map[uint64]stateRec)}
}

func (c *Checker) violate(check, format string, args ...any) {
	c.report(Violation{Check: check, Msg: fmt.Sprintf(format, args...)})
}

// Leaders is how many terms have had a leader.
func (c *Checker) Leaders() int { return len(c.leaders) }

// Committed is the highest index some member applied.
func (c *Checker) Committed() uint64 { return uint64(len(c.committed)) }

// CommittedTerm is the term of the entry applied at index, if any member
// applied one there.
func (c *Checker) CommittedTerm(index uint64) (uint64, bool) {
	if r := c.commitAt(index); r != nil {
		return r.term, true
	}
	return 0, false
}

func (c *Checker) commitAt(i uint64) *commitRec {
	if i == 0 || i > uint64(len(c.committed)) || !c.committed[i-1].known {
		return nil
	}
	return &c.committed[i-1]
}

// commit returns the record of index i, growing the list to it.
func (c *Checker) commit(i uint64) *commitRec {
	for uint64(len(c.committed)) < i {
		c.committed = append(c.committed, commitRec{})
	}
	return &c.committed[i-1]
}

// Voted observes voter granting candidate its vote in term.
func (c *Checker) Voted(voter, candidate string, term uint64) {
	k := voteKey{voter: voter, term: term}
	if prev, ok := c.votes[k]; ok && prev != candidate {
		c.violate(ElectionSafety, "double vote: %s voted for %s and %s in term %d", voter, prev, candidate, term)
		return
	}
	c.votes[k] = candidate
}

// Final checks, once the members have converged, that member holds every
// committed entry after its snapshot (at index snapshot), and that the
// snapshot agrees with the commit.
func (c *Checker) Final(member string, snapshot uint64, log Log) {
	c.checkSnapshotTerm(member, snapshot, log)
	for i := snapshot + 1; i <= uint64(len(c.committed)); i++ {
		r := c.commitAt(i)
		if r == nil {
			continue
		}
		if t, err := log.Term(i); err != nil || t != r.term {
			c.violate(CommittedNeverLost, "committed entry lost: %s has term %d (%v) at committed index %d (term %d)", member, t, err, i, r.term)
			return
		}
	}
}

// checkSnapshotTerm: a member's stored snapshot must agree with the commit.
func (c *Checker) checkSnapshotTerm(member string, index uint64, log Log) {
	r := c.commitAt(index)
	if r == nil {
		return
	}
	if t, err := log.Term(index); err == nil && t != r.term {
		c.violate(CommittedNeverLost, "committed entry lost: %s's snapshot at %d has term %d, committed term %d", member, index, t, r.term)
	}
}
