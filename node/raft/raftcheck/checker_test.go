package raftcheck

import (
	"errors"
	"strings"
	"testing"
)

// newTest returns a checker and the violations it reported so far.
func newTest() (*Checker, *[]Violation) {
	var got []Violation
	return New(func(v Violation) { got = append(got, v) }), &got
}

// terms is a Log holding the given terms at indexes 1, 2, ...; index 0
// reads as term 0 and every other index as missing.
func terms(ts ...uint64) Log {
	return LogFunc(func(i uint64) (uint64, error) {
		switch {
		case i == 0:
			return 0, nil
		case i > uint64(len(ts)):
			return 0, errors.New("not held")
		}
		return ts[i-1], nil
	})
}

// expect fails unless got is exactly one violation of check whose
// message contains want, then clears got.
func expect(t *testing.T, got *[]Violation, check, want string) {
	t.Helper()
	if len(*got) != 1 || (*got)[0].Check != check || !strings.Contains((*got)[0].Msg, want) {
		t.Fatalf("got %v, want one %s containing %q", *got, check, want)
	}
	*got = nil
}

func expectNone(t *testing.T, got *[]Violation) {
	t.Helper()
	if len(*got) != 0 {
		t.Fatalf("unexpected violations %v", *got)
	}
}

func TestSplitTermReportedOnce(t *testing.T) {
	c, got := newTest()
	if !c.Member("a").Leading(3, 0, terms()) {
		t.Fatal("the first leader of term 3 was not reported as such")
	}
	a2 := c.Member("a") // a restarted: leading the same term is no split
	if a2.Leading(3, 0, terms()) {
		t.Fatal("a second sighting of term 3 was reported as its first leader")
	}
	expectNone(t, got)
	c.Member("b").Leading(3, 0, terms())
	expect(t, got, ElectionSafety, "election safety: b leads term 3, which a already led")
	c.Member("c").Leading(3, 0, terms())
	expectNone(t, got)
	if c.Leaders() != 1 {
		t.Fatalf("Leaders = %d", c.Leaders())
	}
}

func TestDoubleVote(t *testing.T) {
	c, got := newTest()
	c.Voted("a", "b", 2)
	c.Voted("a", "b", 2) // a duplicated grant
	c.Voted("a", "c", 3)
	expectNone(t, got)
	c.Voted("a", "c", 2)
	expect(t, got, ElectionSafety, "double vote: a voted for b and c in term 2")
}

func TestLogMatching(t *testing.T) {
	c, got := newTest()
	a, b := c.Member("a"), c.Member("b")
	a.Appended([]Entry{{1, 1, 10}, {2, 2, 20}}, terms())
	b.Appended([]Entry{{2, 2, 20}}, terms(1))
	expectNone(t, got)
	b.Appended([]Entry{{2, 2, 21}}, terms(1))
	expect(t, got, LogMatching, "log matching: b and a hold different entries at index 2 term 2")
	b.Appended([]Entry{{2, 2, 20}}, terms(3))
	expect(t, got, LogMatching, "entry 2 term 2 follows term 3 on b but term 1 on a")
	b.Appended([]Entry{{2, 2, 20}}, terms()) // the term before is unknown
	expectNone(t, got)
}

func TestLeaderCompletenessOnlyForEarlierTerms(t *testing.T) {
	c, got := newTest()
	a := c.Member("a")
	a.Applied(Entry{1, 4, 10}, 5) // committed by term 5 at the latest
	c.Member("b").Leading(5, 0, terms())
	expectNone(t, got)
	c.Member("c").Leading(6, 0, terms(4))
	expectNone(t, got)
	c.Member("d").Leading(7, 0, terms(3))
	expect(t, got, LeaderCompleteness, "d leads term 7 without committed entry 1 (term 4, committed by term 5 on a; it has term 3, <nil>)")
	c.Member("e").Leading(8, 1, terms(4)) // holds it in its snapshot
	expectNone(t, got)
}

func TestCommittedEntryNeverOverwritten(t *testing.T) {
	c, got := newTest()
	c.Member("a").Applied(Entry{1, 2, 10}, 3)
	b := c.Member("b")
	b.Appended([]Entry{{1, 3, 11}}, terms()) // in term 3, before it learnt the commit
	expectNone(t, got)
	b.Appended([]Entry{{1, 4, 12}}, terms())
	expect(t, got, LeaderCompleteness, "b wrote term 4 at index 1, committed by term 3 with term 2 (on a)")
}

func TestStateMachineSafety(t *testing.T) {
	c, got := newTest()
	a, b := c.Member("a"), c.Member("b")
	a.Applied(Entry{1, 1, 10}, 1)
	a.State(1, 100)
	a.Applied(Entry{3, 1, 30}, 1)
	expect(t, got, StateMachineSafety, "a applies index 3 after 1")
	b.Applied(Entry{1, 1, 10}, 2)
	b.State(1, 100)
	expectNone(t, got)
	b.State(1, 101)
	expect(t, got, StateMachineSafety, "b's state after index 1 differs from a's")
	c.Member("d").Applied(Entry{1, 1, 11}, 2)
	expect(t, got, StateMachineSafety, "d applies term 1 at index 1, a applied term 1 there (same data: false)")
	b.Snapshot(1, 2)
	expect(t, got, StateMachineSafety, "b installs a snapshot at 1 term 2, committed term 1")
	b2 := c.Member("b")
	b2.Restored(3, 1)
	b2.Applied(Entry{4, 1, 40}, 2)
	expectNone(t, got)
	if term, ok := c.CommittedTerm(4); !ok || term != 1 || c.Committed() != 4 {
		t.Fatalf("CommittedTerm(4) = %d, %v; Committed = %d", term, ok, c.Committed())
	}
	if _, ok := c.CommittedTerm(2); ok {
		t.Fatal("index 2, which nobody applied, reads as committed")
	}
}

func TestFinal(t *testing.T) {
	c, got := newTest()
	a := c.Member("a")
	a.Applied(Entry{1, 1, 10}, 1)
	a.Applied(Entry{2, 2, 20}, 2)
	c.Final("a", 0, terms(1, 2))
	c.Final("b", 1, terms(1, 2))
	expectNone(t, got)
	c.Final("c", 0, terms(1))
	expect(t, got, CommittedNeverLost, "committed entry lost: c has term 0 (not held) at committed index 2 (term 2)")
	c.Final("d", 1, terms(3, 2))
	expect(t, got, CommittedNeverLost, "d's snapshot at 1 has term 3, committed term 1")
}

func TestDigestCoversTypeAndData(t *testing.T) {
	if Digest(0, []byte("x")) == Digest(1, []byte("x")) || Digest(0, []byte("x")) == Digest(0, []byte("y")) {
		t.Fatal("digest ignores the type or the data")
	}
	if Digest(0, nil) != Digest(0, []byte{}) {
		t.Fatal("nil and empty data differ")
	}
}
