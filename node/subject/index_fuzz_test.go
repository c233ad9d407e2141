package subject

import (
	"strings"
	"testing"
)

// fuzzMaxPatterns bounds the patterns one fuzz input inserts.
const fuzzMaxPatterns = 64

// FuzzIndexMatch builds an index from newline-separated "pattern [queue]"
// lines (subscriber = line number mod 3, so subscribers repeat), matches
// lit, removes the lines whose bit is set in removeMask and matches again,
// comparing every answer with the naive model.
func FuzzIndexMatch(f *testing.F) {
	f.Add("foo.*\nfoo.>\nfoo.bar q\n>", "foo.bar", uint64(2))
	f.Add("a.b.c\na.*.c g\n*.*.*\na.b.c\na.>", "a.b.c", uint64(0b10101))
	f.Add("x\nx.>\n*\n x\nx..y\nx q r", "x", uint64(1))
	f.Fuzz(func(t *testing.T, patterns, lit string, removeMask uint64) {
		lines := strings.Split(patterns, "\n")
		if len(lines) > fuzzMaxPatterns {
			lines = lines[:fuzzMaxPatterns]
		}
		x, m := NewIndex[int](), &model{}
		x.cache.max = 2 // keep eviction in play
		for i, line := range lines {
			subj, queue, _ := strings.Cut(line, " ")
			if got, want := x.Insert(subj, queue, i%3), m.insert(subj, queue, i%3); got != want {
				t.Fatalf("Insert(%q, %q) = %v, want %v", subj, queue, got, want)
			}
		}
		fuzzCompare(t, x, m, lit)
		for i, line := range lines {
			if removeMask&(1<<(i%64)) == 0 {
				continue
			}
			subj, queue, _ := strings.Cut(line, " ")
			if got, want := x.Remove(subj, queue, i%3), m.remove(subj, queue, i%3); got != want {
				t.Fatalf("Remove(%q, %q) = %v, want %v", subj, queue, got, want)
			}
		}
		fuzzCompare(t, x, m, lit)
		if err := checkIndex(x, m); err != "" {
			t.Fatal(err)
		}
	})
}

func fuzzCompare(t *testing.T, x *Index[int], m *model, lit string) {
	t.Helper()
	want := m.match(lit)
	if got := x.HasInterest(lit); got != (want != "plain=[]") {
		t.Fatalf("HasInterest(%q) = %v for %s", lit, got, want)
	}
	if got := render(x.Match(lit)); got != want {
		t.Fatalf("Match(%q) = %s, want %s", lit, got, want)
	}
	if got := render(x.MatchBytes([]byte(lit))); got != want { // cached now
		t.Fatalf("MatchBytes(%q) = %s, want %s", lit, got, want)
	}
}
