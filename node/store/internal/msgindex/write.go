package msgindex

import "strings"

// Add indexes a message at seq, which must be above Last (sequences
// skipped become dead slots).
func (x *Index[P]) Add(seq uint64, subj string, ts, exp int64, size uint64, p P) {
	if x.msgs == 0 {
		x.slots = x.slots[:0]
		x.first = seq
	} else {
		for n := seq - x.last - 1; n > 0; n-- {
			x.slots = append(x.slots, slot[P]{})
		}
	}
	sub := x.subjects[subj]
	if sub == nil {
		// Clone: the index must not pin a caller's larger buffer.
		sub = &Subject{Name: strings.Clone(subj)}
		sub.First = seq
		x.subjects[subj] = sub
	} else {
		x.slots[sub.Last-x.first].next = seq
	}
	x.slots = append(x.slots, slot[P]{subj: sub, prev: sub.Last, ts: ts, exp: exp, size: size, p: p})
	sub.Last = seq
	sub.Msgs++
	x.last, x.lastTime = seq, ts
	x.msgs++
	x.bytes += size
	if exp != 0 {
		x.pushTTL(exp, seq)
	}
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
	for n := seq - x.last; n > 0; n-- {
		x.slots = append(x.slots, slot[P]{})
	}
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
	sub := s.subj
	if s.prev != 0 {
		x.slots[s.prev-x.first].next = s.next
	} else {
		sub.First = s.next
	}
	if s.next != 0 {
		x.slots[s.next-x.first].prev = s.prev
	} else {
		sub.Last = s.prev
	}
	if sub.Msgs--; sub.Msgs == 0 {
		delete(x.subjects, sub.Name)
	}
	x.msgs--
	x.bytes -= s.size
	if s.exp != 0 {
		x.ttlLive--
	}
	*s = slot[P]{}
}

// trimFront drops the dead slots before the first live one, so first is
// again the first live sequence.
func (x *Index[P]) trimFront() {
	if x.msgs == 0 {
		x.reset()
		return
	}
	i := 0
	for !x.slots[i].live() {
		i++
	}
	x.dropFront(i)
}

// dropFront forgets the first k slots (already dead or unlinked).
func (x *Index[P]) dropFront(k int) {
	clear(x.slots[:k])
	x.slots = x.slots[k:]
	x.first += uint64(k)
	// Reslicing from the front leaves the dropped prefix allocated until
	// the next growth; copy out when most of the array is wasted.
	if c := cap(x.slots); c > 1024 && len(x.slots) < c/4 {
		x.slots = append(make([]slot[P], 0, 2*len(x.slots)), x.slots...)
	}
}

// reset empties the index, keeping LastSeq (the next sequence follows it).
func (x *Index[P]) reset() {
	x.slots = nil
	x.subjects = map[string]*Subject{}
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
	k := int(seq - x.first)
	for i := range k {
		if s := &x.slots[i]; s.live() {
			if each != nil {
				each(x.first+uint64(i), s.p)
			}
			x.unlink(x.first+uint64(i), s)
			n++
		}
	}
	if x.msgs == 0 {
		x.reset()
		return n
	}
	x.dropFront(k)
	x.trimFront()
	return n
}
