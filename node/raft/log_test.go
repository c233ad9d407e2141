package raft

import (
	"slices"
	"testing"
)

func terms(ents []Entry) []uint64 {
	var out []uint64
	for _, e := range ents {
		out = append(out, e.Term)
	}
	return out
}

func TestUnstableTruncateAndAppend(t *testing.T) {
	cases := []struct {
		name       string
		append     []Entry
		wantOffset uint64
		wantTerms  []uint64
		wantNext   []uint64 // terms of entries not yet handed out
	}{
		{"extend", entriesWithTerms(8, 2), 5, []uint64{1, 1, 1, 2}, []uint64{2}},
		{"replace all", entriesWithTerms(4, 3, 3), 4, []uint64{3, 3}, []uint64{3, 3}},
		{"replace at offset", entriesWithTerms(5, 3), 5, []uint64{3}, []uint64{3}},
		{"truncate middle", entriesWithTerms(6, 4, 4), 5, []uint64{1, 4, 4}, []uint64{4, 4}},
	}
	for _, tc := range cases {
		u := unstable{entries: entriesWithTerms(5, 1, 1, 1), offset: 5, offsetInProgress: 5}
		handedOut := u.nextEntries()
		u.acceptInProgress()
		u.truncateAndAppend(tc.append)
		if u.offset != tc.wantOffset || !slices.Equal(terms(u.entries), tc.wantTerms) {
			t.Errorf("%s: offset %d terms %v, want %d %v", tc.name, u.offset, terms(u.entries), tc.wantOffset, tc.wantTerms)
		}
		if got := terms(u.nextEntries()); !slices.Equal(got, tc.wantNext) {
			t.Errorf("%s: next entries %v, want %v", tc.name, got, tc.wantNext)
		}
		// Slices handed out earlier are never modified in place.
		if !slices.Equal(terms(handedOut), []uint64{1, 1, 1}) {
			t.Errorf("%s: an earlier Ready's entries changed to %v", tc.name, terms(handedOut))
		}
	}
}

func TestUnstableStableToChecksTerm(t *testing.T) {
	u := unstable{entries: entriesWithTerms(5, 1, 1, 2), offset: 5, offsetInProgress: 5}
	u.stableTo(6, 2) // entry 6 has term 1 now: a later truncation replaced what was persisted
	if u.offset != 5 || len(u.entries) != 3 {
		t.Fatalf("stableTo with a stale term dropped entries: offset %d, %d entries", u.offset, len(u.entries))
	}
	u.stableTo(6, 1)
	if u.offset != 7 || len(u.entries) != 1 || u.offsetInProgress != 7 {
		t.Fatalf("after stableTo(6): offset %d, %d entries, in progress %d", u.offset, len(u.entries), u.offsetInProgress)
	}
}

func TestLogSliceSpansStorageAndUnstable(t *testing.T) {
	s := NewMemoryStorage()
	must(t, s.Append(entriesWithTerms(1, 1, 1, 1)))
	l, err := newLog(s, noByteLimit)
	must(t, err)
	l.append(entriesWithTerms(4, 2, 2)...)
	got, err := l.slice(2, 6, noByteLimit)
	must(t, err)
	if !slices.Equal(terms(got), []uint64{1, 1, 2, 2}) {
		t.Fatalf("slice across storage and unstable: %v", terms(got))
	}
	// Byte limits apply across both parts (each entry holds one byte).
	got, err = l.slice(2, 6, 3)
	must(t, err)
	if len(got) != 3 {
		t.Fatalf("byte-limited slice has %d entries, want 3", len(got))
	}
	// Overwriting a stored entry shadows it until the caller persists.
	l.append(entriesWithTerms(3, 5)...)
	if term, _ := l.term(3); term != 5 || l.lastIndex() != 3 {
		t.Fatalf("after overwrite at 3: term %d last %d", term, l.lastIndex())
	}
	if !l.isUpToDate(3, 5) || l.isUpToDate(9, 4) || !l.isUpToDate(1, 6) {
		t.Fatal("isUpToDate compares last term, then last index")
	}
}
