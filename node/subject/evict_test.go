package subject

import (
	"testing"

	"pgregory.net/rapid"
)

// evict is a TestIndexProperties action: drop a cached subject (or one
// that is not cached); checkIndex then verifies the cache's slots and
// that every remaining cached result is still the model's answer, and the
// next match of the subject recomputes the right result.
func (p *propState) evict(t *rapid.T) {
	lit := drawSubject(t, literalTokens, "literal")
	p.x.EvictBytes([]byte(lit))
	if _, cached := p.x.cache.at[lit]; cached {
		t.Fatalf("EvictBytes(%q) left it in the cache", lit)
	}
}

func TestEvictBytesRecomputesAndKeepsOldResults(t *testing.T) {
	x := NewIndex[int]()
	for i, pat := range []string{"a.b", "a.*", "a.>"} {
		if err := x.Insert(pat, "", i+1); err != nil {
			t.Fatal(err)
		}
	}
	first := x.MatchBytes([]byte("a.b"))
	x.Match("a.c")
	if x.CacheLen() != 2 {
		t.Fatalf("CacheLen = %d, want 2", x.CacheLen())
	}
	x.EvictBytes([]byte("a.b"))
	x.EvictBytes([]byte("x.y")) // not cached: nothing happens
	if x.CacheLen() != 1 {
		t.Fatalf("CacheLen after evicting a.b = %d, want 1", x.CacheLen())
	}
	if got := render(first); got != "plain=[1 2 3]" {
		t.Fatalf("result handed out before the eviction changed: %s", got)
	}
	again := x.MatchBytes([]byte("a.b"))
	if again == first {
		t.Fatal("Match after EvictBytes returned the evicted result: not recomputed")
	}
	if got := render(again); got != "plain=[1 2 3]" {
		t.Fatalf("recomputed Match(a.b) = %s, want plain=[1 2 3]", got)
	}
	if x.CacheLen() != 2 {
		t.Fatalf("CacheLen after the new Match = %d, want 2", x.CacheLen())
	}
}
