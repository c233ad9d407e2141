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

// Subject is one literal subject's entry; id names it in the slots.
type Subject struct {
	Name string
	Counts
	id uint32
}

// slot is one sequence. A dead slot (removed, lost, or a gap) keeps only
// its place. It names its subject by id, not by pointer, so a payload
// without pointers (the file store's) leaves the slots pointer-free: the
// GC never scans them and growing them needs no write barriers.
type slot[P any] struct {
	sid        uint32 // subject id; 0: dead
	size       uint32
	prev, next uint64 // neighbours with the same subject; 0: none
	ts         int64
	exp        int64 // ts+ttl; 0: no TTL
	p          P
}

func (s *slot[P]) live() bool { return s.sid != 0 }

// Index is the sequence, subject and TTL index of a store.
type Index[P any] struct {
	// first is the first live sequence (or last+1 when empty, or 0 in a
	// store that never held anything); the pages hold a slot for every
	// sequence in [first, last] while a message is held.
	first, last uint64
	lastTime    int64
	slots       pages[P]
	msgs, bytes uint64
	subjects    map[string]*Subject
	subs        []*Subject // by id; subs[0] is unused
	freeIDs     []uint32
	ttl         ttlHeap
	ttlLive     int
}

// New returns an empty index whose first sequence is first (0: unset).
func New[P any](first uint64) *Index[P] {
	x := &Index[P]{subjects: map[string]*Subject{}, subs: []*Subject{nil}}
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
		st.FirstTime = x.slots.at(x.first).ts
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
	return s.p, x.subs[s.sid].Name, s.ts, true
}

// Size is the accounting size of a live seq (0 otherwise).
func (x *Index[P]) Size(seq uint64) uint64 {
	if s := x.slot(seq); s != nil && s.live() {
		return uint64(s.size)
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
	return x.slots.at(seq)
}
