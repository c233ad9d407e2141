package msgindex

import "jsnode/node/subject"

// MatchAll reports whether filter matches every subject.
func MatchAll(filter string) bool { return filter == "" || filter == ">" }

// matcher memoizes filter matching per subject entry during one scan.
type matcher struct {
	filter string
	all    bool
	memo   map[*Subject]bool
}

func newMatcher(filter string) *matcher {
	return &matcher{filter: filter, all: MatchAll(filter)}
}

func (m *matcher) match(s *Subject) bool {
	if m.all {
		return true
	}
	if ok, seen := m.memo[s]; seen {
		return ok
	}
	if m.memo == nil {
		m.memo = map[*Subject]bool{}
	}
	ok := subject.Match(m.filter, s.Name)
	m.memo[s] = ok
	return ok
}

// literal reports whether filter names one subject.
func literal(filter string) bool {
	return !MatchAll(filter) && subject.IsLiteral(filter)
}

// SubjectState is the entry of a literal subject.
func (x *Index[P]) SubjectState(subj string) Counts {
	if s := x.subjects[subj]; s != nil {
		return s.Counts
	}
	return Counts{}
}

// Subjects calls each for the subjects matching filter, in no order.
func (x *Index[P]) Subjects(filter string, each func(name string, c Counts)) {
	if literal(filter) {
		if s := x.subjects[filter]; s != nil {
			each(filter, s.Counts)
		}
		return
	}
	for name, s := range x.subjects {
		if MatchAll(filter) || subject.Match(filter, name) {
			each(name, s.Counts)
		}
	}
}

// Next returns the first live sequence at or after start matching filter.
func (x *Index[P]) Next(filter string, start uint64) (uint64, bool) {
	if x.msgs == 0 || start > x.last {
		return 0, false
	}
	start = max(start, x.first)
	end := x.last
	if !MatchAll(filter) {
		lo, hi, ok := x.bounds(filter, start)
		if !ok {
			return 0, false
		}
		if lo >= start {
			return lo, true
		}
		end = hi
	}
	m := newMatcher(filter)
	for seq := start; seq <= end; seq++ {
		if s := x.slots.at(seq); s.live() && m.match(x.subs[s.sid]) {
			return seq, true
		}
	}
	return 0, false
}

// bounds returns, over the subjects matching filter that hold a message
// at or after start, the smallest First and the largest Last. When lo is
// below start the first match at or after start lies in [start, hi].
func (x *Index[P]) bounds(filter string, start uint64) (lo, hi uint64, ok bool) {
	visit := func(s *Subject) {
		if s.Last < start {
			return
		}
		if !ok || s.First < lo {
			lo = s.First
		}
		hi = max(hi, s.Last)
		ok = true
	}
	if literal(filter) {
		if s := x.subjects[filter]; s != nil {
			visit(s)
		}
		return lo, hi, ok
	}
	for name, s := range x.subjects {
		if subject.Match(filter, name) {
			visit(s)
		}
	}
	return lo, hi, ok
}

// LastMatch returns the last live sequence matching filter.
func (x *Index[P]) LastMatch(filter string) (uint64, bool) {
	if x.msgs == 0 {
		return 0, false
	}
	if MatchAll(filter) {
		return x.lastLive(), true
	}
	_, hi, ok := x.bounds(filter, 0)
	return hi, ok
}

func (x *Index[P]) lastLive() uint64 {
	seq := x.last
	for !x.slots.at(seq).live() {
		seq--
	}
	return seq
}

// Filtered counts the live messages at or after start matching filter.
func (x *Index[P]) Filtered(filter string, start uint64) Counts {
	var out Counts
	if x.msgs == 0 || start > x.last {
		return out
	}
	start = max(start, x.first)
	switch {
	case MatchAll(filter) && start == x.first:
		return Counts{Msgs: x.msgs, First: x.first, Last: x.lastLive()}
	case literal(filter):
		return x.filteredLiteral(filter, start)
	case start == x.first:
		return x.filteredSubjects(filter)
	}
	m := newMatcher(filter)
	for seq := start; seq <= x.last; seq++ {
		if s := x.slots.at(seq); s.live() && m.match(x.subs[s.sid]) {
			if out.Msgs == 0 {
				out.First = seq
			}
			out.Msgs++
			out.Last = seq
		}
	}
	return out
}

// filteredLiteral walks the subject's list back from its last message.
func (x *Index[P]) filteredLiteral(subj string, start uint64) Counts {
	s := x.subjects[subj]
	if s == nil || s.Last < start {
		return Counts{}
	}
	if s.First >= start {
		return s.Counts
	}
	out := Counts{Last: s.Last}
	for seq := s.Last; seq != 0 && seq >= start; seq = x.slots.at(seq).prev {
		out.Msgs++
		out.First = seq
	}
	return out
}

func (x *Index[P]) filteredSubjects(filter string) Counts {
	var out Counts
	for name, s := range x.subjects {
		if !subject.Match(filter, name) {
			continue
		}
		if out.Msgs == 0 || s.First < out.First {
			out.First = s.First
		}
		out.Msgs += s.Msgs
		out.Last = max(out.Last, s.Last)
	}
	return out
}

// Deleted lists the dead sequences in [first, last].
func (x *Index[P]) Deleted() []uint64 {
	var out []uint64
	if x.msgs == 0 {
		return out
	}
	for seq := x.first; seq <= x.last; seq++ {
		if !x.slots.at(seq).live() {
			out = append(out, seq)
		}
	}
	return out
}

// PurgeList returns the sequences Purge(filter, upTo, keep) removes:
// the live ones matching filter below upTo (0: no bound), but for the
// newest keep of them.
func (x *Index[P]) PurgeList(filter string, upTo, keep uint64) []uint64 {
	if x.msgs == 0 {
		return nil
	}
	end := x.last
	if upTo != 0 {
		if upTo <= x.first {
			return nil
		}
		end = min(end, upTo-1)
	}
	var seqs []uint64
	if s := x.subjects[filter]; literal(filter) && s != nil {
		for seq := s.First; seq != 0 && seq <= end; seq = x.slots.at(seq).next {
			seqs = append(seqs, seq)
		}
	} else if !literal(filter) {
		m := newMatcher(filter)
		for seq := x.first; seq <= end; seq++ {
			if s := x.slots.at(seq); s.live() && m.match(x.subs[s.sid]) {
				seqs = append(seqs, seq)
			}
		}
	}
	if uint64(len(seqs)) <= keep {
		return nil
	}
	return seqs[:uint64(len(seqs))-keep]
}
