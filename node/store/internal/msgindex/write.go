package msgindex

import "strings"

// Add indexes a message at seq, which must be above Last (sequences
// skipped become dead slots).
func (x *Index[P]) Add(seq uint64, subj string, ts, exp int64, size uint64, p P) {
	if x.msgs == 0 {
		x.slots.restart(seq)
		x.first = seq
	}
	// skipped sequences are the zero (dead) slots already there
	x.slots.extend(seq)
	sub := x.subjects[subj]
	if sub == nil {
		sub = x.newSubject(subj)
		sub.First = seq
	} else {
		x.slots.at(sub.Last).next = seq
	}
	*x.slots.at(seq) = slot[P]{sid: sub.id, prev: sub.Last, ts: ts, exp: exp, size: uint32(size), p: p}
	sub.Last = seq
	sub.Msgs++
	x.last, x.lastTime = seq, ts
	x.msgs++
	x.bytes += size
	if exp != 0 {
		x.pushTTL(exp, seq)
	}
}

func (x *Index[P]) newSubject(name string) *Subject {
	// Clone: the index must not pin a caller's larger buffer.
	sub := &Subject{Name: strings.Clone(name)}
	if n := len(x.freeIDs); n > 0 {
		sub.id = x.freeIDs[n-1]
		x.freeIDs = x.freeIDs[:n-1]
		x.subs[sub.id] = sub
	} else {
		sub.id = uint32(len(x.subs))
		x.subs = append(x.subs, sub)
	}
	x.subjects[sub.Name] = sub
	return sub
}

// SetLast raises LastSeq to seq without a message (recovery of removed
// tail sequences, Compact beyond the end).
func (x *Index[P]) SetLast(seq uint64) {
	if seq <= x.last {
		return
	}
	if x.msgs == 0 {
		x.first, x.last = seq+1, seq
		return
	}
	x.slots.extend(seq)
	x.last = seq
}

// Update replaces the payload of a live seq.
func (x *Index[P]) Update(seq uint64, p P) bool {
	s := x.slot(seq)
	if s == nil || !s.live() {
		return false
	}
	s.p = p
	return true
}

// Remove drops the message at seq and returns its payload.
func (x *Index[P]) Remove(seq uint64) (p P, ok bool) {
	s := x.slot(seq)
	if s == nil || !s.live() {
		return p, false
	}
	p = s.p
	x.unlink(seq, s)
	if seq == x.first {
		x.trimFront()
	}
	return p, true
}

// unlink takes a live slot out of the subject list and the totals.
func (x *Index[P]) unlink(seq uint64, s *slot[P]) {
	sub := x.subs[s.sid]
	if s.prev != 0 {
		x.slots.at(s.prev).next = s.next
	} else {
		sub.First = s.next
	}
	if s.next != 0 {
		x.slots.at(s.next).prev = s.prev
	} else {
		sub.Last = s.prev
	}
	if sub.Msgs--; sub.Msgs == 0 {
		delete(x.subjects, sub.Name)
		x.subs[sub.id] = nil
		x.freeIDs = append(x.freeIDs, sub.id)
	}
	x.msgs--
	x.bytes -= uint64(s.size)
	if s.exp != 0 {
		x.ttlLive--
	}
	*s = slot[P]{}
}

// trimFront moves first past the dead slots before the first live one.
func (x *Index[P]) trimFront() {
	if x.msgs == 0 {
		x.reset()
		return
	}
	for !x.slots.at(x.first).live() {
		x.first++
	}
	x.slots.freeBelow(x.first)
}

// reset empties the index, keeping LastSeq (the next sequence follows it).
func (x *Index[P]) reset() {
	x.slots.restart(0)
	x.subjects = map[string]*Subject{}
	x.subs, x.freeIDs = []*Subject{nil}, nil
	x.ttl = nil
	x.ttlLive = 0
	x.msgs, x.bytes = 0, 0
	// A store that never held a message nor had a first sequence set
	// reports 0 for both.
	if x.first != 0 || x.last != 0 {
		x.first = x.last + 1
	}
}

// PurgeAll removes every message and returns how many there were.
func (x *Index[P]) PurgeAll() uint64 {
	n := x.msgs
	x.reset()
	return n
}

// Compact removes every message below seq, calling each (if not nil) for
// each removed one first. A seq beyond Last+1 moves the next sequence to
// seq.
func (x *Index[P]) Compact(seq uint64, each func(seq uint64, p P)) uint64 {
	if seq > x.last+1 {
		n := x.compactBelow(x.last+1, each)
		x.first, x.last = seq, seq-1
		return n
	}
	return x.compactBelow(seq, each)
}

func (x *Index[P]) compactBelow(seq uint64, each func(uint64, P)) uint64 {
	if x.msgs == 0 || seq <= x.first {
		return 0
	}
	var n uint64
	for q := x.first; q < seq; q++ {
		if s := x.slots.at(q); s.live() {
			if each != nil {
				each(q, s.p)
			}
			x.unlink(q, s)
			n++
		}
	}
	if x.msgs == 0 {
		x.reset()
		return n
	}
	x.first = seq
	x.trimFront()
	return n
}
