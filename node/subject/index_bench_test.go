package subject

import (
	"fmt"
	"testing"
)

// benchSubs is the subscription count of the benchmark indexes.
const benchSubs = 1000

// literalIndex holds benchSubs subscribers spread over 100 literal
// subjects "svc.<n>.req" (10 each), plus a few unrelated wildcards.
func literalIndex(tb testing.TB) *Index[*client] {
	x := NewIndex[*client]()
	for i := range benchSubs {
		if err := x.Insert(fmt.Sprintf("svc.%d.req", i%100), "", &client{}); err != nil {
			tb.Fatal(err)
		}
	}
	for _, p := range []string{"other.*", "log.>", "svc.*.resp"} {
		if err := x.Insert(p, "", &client{}); err != nil {
			tb.Fatal(err)
		}
	}
	return x
}

// wildcardIndex holds benchSubs subscribers on a mix of `*` and `>`
// patterns and queue groups that all overlap "orders.<region>.<id>".
func wildcardIndex(tb testing.TB) *Index[*client] {
	x := NewIndex[*client]()
	for i := range benchSubs {
		var err error
		switch i % 4 {
		case 0:
			err = x.Insert(fmt.Sprintf("orders.r%d.*", i%10), "", &client{})
		case 1:
			err = x.Insert("orders.>", "", &client{})
		case 2:
			err = x.Insert(fmt.Sprintf("orders.*.%d", i%50), fmt.Sprintf("g%d", i%3), &client{})
		default:
			err = x.Insert(fmt.Sprintf("audit.%d.>", i), "", &client{})
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	return x
}

func BenchmarkMatchLiteralHit(b *testing.B) {
	x := literalIndex(b)
	if n := len(x.Match("svc.7.req").Plain); n != 10 {
		b.Fatalf("matched %d, want 10", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		x.Match("svc.7.req")
	}
}

func BenchmarkMatchBytesHit(b *testing.B) {
	x := literalIndex(b)
	lit := []byte("svc.7.req")
	x.MatchBytes(lit)
	b.ReportAllocs()
	for b.Loop() {
		x.MatchBytes(lit)
	}
}

func BenchmarkMatchWildcardHit(b *testing.B) {
	x := wildcardIndex(b)
	lit := []byte("orders.r3.3")
	if r := x.MatchBytes(lit); r.Empty() {
		b.Fatal("no match")
	}
	b.ReportAllocs()
	for b.Loop() {
		x.MatchBytes(lit)
	}
}

// BenchmarkMatchWildcardMiss cycles through more subjects than the cache
// holds, so every Match walks the trie and builds a Result.
func BenchmarkMatchWildcardMiss(b *testing.B) {
	x := wildcardIndex(b)
	lits := make([][]byte, 4*MatchCacheMax)
	for i := range lits {
		lits[i] = fmt.Appendf(nil, "orders.r%d.%d", i%10, i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		x.MatchBytes(lits[i%len(lits)])
		i++
	}
}

// BenchmarkInsertRemoveChurn measures an inbox-style subscribe and
// unsubscribe with a full cache, including invalidation.
func BenchmarkInsertRemoveChurn(b *testing.B) {
	x := wildcardIndex(b)
	for i := range MatchCacheMax {
		x.Match(fmt.Sprintf("orders.r%d.%d", i%10, i))
	}
	subj, c := "_INBOX.abc.*", &client{}
	b.ReportAllocs()
	for b.Loop() {
		if err := x.Insert(subj, "", c); err != nil {
			b.Fatal(err)
		}
		x.Remove(subj, "", c)
	}
}

func TestMatchHitDoesNotAllocate(t *testing.T) {
	for name, x := range map[string]*Index[*client]{"literal": literalIndex(t), "wildcard": wildcardIndex(t)} {
		lit := []byte("svc.7.req")
		if name == "wildcard" {
			lit = []byte("orders.r3.3")
		}
		want := x.MatchBytes(lit) // miss: fills the cache
		if x.CacheLen() != 1 {
			t.Fatalf("%s: CacheLen = %d after one Match, want 1", name, x.CacheLen())
		}
		if n := testing.AllocsPerRun(100, func() {
			if x.MatchBytes(lit) != want {
				t.Fatal("cache hit returned another result")
			}
		}); n != 0 {
			t.Errorf("%s: MatchBytes cache hit allocates %v times", name, n)
		}
		s := string(lit)
		if n := testing.AllocsPerRun(100, func() { x.Match(s); x.HasInterest(s) }); n != 0 {
			t.Errorf("%s: Match/HasInterest cache hit allocates %v times", name, n)
		}
	}
}

// BenchmarkMatchLiteralMiss cycles through more subjects than the cache
// holds on the literal index (10 subscribers per subject).
func BenchmarkMatchLiteralMiss(b *testing.B) {
	x := literalIndex(b)
	lits := make([][]byte, 4*MatchCacheMax)
	for i := range lits {
		lits[i] = fmt.Appendf(nil, "svc.%d.req", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		x.MatchBytes(lits[i%len(lits)])
		i++
	}
}

// BenchmarkMatchUniqueReplies models request/reply: one wildcard inbox
// subscription per requester, every reply a new literal (always a miss).
func BenchmarkMatchUniqueReplies(b *testing.B) {
	x := literalIndex(b)
	for i := range 100 {
		if err := x.Insert(fmt.Sprintf("_INBOX.req%d.*", i), "", &client{}); err != nil {
			b.Fatal(err)
		}
	}
	lit := []byte("_INBOX.req42.00000000")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		for j, n := len(lit)-1, i; j >= len(lit)-8; j, n = j-1, n/10 {
			lit[j] = byte('0' + n%10)
		}
		i++
		if len(x.MatchBytes(lit).Plain) != 1 {
			b.Fatal("no match")
		}
	}
}
