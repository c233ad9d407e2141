package msgindex

import "testing"

// A sliding window (append at the end, remove at the front, as limits
// do) keeps the pages bounded by the window, not by the sequences seen.
func TestSlidingWindowFreesPages(t *testing.T) {
	x := New[int](0)
	const window = 3 * pageSize
	for seq := uint64(1); seq <= 50*pageSize; seq++ {
		x.Add(seq, "s", int64(seq), 0, 10, int(seq))
		if seq > window {
			if _, ok := x.Remove(seq - window); !ok {
				t.Fatalf("Remove(%d) failed", seq-window)
			}
		}
	}
	if n := len(x.slots.p); n > window/pageSize+2 {
		t.Fatalf("%d pages for a window of %d sequences", n, window)
	}
	st := x.State()
	if st.Msgs != window || st.FirstSeq != 50*pageSize-window+1 || st.NumDeleted != 0 {
		t.Fatalf("State = %+v", st)
	}
	if c := x.SubjectState("s"); c.Msgs != window || c.First != st.FirstSeq || c.Last != st.LastSeq {
		t.Fatalf("SubjectState = %+v", c)
	}
}

// Subject ids are reused once a subject has no message, so the id table
// stays as large as the subjects held, not the subjects ever seen.
func TestSubjectIDsReused(t *testing.T) {
	x := New[int](0)
	for seq := uint64(1); seq <= 10000; seq++ {
		x.Add(seq, string(rune('a'+seq%26))+"."+itoa(seq), 0, 0, 1, 0)
		if seq > 5 {
			x.Remove(seq - 5)
		}
	}
	if n := len(x.subs); n > 8 {
		t.Fatalf("%d subject ids for 5 subjects held", n)
	}
}

func itoa(v uint64) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + v%10)}, b...)
		if v /= 10; v == 0 {
			return string(b)
		}
	}
}
