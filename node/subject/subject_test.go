package subject

import "testing"

func TestValid(t *testing.T) {
	for _, c := range []struct {
		s        string
		sub, pub bool
	}{
		{"foo", true, true},
		{"foo.bar", true, true},
		{"foo.*", true, false},
		{"foo.>", true, false},
		{">", true, false},
		{"foo.>.bar", false, false},
		{"foo..bar", false, false},
		{".foo", false, false},
		{"foo.", false, false},
		{"", false, false},
		{"foo bar", false, false},
		{"foo\tbar", false, false},
		{"a*b.c", true, true},
		{"foo.*.bar", true, false},
	} {
		if got := ValidSubscribe(c.s); got != c.sub {
			t.Errorf("ValidSubscribe(%q) = %v, want %v", c.s, got, c.sub)
		}
		if got := ValidPublish(c.s); got != c.pub {
			t.Errorf("ValidPublish(%q) = %v, want %v", c.s, got, c.pub)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pat, lit string
		want     bool
	}{
		{"foo", "foo", true},
		{"foo", "bar", false},
		{"foo.*", "foo.bar", true},
		{"foo.*", "foo", false},
		{"foo.*", "foo.bar.baz", false},
		{"foo.>", "foo.bar.baz", true},
		{"foo.>", "foo", false},
		{">", "a.b.c", true},
		{"*.b.*", "a.b.c", true},
		{"*.b.*", "a.c.c", false},
		{"foo.bar", "foo", false},
		{"foo", "foo.bar", false},
	} {
		if got := Match(c.pat, c.lit); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pat, c.lit, got, c.want)
		}
	}
}

func TestSubsetOf(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"foo.bar", "foo.*", true},
		{"foo.*", "foo.bar", false},
		{"foo.*", "foo.>", true},
		{"foo.>", "foo.*", false},
		{"foo.>", ">", true},
		{"a.b", "a.b", true},
		{"a", "a.>", false},
	} {
		if got := SubsetOf(c.a, c.b); got != c.want {
			t.Errorf("SubsetOf(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestWildcardTokensInPublishAreLiteral(t *testing.T) {
	x := NewIndex[int]()
	for i, p := range []string{"foo.*", "foo.>", "foo.bar", ">"} {
		if err := x.Insert(p, "", i); err != nil {
			t.Fatal(err)
		}
	}
	got := x.Match("foo.*").Plain
	if len(got) != 3 || got[0] != 0 || got[1] != 1 || got[2] != 3 {
		t.Fatalf("Match(foo.*) = %v, want [0 1 3] (wildcard subs only)", got)
	}
	if r := x.Match("foo..bar"); !r.Empty() {
		t.Fatalf("Match(foo..bar) = %+v, want empty", r)
	}
	if !ValidRoutable("a.>.b") || ValidRoutable("a. b") || ValidRoutable("a.") {
		t.Fatal("ValidRoutable wrong")
	}
}
