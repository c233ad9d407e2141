package storetest

import (
	"errors"
	"testing"

	"jsnode/node/store"
)

// subjectsLayout: seq 1..12 on these subjects, in order.
var subjectsLayout = []string{
	"orders.eu.new", "orders.us.new", "orders.eu.paid", "audit",
	"orders.eu.new", "orders.us.paid", "audit", "orders.eu.new",
	"x.y.z", "orders.us.new", "audit", "orders.eu.paid",
}

func layout(t *testing.T, s store.Store) {
	t.Helper()
	for i, subj := range subjectsLayout {
		seq, err := s.Append(subj, nil, msgData(uint64(i+1)), int64(i+1), 0)
		if err != nil || seq != uint64(i+1) {
			t.Fatalf("Append = %d, %v", seq, err)
		}
	}
}

// modelNext is LoadNext computed from subjectsLayout minus removed.
func modelNext(filter string, start uint64, removed map[uint64]bool) (uint64, bool) {
	for i, subj := range subjectsLayout {
		seq := uint64(i + 1)
		if seq >= start && !removed[seq] && store.Matches(filter, subj) {
			return seq, true
		}
	}
	return 0, false
}

var queryFilters = []string{"", ">", "audit", "orders.>", "orders.*.new", "orders.eu.*", "*.us.*", "x.*.z", "*", "nope", "orders.eu.new", "x.>"}

func checkQueries(t *testing.T, s store.Store, removed map[uint64]bool) {
	t.Helper()
	for _, f := range queryFilters {
		for start := uint64(0); start <= 14; start++ {
			want, ok := modelNext(f, start, removed)
			m, err := s.LoadNext(f, start)
			switch {
			case !ok:
				wantErr(t, "LoadNext("+f+")", err, store.ErrNotFound)
			case err != nil || m.Seq != want || m.Subject != subjectsLayout[want-1]:
				t.Fatalf("LoadNext(%q, %d) = %+v, %v; want seq %d", f, start, m, err, want)
			}
			checkFiltered(t, s, f, start, removed)
		}
		checkLast(t, s, f, removed)
	}
}

func checkFiltered(t *testing.T, s store.Store, f string, start uint64, removed map[uint64]bool) {
	t.Helper()
	var want store.SubjectState
	for i, subj := range subjectsLayout {
		seq := uint64(i + 1)
		if seq >= start && !removed[seq] && store.Matches(f, subj) {
			if want.Msgs == 0 {
				want.First = seq
			}
			want.Msgs++
			want.Last = seq
		}
	}
	if got := s.FilteredState(f, start); got != want {
		t.Fatalf("FilteredState(%q, %d) = %+v, want %+v", f, start, got, want)
	}
}

func checkLast(t *testing.T, s store.Store, f string, removed map[uint64]bool) {
	t.Helper()
	var want uint64
	for i, subj := range subjectsLayout {
		if seq := uint64(i + 1); !removed[seq] && store.Matches(f, subj) {
			want = seq
		}
	}
	m, err := s.LoadLast(f)
	if want == 0 {
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("LoadLast(%q) = %+v, %v; want ErrNotFound", f, m, err)
		}
		return
	}
	if err != nil || m.Seq != want {
		t.Fatalf("LoadLast(%q) = %+v, %v; want %d", f, m, err, want)
	}
}

func checkSubjects(t *testing.T, s store.Store, removed map[uint64]bool) {
	t.Helper()
	want := map[string]store.SubjectState{}
	for i, subj := range subjectsLayout {
		seq := uint64(i + 1)
		if removed[seq] {
			continue
		}
		e := want[subj]
		if e.Msgs == 0 {
			e.First = seq
		}
		e.Msgs++
		e.Last = seq
		want[subj] = e
	}
	for _, f := range queryFilters {
		got := s.Subjects(f)
		n := 0
		for subj, e := range want {
			if !store.Matches(f, subj) {
				continue
			}
			n++
			if got[subj] != e {
				t.Fatalf("Subjects(%q)[%q] = %+v, want %+v", f, subj, got[subj], e)
			}
		}
		if len(got) != n {
			t.Fatalf("Subjects(%q) has %d entries, want %d", f, len(got), n)
		}
	}
	for _, subj := range subjectsLayout {
		wantSubject(t, s, subj, want[subj])
	}
	if st := s.State(); st.NumSubjects != len(want) {
		t.Fatalf("NumSubjects = %d, want %d", st.NumSubjects, len(want))
	}
}

var _ = register("QueriesWildcards", func(t *testing.T, s store.Store) {
	layout(t, s)
	removed := map[uint64]bool{}
	checkQueries(t, s, removed)
	checkSubjects(t, s, removed)
	// remove first, middle and last of a subject, and the store's ends
	for _, seq := range []uint64{1, 5, 8, 12, 4, 9} {
		if ok, _ := s.Remove(seq, false); !ok {
			t.Fatalf("Remove(%d) failed", seq)
		}
		removed[seq] = true
		checkQueries(t, s, removed)
		checkSubjects(t, s, removed)
	}
})
