package storetest

import (
	"fmt"
	"testing"

	"jsnode/node/store"
)

// wantPurged is what Purge(filter, upTo, keep) removes from subjectsLayout.
func wantPurged(filter string, upTo, keep uint64) map[uint64]bool {
	var match []uint64
	for i, subj := range subjectsLayout {
		seq := uint64(i + 1)
		if (upTo == 0 || seq < upTo) && store.Matches(filter, subj) {
			match = append(match, seq)
		}
	}
	out := map[uint64]bool{}
	for i := 0; i+int(keep) < len(match); i++ {
		out[match[i]] = true
	}
	return out
}

func init() {
	for _, f := range []string{"", ">", "audit", "orders.>", "orders.*.new", "nope"} {
		for _, upTo := range []uint64{0, 1, 5, 12, 13, 40} {
			for _, keep := range []uint64{0, 1, 2, 20} {
				f, upTo, keep := f, upTo, keep
				register(fmt.Sprintf("PurgeCombo/f=%q,upTo=%d,keep=%d", f, upTo, keep), func(t *testing.T, s store.Store) {
					layout(t, s)
					want := wantPurged(f, upTo, keep)
					n, err := s.Purge(f, upTo, keep)
					if err != nil || n != uint64(len(want)) {
						t.Fatalf("Purge = %d, %v; want %d", n, err, len(want))
					}
					checkAfterPurge(t, s, want)
				})
			}
		}
	}
}

func checkAfterPurge(t *testing.T, s store.Store, removed map[uint64]bool) {
	t.Helper()
	checkQueries(t, s, removed)
	checkSubjects(t, s, removed)
	var msgs, first, bytes uint64
	var deleted []uint64
	for i, subj := range subjectsLayout {
		seq := uint64(i + 1)
		if removed[seq] {
			if first != 0 {
				deleted = append(deleted, seq)
			}
			continue
		}
		if first == 0 {
			first = seq
		}
		msgs++
		bytes += size(s, subj, nil, msgData(seq))
	}
	// trailing removed sequences stay deleted below LastSeq
	if first == 0 {
		first = 13
		deleted = nil
	}
	wantState(t, s, msgs, first, 12, len(deleted))
	wantSeqs(t, "Deleted", s.Deleted(), deleted)
	if got := s.State().Bytes; got != bytes {
		t.Fatalf("Bytes = %d, want %d", got, bytes)
	}
	seq, err := s.Append("next", nil, nil, 0, 0)
	if err != nil || seq != 13 {
		t.Fatalf("Append after purge = %d, %v; want 13 (no reuse)", seq, err)
	}
}

var _ = register("PurgeAllKeepsLastSeq", func(t *testing.T, s store.Store) {
	appendN(t, s, 7, "a", "b")
	if n, err := s.Purge("", 0, 0); n != 7 || err != nil {
		t.Fatalf("Purge = %d, %v", n, err)
	}
	wantState(t, s, 0, 8, 7, 0)
	if st := s.State(); st.Bytes != 0 || st.NumSubjects != 0 || st.LastTime != 1007 {
		t.Fatalf("State after purge = %+v", st)
	}
	if n, _ := s.Purge("", 0, 0); n != 0 {
		t.Fatalf("second Purge = %d", n)
	}
	appendN(t, s, 1, "a")
	wantState(t, s, 1, 8, 8, 0)
	wantSubject(t, s, "a", store.SubjectState{Msgs: 1, First: 8, Last: 8})
})

var _ = register("Compact", func(t *testing.T, s store.Store) {
	appendN(t, s, 10, "a", "b")
	if n, _ := s.Compact(0); n != 0 {
		t.Fatalf("Compact(0) = %d", n)
	}
	if n, _ := s.Compact(1); n != 0 {
		t.Fatalf("Compact(1) = %d", n)
	}
	s.Remove(6, false)
	if n, err := s.Compact(5); n != 4 || err != nil {
		t.Fatalf("Compact(5) = %d, %v", n, err)
	}
	wantState(t, s, 5, 5, 10, 1)
	// compacting onto a deleted sequence moves first past it
	if n, _ := s.Compact(6); n != 1 {
		t.Fatalf("Compact(6) = %d", n)
	}
	wantState(t, s, 4, 7, 10, 0)
	wantSubject(t, s, "a", store.SubjectState{Msgs: 2, First: 7, Last: 9})
	wantSubject(t, s, "b", store.SubjectState{Msgs: 2, First: 8, Last: 10})
	if n, _ := s.Compact(11); n != 4 {
		t.Fatalf("Compact(11) = %d", n)
	}
	wantState(t, s, 0, 11, 10, 0)
	// beyond the end: the next sequence moves
	if n, _ := s.Compact(50); n != 0 {
		t.Fatalf("Compact(50) = %d", n)
	}
	wantState(t, s, 0, 50, 49, 0)
	_, err := s.Load(20)
	wantErr(t, "Load(20)", err, store.ErrNotFound)
	appendN(t, s, 2, "c")
	wantState(t, s, 2, 50, 51, 0)
	// beyond the end with messages held
	if n, _ := s.Compact(100); n != 2 {
		t.Fatalf("Compact(100) = %d", n)
	}
	wantState(t, s, 0, 100, 99, 0)
	seq, _ := s.Append("d", nil, nil, 0, 0)
	if seq != 100 {
		t.Fatalf("Append after Compact(100) = %d", seq)
	}
})

var _ = register("CompactFreshBeyond", func(t *testing.T, s store.Store) {
	if n, _ := s.Compact(10); n != 0 {
		t.Fatalf("Compact(10) = %d", n)
	}
	wantState(t, s, 0, 10, 9, 0)
	seq, _ := s.Append("a", nil, nil, 0, 0)
	if seq != 10 {
		t.Fatalf("Append = %d, want 10", seq)
	}
	wantState(t, s, 1, 10, 10, 0)
})
