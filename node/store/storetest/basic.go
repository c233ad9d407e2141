package storetest

import (
	"testing"

	"jsnode/node/store"
)

var _ = register("Empty", func(t *testing.T, s store.Store) {
	st := s.State()
	if st != (store.State{}) {
		t.Fatalf("State of an empty store = %+v", st)
	}
	_, err := s.Load(1)
	wantErr(t, "Load(1)", err, store.ErrNotFound)
	_, err = s.Load(0)
	wantErr(t, "Load(0)", err, store.ErrNotFound)
	_, err = s.LoadNext(">", 0)
	wantErr(t, "LoadNext", err, store.ErrNotFound)
	_, err = s.LoadLast("")
	wantErr(t, "LoadLast", err, store.ErrNotFound)
	wantSeqs(t, "Deleted", s.Deleted(), nil)
	if s.NextExpiry() != 0 || len(s.Expired(1<<62, 10)) != 0 {
		t.Fatal("an empty store has expiries")
	}
	wantSubject(t, s, "a", store.SubjectState{})
	if n := len(s.Subjects("")); n != 0 {
		t.Fatalf("Subjects = %d entries", n)
	}
	if fs := s.FilteredState(">", 0); fs != (store.SubjectState{}) {
		t.Fatalf("FilteredState = %+v", fs)
	}
	if ok, err := s.Remove(1, false); ok || err != nil {
		t.Fatalf("Remove(1) = %v, %v", ok, err)
	}
	if n, err := s.Purge("", 0, 0); n != 0 || err != nil {
		t.Fatalf("Purge = %d, %v", n, err)
	}
	if n, err := s.Compact(1); n != 0 || err != nil {
		t.Fatalf("Compact(1) = %d, %v", n, err)
	}
	seq, err := s.Append("a", nil, []byte("x"), 5, 0)
	if seq != 1 || err != nil {
		t.Fatalf("first Append = %d, %v", seq, err)
	}
})

var _ = register("AppendLoad", func(t *testing.T, s store.Store) {
	hdr := []byte("NATS/1.0\r\nA: b\r\n\r\n")
	in := []byte("hello")
	var bytes uint64
	for i := uint64(1); i <= 5; i++ {
		var h []byte
		if i%2 == 0 {
			h = hdr
		}
		seq, err := s.Append("foo.bar", h, in, int64(100*i), 0)
		if err != nil || seq != i {
			t.Fatalf("Append = %d, %v", seq, err)
		}
		bytes += size(s, "foo.bar", h, in)
	}
	in[0] = 'X' // the store copied the input
	for i := uint64(1); i <= 5; i++ {
		var h []byte
		if i%2 == 0 {
			h = hdr
		}
		m := mustLoad(t, s, i)
		sameMsg(t, m, "foo.bar", h, []byte("hello"), i, int64(100*i))
		m.Data[0] = 'Y' // the caller owns what a load returns
	}
	sameMsg(t, mustLoad(t, s, 2), "foo.bar", hdr, []byte("hello"), 2, 200)
	st := s.State()
	if st.Msgs != 5 || st.Bytes != bytes || st.FirstSeq != 1 || st.LastSeq != 5 ||
		st.FirstTime != 100 || st.LastTime != 500 || st.NumSubjects != 1 || st.NumDeleted != 0 {
		t.Fatalf("State = %+v (bytes want %d)", st, bytes)
	}
	_, err := s.Load(6)
	wantErr(t, "Load(6)", err, store.ErrNotFound)
	// empty payloads and subjects of every length
	seq, err := s.Append("x", nil, nil, 600, 0)
	if err != nil || seq != 6 {
		t.Fatalf("Append empty = %d, %v", seq, err)
	}
	m := mustLoad(t, s, 6)
	if len(m.Data) != 0 || m.Header != nil || m.Subject != "x" {
		t.Fatalf("empty message = %+v", m)
	}
})

var _ = register("WhenDurable", func(t *testing.T, s store.Store) {
	appendN(t, s, 3, "a")
	var calls []error
	s.WhenDurable(func(err error) { calls = append(calls, err) })
	appendN(t, s, 2, "a")
	s.WhenDurable(func(err error) { calls = append(calls, err) })
	settle(s)
	if len(calls) != 2 || calls[0] != nil || calls[1] != nil {
		t.Fatalf("done calls = %v", calls)
	}
	// with nothing new written it still answers
	s.WhenDurable(func(err error) { calls = append(calls, err) })
	settle(s)
	if len(calls) != 3 || calls[2] != nil {
		t.Fatalf("done calls = %v", calls)
	}
})

var _ = register("RemoveFirstMiddleLast", func(t *testing.T, s store.Store) {
	appendN(t, s, 10, "a", "b")
	b0 := s.State().Bytes
	sz := size(s, "a", nil, msgData(5))
	remove := func(seq uint64, want bool) {
		t.Helper()
		if ok, err := s.Remove(seq, false); ok != want || err != nil {
			t.Fatalf("Remove(%d) = %v, %v; want %v", seq, ok, err, want)
		}
	}
	remove(5, true)
	wantState(t, s, 9, 1, 10, 1)
	wantSeqs(t, "Deleted", s.Deleted(), []uint64{5})
	if got := s.State().Bytes; got != b0-sz {
		t.Fatalf("Bytes = %d, want %d", got, b0-sz)
	}
	_, err := s.Load(5)
	wantErr(t, "Load(5)", err, store.ErrDeleted)
	remove(5, false)
	remove(11, false)
	remove(0, false)
	remove(1, true)
	wantState(t, s, 8, 2, 10, 1)
	remove(2, true)
	remove(3, true)
	// the first message moves past the removed 5
	remove(4, true)
	wantState(t, s, 5, 6, 10, 0)
	_, err = s.Load(2)
	wantErr(t, "Load(2) below first", err, store.ErrNotFound)
	remove(10, true)
	wantState(t, s, 4, 6, 10, 1)
	wantSeqs(t, "Deleted", s.Deleted(), []uint64{10})
	wantSubject(t, s, "b", store.SubjectState{Msgs: 2, First: 6, Last: 8})
	wantSubject(t, s, "a", store.SubjectState{Msgs: 2, First: 7, Last: 9})
	seq, err := s.Append("c", nil, nil, 0, 0)
	if seq != 11 || err != nil {
		t.Fatalf("Append after removing the last = %d, %v", seq, err)
	}
	for _, seq := range []uint64{6, 7, 8, 9, 11} {
		remove(seq, true)
	}
	wantState(t, s, 0, 12, 11, 0)
	if st := s.State(); st.Bytes != 0 || st.NumSubjects != 0 || st.FirstTime != 0 {
		t.Fatalf("emptied State = %+v", st)
	}
	seq, _ = s.Append("c", nil, nil, 0, 0)
	if seq != 12 {
		t.Fatalf("Append after emptying = %d, want 12", seq)
	}
})

var _ = register("RemoveErase", func(t *testing.T, s store.Store) {
	appendN(t, s, 3, "a")
	if ok, err := s.Remove(2, true); !ok || err != nil {
		t.Fatalf("Remove(2, erase) = %v, %v", ok, err)
	}
	_, err := s.Load(2)
	wantErr(t, "Load(2)", err, store.ErrDeleted)
	sameMsg(t, mustLoad(t, s, 3), "a", nil, msgData(3), 3, 1003)
	wantSubject(t, s, "a", store.SubjectState{Msgs: 2, First: 1, Last: 3})
})

var _ = register("Stop", func(t *testing.T, s store.Store) {
	appendN(t, s, 2, "a")
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	_, err := s.Append("a", nil, nil, 0, 0)
	wantErr(t, "Append after Stop", err, store.ErrStopped)
	_, err = s.Load(1)
	wantErr(t, "Load after Stop", err, store.ErrStopped)
	_, err = s.Remove(1, false)
	wantErr(t, "Remove after Stop", err, store.ErrStopped)
	_, err = s.Purge("", 0, 0)
	wantErr(t, "Purge after Stop", err, store.ErrStopped)
	var got error
	s.WhenDurable(func(err error) { got = err })
	settle(s)
	wantErr(t, "WhenDurable after Stop", got, store.ErrStopped)
})

var _ = register("Delete", func(t *testing.T, s store.Store) {
	appendN(t, s, 2, "a")
	if err := s.Delete(); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err := s.Append("a", nil, nil, 0, 0)
	wantErr(t, "Append after Delete", err, store.ErrStopped)
})
