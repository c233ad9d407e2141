// Package storetest is the conformance suite every store.Store passes, and
// a rapid state-machine test of a store against a naive model.
package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"jsnode/node/store"
)

// Settler is implemented by test wrappers of stores whose durability work
// runs elsewhere (a disk.SyncQueue): Settle runs it all.
type Settler interface {
	Settle()
}

// Opener returns a new, empty store with the default configuration.
type Opener func(t *testing.T) store.Store

// Run runs the conformance suite; open is called once per subtest.
func Run(t *testing.T, open Opener) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { _ = s.Stop() })
			c.run(t, s)
		})
	}
}

type testCase struct {
	name string
	run  func(t *testing.T, s store.Store)
}

var cases []testCase

func register(name string, run func(t *testing.T, s store.Store)) bool {
	cases = append(cases, testCase{name, run})
	return true
}

// settle runs pending durability work, if the store has any.
func settle(s store.Store) {
	if st, ok := s.(Settler); ok {
		st.Settle()
	}
}

func size(s store.Store, subj string, hdr, data []byte) uint64 {
	return store.MsgSize(s.Kind(), subj, hdr, data)
}

// msgData is the payload of the message a test appends at seq.
func msgData(seq uint64) []byte { return fmt.Appendf(nil, "payload-%d", seq) }

// appendN appends n messages on subjects cycled from subjs, at ts 1000+seq.
func appendN(t *testing.T, s store.Store, n int, subjs ...string) {
	t.Helper()
	for i := range n {
		seq := s.State().LastSeq + 1
		got, err := s.Append(subjs[i%len(subjs)], nil, msgData(seq), int64(1000+seq), 0)
		if err != nil || got != seq {
			t.Fatalf("Append #%d = %d, %v; want %d", i, got, err, seq)
		}
	}
}

func mustLoad(t *testing.T, s store.Store, seq uint64) *store.Msg {
	t.Helper()
	m, err := s.Load(seq)
	if err != nil {
		t.Fatalf("Load(%d): %v", seq, err)
	}
	if m.Seq != seq {
		t.Fatalf("Load(%d).Seq = %d", seq, m.Seq)
	}
	return m
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: err %v, want %v", what, err, want)
	}
}

func wantSeqs(t *testing.T, what string, got, want []uint64) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func wantState(t *testing.T, s store.Store, msgs, first, last uint64, deleted int) {
	t.Helper()
	st := s.State()
	if st.Msgs != msgs || st.FirstSeq != first || st.LastSeq != last || st.NumDeleted != deleted {
		t.Fatalf("State: msgs %d first %d last %d deleted %d; want %d %d %d %d",
			st.Msgs, st.FirstSeq, st.LastSeq, st.NumDeleted, msgs, first, last, deleted)
	}
	if got := len(s.Deleted()); got != deleted {
		t.Fatalf("len(Deleted()) = %d, want NumDeleted %d", got, deleted)
	}
}

func wantSubject(t *testing.T, s store.Store, subj string, want store.SubjectState) {
	t.Helper()
	if got := s.SubjectState(subj); got != want {
		t.Fatalf("SubjectState(%q) = %+v, want %+v", subj, got, want)
	}
}

func sameMsg(t *testing.T, got *store.Msg, subj string, hdr, data []byte, seq uint64, ts int64) {
	t.Helper()
	if got.Subject != subj || !bytes.Equal(got.Header, hdr) || !bytes.Equal(got.Data, data) ||
		got.Seq != seq || got.Time != ts || (hdr == nil) != (got.Header == nil) {
		t.Fatalf("message %+v, want subj %q hdr %q data %q seq %d ts %d", got, subj, hdr, data, seq, ts)
	}
}
