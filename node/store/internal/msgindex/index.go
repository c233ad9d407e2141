// Package msgindex is the in-memory index both stores share: a slot per
// sequence from the first stored one, a per-subject entry with the
// subject's messages linked in sequence order (so First and Last stay exact
// under any removal in O(1)), and a TTL heap. The memory store keeps the
// message bytes in the slot payload; the file store keeps where the record
// lies on disk. Sharing it makes both stores agree by construction.
package msgindex

// Counts is a subject's (or a filter's) entry: how many messages, the
// first and the last sequence. It converts to store.SubjectState.
type Counts struct {
	Msgs  uint64
	First uint64
	Last  uint64
}

// Subject is one literal subject's entry.
type Subject struct {
	Name string
	Counts
}

// slot is one sequence. A dead slot (removed, lost, or a gap) keeps only
// its place.
type slot[P any] struct {
	subj       *Subject
	prev, next uint64 // neighbours with the same subject; 0: none
	ts         int64
	exp        int64 // ts+ttl; 0: no TTL
	size       uint64
	p          P
}

func (s *slot[P]) live() bool { return s.subj != nil }

// Index is the sequence, subject and TTL index of a store.
type Index[P any] struct {
	// first is the first live sequence (or last+1 when empty, or 0 in a
	// store that never held anything); slots[i] is sequence first+i and
	// slots covers [first, last] exactly while a message is held.
	first, last uint64
	lastTime    int64
	slots       []slot[P]
	msgs, bytes uint64
	subjects    map[string]*Subject
	ttl         ttlHeap
	ttlLive     int
}

// New returns an empty index whose first sequence is first (0: unset).
func New[P any](first uint64) *Index[P] {
	x := &Index[P]{subjects: map[string]*Subject{}}
	if first > 0 {
		x.first, x.last = first, first-1
	}
	return x
}

// First and Last are FirstSeq and LastSeq of the store.
func (x *Index[P]) First() uint64 { return x.first }

// Last is LastSeq.
func (x *Index[P]) Last() uint64 { return x.last }

// Msgs is the number of live messages.
func (x *Index[P]) Msgs() uint64 { return x.msgs }

// Summary is the index's part of a store's State (same field names).
type Summary struct {
	Msgs, Bytes, FirstSeq, LastSeq uint64
	FirstTime, LastTime            int64
	NumSubjects, NumDeleted        int
}

// State is the summary.
func (x *Index[P]) State() Summary {
	st := Summary{
		Msgs: x.msgs, Bytes: x.bytes, FirstSeq: x.first, LastSeq: x.last,
		LastTime: x.lastTime, NumSubjects: len(x.subjects),
	}
	if x.msgs > 0 {
		st.FirstTime = x.slots[0].ts
		st.NumDeleted = int(x.last-x.first+1) - int(x.msgs)
	}
	return st
}

// SetLastTime restores LastTime on recovery.
func (x *Index[P]) SetLastTime(ts int64) { x.lastTime = ts }

// Get returns the payload of a live seq.
func (x *Index[P]) Get(seq uint64) (p P, subj string, ts int64, ok bool) {
	s := x.slot(seq)
	if s == nil || !s.live() {
		return p, "", 0, false
	}
	return s.p, s.subj.Name, s.ts, true
}

// Size is the accounting size of a live seq (0 otherwise).
func (x *Index[P]) Size(seq uint64) uint64 {
	if s := x.slot(seq); s != nil && s.live() {
		return s.size
	}
	return 0
}

// Status of a sequence.
type Status int

// Live holds a message; Deleted lies in [FirstSeq, LastSeq] without one
// (removed or lost); Outside is beyond either end.
const (
	Live Status = iota
	Deleted
	Outside
)

// Status says whether seq holds a message.
func (x *Index[P]) Status(seq uint64) Status {
	s := x.slot(seq)
	switch {
	case s != nil && s.live():
		return Live
	case s != nil:
		return Deleted
	}
	return Outside
}

func (x *Index[P]) slot(seq uint64) *slot[P] {
	if seq < x.first || seq > x.last || x.msgs == 0 {
		return nil
	}
	return &x.slots[seq-x.first]
}
