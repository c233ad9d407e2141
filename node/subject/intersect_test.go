package subject

import (
	"testing"

	"pgregory.net/rapid"
)

func TestIntersect(t *testing.T) {
	cases := []struct {
		a, b, want string
		ok         bool
	}{
		{"foo.bar", "foo.bar", "foo.bar", true},
		{"foo.*", "foo.bar", "foo.bar", true},
		{"foo.>", "foo.bar.baz", "foo.bar.baz", true},
		{">", "a.*.c", "a.*.c", true},
		{"*.x", "a.*", "a.x", true},
		{"a.*.>", "*.b", "a.b", false},
		{"a.*.>", "*.b.c", "a.b.c", true},
		{"a.>", "*.b.>", "a.b.>", true},
		{"foo.bar", "foo.baz", "", false},
		{"foo", "foo.bar", "", false},
		{"foo.*", "foo", "", false},
		{"foo.>", "foo", "", false},
	}
	for _, c := range cases {
		got, ok := Intersect(c.a, c.b)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("Intersect(%q, %q) = %q, %v; want %q, %v", c.a, c.b, got, ok, c.want, c.ok)
		}
		got2, ok2 := Intersect(c.b, c.a)
		if ok2 != ok || got2 != got {
			t.Errorf("Intersect not symmetric for %q, %q: %q/%v vs %q/%v", c.a, c.b, got, ok, got2, ok2)
		}
	}
}

// TestIntersectModel checks, over random patterns and literals, that a
// literal matches the intersection exactly when it matches both patterns.
func TestIntersectModel(t *testing.T) {
	tok := rapid.SampledFrom([]string{"a", "b", "*"})
	pattern := rapid.Custom(func(t *rapid.T) string {
		toks := rapid.SliceOfN(tok, 1, 4).Draw(t, "toks")
		if rapid.Bool().Draw(t, "fwc") {
			toks = append(toks, ">")
		}
		return joinTokens(toks)
	})
	literal := rapid.Custom(func(t *rapid.T) string {
		return joinTokens(rapid.SliceOfN(rapid.SampledFrom([]string{"a", "b"}), 1, 6).Draw(t, "lit"))
	})
	rapid.Check(t, func(t *rapid.T) {
		a, b, lit := pattern.Draw(t, "a"), pattern.Draw(t, "b"), literal.Draw(t, "lit")
		both := Match(a, lit) && Match(b, lit)
		x, ok := Intersect(a, b)
		if got := ok && Match(x, lit); got != both {
			t.Fatalf("Intersect(%q, %q) = %q, %v; %q matches both: %v, matches intersection: %v", a, b, x, ok, lit, both, got)
		}
		if ok && (!SubsetOf(x, a) || !SubsetOf(x, b)) {
			t.Fatalf("Intersect(%q, %q) = %q is not a subset of both", a, b, x)
		}
	})
}

func joinTokens(toks []string) string {
	s := toks[0]
	for _, t := range toks[1:] {
		s += "." + t
	}
	return s
}
