package subject

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// client stands in for the server's subscription pointer.
type client struct{ name string }

func names(subs []*client) []string {
	out := make([]string, len(subs))
	for i, s := range subs {
		out[i] = s.name
	}
	return out
}

func renderClients(r *Result[*client]) string {
	s := fmt.Sprint("plain=", names(r.Plain))
	for _, q := range r.Queues {
		s += fmt.Sprint(" ", q.Name, "=", names(q.Members))
	}
	return s
}

func mustInsert[S comparable](t *testing.T, x *Index[S], subject, queue string, s S) {
	t.Helper()
	if err := x.Insert(subject, queue, s); err != nil {
		t.Fatalf("Insert(%q, %q): %v", subject, queue, err)
	}
}

func TestIndexPlainAndWildcards(t *testing.T) {
	x := NewIndex[*client]()
	for _, p := range []struct{ subj, name string }{
		{"foo.bar", "lit"}, {"foo.*", "pwc"}, {"foo.>", "fwc"}, {">", "all"},
		{"foo", "foo"}, {"bar.baz", "other"}, {"*.bar", "pwc1"}, {"*.*.baz", "pwc2"},
	} {
		mustInsert(t, x, p.subj, "", &client{p.name})
	}
	for _, c := range []struct{ lit, want string }{
		{"foo.bar", "plain=[lit pwc fwc all pwc1]"},
		{"foo.bar.baz", "plain=[fwc all pwc2]"},
		{"foo", "plain=[all foo]"},
		{"bar.baz", "plain=[all other]"},
		{"zzz", "plain=[all]"},
		{"a.b.c.d", "plain=[all]"},
		{"foo.*", "plain=[pwc fwc all]"}, // "*" is a literal token here
		{"", "plain=[]"},
		{"foo..bar", "plain=[]"},
	} {
		for range 2 { // miss, then cache hit
			if got := renderClients(x.Match(c.lit)); got != c.want {
				t.Errorf("Match(%q) = %s, want %s", c.lit, got, c.want)
			}
			if got := renderClients(x.MatchBytes([]byte(c.lit))); got != c.want {
				t.Errorf("MatchBytes(%q) = %s, want %s", c.lit, got, c.want)
			}
		}
	}
	if x.Count() != 8 {
		t.Errorf("Count = %d, want 8", x.Count())
	}
	if x.CacheLen() != 7 { // the two unroutable subjects are not cached
		t.Errorf("CacheLen = %d, want 7", x.CacheLen())
	}
}

func TestIndexQueueGroups(t *testing.T) {
	x := NewIndex[*client]()
	w1, w2, a1, p1 := &client{"w1"}, &client{"w2"}, &client{"a1"}, &client{"p1"}
	mustInsert(t, x, "q.*", "workers", w1)
	mustInsert(t, x, "q.x", "workers", w2)
	mustInsert(t, x, "q.x", "audit", a1)
	mustInsert(t, x, "q.>", "", p1)
	mustInsert(t, x, "q.x", "", w1) // same subscriber, no queue: separate entry
	r := x.Match("q.x")
	if got, want := renderClients(r), "plain=[p1 w1] audit=[a1] workers=[w1 w2]"; got != want {
		t.Fatalf("Match(q.x) = %s, want %s", got, want)
	}
	if got, want := renderClients(x.Match("q.y")), "plain=[p1] workers=[w1]"; got != want {
		t.Fatalf("Match(q.y) = %s, want %s", got, want)
	}
	if !x.Remove("q.*", "workers", w1) {
		t.Fatal("Remove(q.*, workers, w1) = false")
	}
	if got, want := renderClients(x.Match("q.y")), "plain=[p1]"; got != want {
		t.Fatalf("after remove Match(q.y) = %s, want %s", got, want)
	}
	// The earlier result is untouched by later changes.
	if got, want := renderClients(r), "plain=[p1 w1] audit=[a1] workers=[w1 w2]"; got != want {
		t.Fatalf("old result changed to %s", got)
	}
}

func TestIndexOverlapDeliversPerEntry(t *testing.T) {
	x := NewIndex[*client]()
	c := &client{"c"}
	mustInsert(t, x, "foo.*", "", c)
	mustInsert(t, x, "foo.>", "", c)
	mustInsert(t, x, "foo.bar", "g", c)
	mustInsert(t, x, "foo.*", "g", c)
	if got, want := renderClients(x.Match("foo.bar")), "plain=[c c] g=[c c]"; got != want {
		t.Fatalf("Match = %s, want %s", got, want)
	}
}

func TestIndexInsertErrors(t *testing.T) {
	x := NewIndex[int]()
	for _, s := range []string{"", "foo..bar", ".foo", "foo.", "foo.>.bar", "foo bar", "a\tb", ">.a"} {
		if err := x.Insert(s, "", 1); !errors.Is(err, ErrInvalidSubject) {
			t.Errorf("Insert(%q) = %v, want ErrInvalidSubject", s, err)
		}
	}
	if err := x.Insert("foo", "a b", 1); !errors.Is(err, ErrInvalidQueue) {
		t.Errorf("Insert with queue %q = %v, want ErrInvalidQueue", "a b", err)
	}
	mustInsert(t, x, "foo.*", "", 1)
	if err := x.Insert("foo.*", "", 1); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate Insert = %v, want ErrDuplicate", err)
	}
	mustInsert(t, x, "foo.*", "", 2)
	mustInsert(t, x, "foo.*", "q", 1)
	if err := x.Insert("foo.*", "q", 1); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate queue Insert = %v, want ErrDuplicate", err)
	}
	if x.Count() != 3 {
		t.Errorf("Count = %d, want 3", x.Count())
	}
}

func TestIndexRemove(t *testing.T) {
	x := NewIndex[int]()
	mustInsert(t, x, "a.b.c", "", 1)
	mustInsert(t, x, "a.b.c", "q", 2)
	for _, c := range []struct {
		subj, queue string
		s           int
	}{
		{"a.b", "", 1}, {"a.b.c.d", "", 1}, {"a.b.c", "", 2}, {"a.b.c", "r", 2},
		{"a.b.*", "", 1}, {"a..c", "", 1}, {"x", "", 1},
	} {
		if x.Remove(c.subj, c.queue, c.s) {
			t.Errorf("Remove(%q, %q, %d) = true for a missing entry", c.subj, c.queue, c.s)
		}
	}
	if !x.Remove("a.b.c", "", 1) || x.Remove("a.b.c", "", 1) {
		t.Fatal("Remove(a.b.c, 1): want true then false")
	}
	if got := render(x.Match("a.b.c")); got != "plain=[] q=[2]" {
		t.Fatalf("Match = %s", got)
	}
	if !x.Remove("a.b.c", "q", 2) {
		t.Fatal("Remove(a.b.c, q, 2) = false")
	}
	if x.Count() != 0 || !x.root.isEmpty() || x.root.lits != nil {
		t.Fatalf("index not pruned: count %d, root %+v", x.Count(), x.root)
	}
	if x.HasInterest("a.b.c") || !x.Match("a.b.c").Empty() {
		t.Fatal("interest after removing everything")
	}
}

func TestIndexCacheInvalidation(t *testing.T) {
	x := NewIndex[int]()
	mustInsert(t, x, "foo.bar", "", 1)
	x.Match("foo.bar")
	x.Match("foo.baz")
	x.Match("other")
	if x.CacheLen() != 3 {
		t.Fatalf("CacheLen = %d, want 3", x.CacheLen())
	}
	mustInsert(t, x, "zzz", "", 9) // literal: touches only its own key
	if x.CacheLen() != 3 {
		t.Fatalf("literal insert of an uncached subject: CacheLen = %d, want 3", x.CacheLen())
	}
	mustInsert(t, x, "foo.*", "", 2) // drops foo.bar and foo.baz only
	if x.CacheLen() != 1 {
		t.Fatalf("wildcard insert: CacheLen = %d, want 1", x.CacheLen())
	}
	if got := render(x.Match("foo.bar")); got != "plain=[1 2]" {
		t.Fatalf("Match(foo.bar) = %s", got)
	}
	mustInsert(t, x, "foo.bar", "", 3)
	if got := render(x.Match("foo.bar")); got != "plain=[1 2 3]" {
		t.Fatalf("after literal insert Match(foo.bar) = %s", got)
	}
	x.Remove("foo.*", "", 2)
	if got := render(x.Match("foo.bar")); got != "plain=[1 3]" {
		t.Fatalf("after remove Match(foo.bar) = %s", got)
	}
}

func TestIndexCacheEvictsLeastRecentlyUsedHalf(t *testing.T) {
	x := NewIndex[int]()
	x.cache.max = 4
	for _, s := range []string{"s1", "s2", "s3", "s4"} {
		x.Match(s)
	}
	x.Match("s1") // hit: s1 becomes most recent
	x.Match("s5") // full: keep s4 and s1, then add s5
	var keys []string
	for k := range x.cache.at {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"s1", "s4", "s5"}; !slices.Equal(keys, want) {
		t.Fatalf("cache keys %v, want %v", keys, want)
	}
	y := NewIndex[int]()
	for i := range 3 * MatchCacheMax {
		y.Match(fmt.Sprintf("s.%d", i))
		if y.CacheLen() > MatchCacheMax {
			t.Fatalf("CacheLen %d > MatchCacheMax", y.CacheLen())
		}
	}
}

func TestIndexHasInterest(t *testing.T) {
	x := NewIndex[int]()
	mustInsert(t, x, "a.*.c", "", 1)
	mustInsert(t, x, "b.>", "q", 2)
	for _, c := range []struct {
		lit  string
		want bool
	}{
		{"a.b.c", true}, {"a.b", false}, {"a.b.c.d", false}, {"b.x", true}, {"b", false},
		{"c", false}, {"a.*.c", true}, {"a..c", false}, {"", false},
	} {
		if got := x.HasInterest(c.lit); got != c.want {
			t.Errorf("HasInterest(%q) = %v, want %v (uncached)", c.lit, got, c.want)
		}
		x.Match(c.lit)
		if got := x.HasInterest(c.lit); got != c.want {
			t.Errorf("HasInterest(%q) = %v, want %v (cached)", c.lit, got, c.want)
		}
	}
}

func TestIndexForEachInsertionOrder(t *testing.T) {
	x := NewIndex[int]()
	m := &model{}
	for i, s := range []string{"z", "a.>", "m.*", "a.b", "z"} {
		q := ""
		if i == 4 {
			q = "grp"
		}
		mustInsert(t, x, s, q, i)
		m.insert(s, q, i)
	}
	x.Remove("m.*", "", 2)
	m.remove("m.*", "", 2)
	want := "z||0\na.>||1\na.b||3\nz|grp|4\n"
	if got := indexForEach(x); got != want || m.forEach() != want {
		t.Fatalf("ForEach = %q, want %q", got, want)
	}
	// fn may change the index while visiting.
	x.ForEach(func(subject, queue string, s int) { x.Remove(subject, queue, s) })
	if x.Count() != 0 {
		t.Fatalf("Count after removing in ForEach = %d", x.Count())
	}
}

func TestIndexLongListCompaction(t *testing.T) {
	x := NewIndex[int]()
	m := &model{}
	const n = 100 // well past listIndexMin
	for i := range n {
		mustInsert(t, x, "hot", "", i)
		m.insert("hot", "", i)
	}
	for i := 0; i < n; i += 3 {
		if !x.Remove("hot", "", i) {
			t.Fatalf("Remove(hot, %d) = false", i)
		}
		m.remove("hot", "", i)
	}
	if err := x.Insert("hot", "", 1); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("Insert of present subscriber = %v, want ErrDuplicate", err)
	}
	mustInsert(t, x, "hot", "", 0) // re-added: now last
	m.insert("hot", "", 0)
	if got, want := render(x.Match("hot")), m.match("hot"); got != want {
		t.Fatalf("Match(hot) = %s, want %s", got, want)
	}
	if err := checkIndex(x, m); err != "" {
		t.Fatal(err)
	}
}

// TestIndexProperties drives random Insert/Remove/Match sequences against
// the naive model, with cache sizes small enough to force eviction.
func TestIndexProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x := NewIndex[int]()
		x.cache.max = rapid.SampledFrom([]int{1, 2, 3, 8, MatchCacheMax}).Draw(t, "cacheMax")
		p := &propState{x: x, m: &model{}}
		t.Repeat(map[string]func(*rapid.T){
			"":              p.check,
			"insert":        p.insert,
			"insertInvalid": p.insertInvalid,
			"insertMany":    p.insertMany,
			"removeMany":    p.removeMany,
			"remove":        p.remove,
			"match":         p.match,
			"evict":         p.evict,
			"matchInvalid":  p.matchInvalid,
			"forEach":       p.forEach,
		})
	})
}

type propState struct {
	x *Index[int]
	m *model
	// last is a result handed out earlier and its rendering then: the
	// index must never modify it.
	last     *Result[int]
	lastText string
}

var (
	patternTokens = []string{"a", "b", "c", "*", ">"}
	literalTokens = []string{"a", "b", "c", "d"}
	queueNames    = []string{"", "", "q1", "q2"}
)

func drawSubject(t *rapid.T, tokens []string, label string) string {
	toks := rapid.SliceOfN(rapid.SampledFrom(tokens), 1, 4).Draw(t, label)
	s := toks[0]
	for _, tok := range toks[1:] {
		s += "." + tok
	}
	return s
}

func (p *propState) check(t *rapid.T) {
	if err := checkIndex(p.x, p.m); err != "" {
		t.Fatal(err)
	}
	if p.last != nil && render(p.last) != p.lastText {
		t.Fatalf("returned result changed from %s to %s", p.lastText, render(p.last))
	}
}

func (p *propState) insert(t *rapid.T) {
	subj := drawSubject(t, patternTokens, "pattern") // '>' early makes some invalid
	queue := rapid.SampledFrom(queueNames).Draw(t, "queue")
	s := rapid.IntRange(0, 3).Draw(t, "sub")
	got, want := p.x.Insert(subj, queue, s), p.m.insert(subj, queue, s)
	if got != want {
		t.Fatalf("Insert(%q, %q, %d) = %v, want %v", subj, queue, s, got, want)
	}
}

// insertMany puts more subscribers than listIndexMin on one list, so the
// list's map and hole compaction are exercised too.
func (p *propState) insertMany(t *rapid.T) {
	subj := drawSubject(t, patternTokens[:4], "pattern") // valid: no '>'
	queue := rapid.SampledFrom(queueNames).Draw(t, "queue")
	for s := 100; s < 100+listIndexMin+4; s++ {
		if got, want := p.x.Insert(subj, queue, s), p.m.insert(subj, queue, s); got != want {
			t.Fatalf("Insert(%q, %q, %d) = %v, want %v", subj, queue, s, got, want)
		}
	}
}

// removeMany removes most entries of one list filled by insertMany, in a
// drawn order, leaving holes to compact.
func (p *propState) removeMany(t *rapid.T) {
	var many []modelEntry
	for _, e := range p.m.entries {
		if e.sub >= 100 {
			many = append(many, e)
		}
	}
	if len(many) == 0 {
		t.Skip("no list filled by insertMany")
	}
	e := rapid.SampledFrom(many).Draw(t, "list")
	for _, i := range rapid.Permutation(many).Draw(t, "order") {
		if i.subject != e.subject || i.queue != e.queue || rapid.IntRange(0, 9).Draw(t, "keep") == 0 {
			continue
		}
		if !p.x.Remove(i.subject, i.queue, i.sub) || !p.m.remove(i.subject, i.queue, i.sub) {
			t.Fatalf("Remove(%q, %q, %d) = false for a present entry", i.subject, i.queue, i.sub)
		}
	}
}

func (p *propState) insertInvalid(t *rapid.T) {
	subj := rapid.SampledFrom([]string{"", "a..b", ".a", "a.", "a b", "a.>.b", "a"}).Draw(t, "subject")
	queue := rapid.SampledFrom([]string{"", "q 1", "q\t"}).Draw(t, "queue")
	got, want := p.x.Insert(subj, queue, 0), p.m.insert(subj, queue, 0)
	if got != want {
		t.Fatalf("Insert(%q, %q) = %v, want %v", subj, queue, got, want)
	}
}

func (p *propState) remove(t *rapid.T) {
	var e modelEntry
	if len(p.m.entries) > 0 && rapid.Bool().Draw(t, "existing") {
		e = rapid.SampledFrom(p.m.entries).Draw(t, "entry")
	} else {
		e = modelEntry{drawSubject(t, patternTokens, "pattern"),
			rapid.SampledFrom(queueNames).Draw(t, "queue"), rapid.IntRange(0, 3).Draw(t, "sub")}
	}
	got, want := p.x.Remove(e.subject, e.queue, e.sub), p.m.remove(e.subject, e.queue, e.sub)
	if got != want {
		t.Fatalf("Remove(%q, %q, %d) = %v, want %v", e.subject, e.queue, e.sub, got, want)
	}
}

func (p *propState) match(t *rapid.T) {
	lit := drawSubject(t, literalTokens, "literal")
	p.expectMatch(t, lit)
}

func (p *propState) matchInvalid(t *rapid.T) {
	p.expectMatch(t, rapid.SampledFrom([]string{"a.*", ">", "a.>", "", "a..b", "a b"}).Draw(t, "literal"))
}

func (p *propState) expectMatch(t *rapid.T, lit string) {
	want := p.m.match(lit)
	interest := p.x.HasInterest(lit) // before Match: the uncached path
	var r *Result[int]
	if rapid.Bool().Draw(t, "bytes") {
		r = p.x.MatchBytes([]byte(lit))
	} else {
		r = p.x.Match(lit)
	}
	if got := render(r); got != want {
		t.Fatalf("Match(%q) = %s, want %s", lit, got, want)
	}
	if got := p.x.HasInterest(lit); got != !r.Empty() || interest != got {
		t.Fatalf("HasInterest(%q) = %v then %v for %s", lit, interest, got, want)
	}
	p.last, p.lastText = r, want
}

func (p *propState) forEach(t *rapid.T) {
	if got, want := indexForEach(p.x), p.m.forEach(); got != want {
		t.Fatalf("ForEach:\n%s\nwant:\n%s", got, want)
	}
}

func TestKthSmallest(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := rapid.SliceOfNDistinct(rapid.Uint64Range(0, 200), 1, 64, rapid.ID[uint64]).Draw(t, "v")
		k := rapid.IntRange(0, len(v)).Draw(t, "k")
		sorted := slices.Sorted(slices.Values(v))
		want := sorted[len(sorted)-1] + 1
		if k < len(v) {
			want = sorted[k]
		}
		if got := kthSmallest(slices.Clone(v), k); got != want {
			t.Fatalf("kthSmallest(%v, %d) = %d, want %d", v, k, got, want)
		}
	})
}

func TestHeadBytesFilter(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		key := rapid.StringMatching(`[ab.\x00]{0,12}`).Draw(t, "key")
		n := rapid.IntRange(0, len(key)).Draw(t, "n")
		prefix := key[:n]
		if headBytes(key)&headMask(len(prefix)) != headBytes(prefix) {
			t.Fatalf("filter rejects %q as a prefix of %q", prefix, key)
		}
	})
	if headBytes("orders.x")&headMask(3) == headBytes("_IN") {
		t.Fatal("filter accepts a different prefix")
	}
}

func TestLiteralPrefix(t *testing.T) {
	for _, c := range []struct{ pattern, want string }{
		{"a.b.c", "a.b.c"}, {"a.*.c", "a."}, {"a.b.>", "a.b."}, {">", ""}, {"*.a", ""}, {"a*b.c", "a*b.c"},
	} {
		if got := literalPrefix(c.pattern); got != c.want {
			t.Errorf("literalPrefix(%q) = %q, want %q", c.pattern, got, c.want)
		}
	}
}
