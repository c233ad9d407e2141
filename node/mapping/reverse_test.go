package mapping

import (
	"errors"
	"strings"
	"testing"
)

func TestReverse(t *testing.T) {
	for _, c := range []struct{ src, dst, subj, revSrc, revDst string }{
		{"foo.*.*", "bar.$2.{{Wildcard(1)}}", "foo.b.a", "bar.*.*", "foo.$2.$1"},
		// A 3-cycle: pairing placeholders in written order would be wrong here.
		{"a.*.*.*", "b.$2.$3.$1", "a.x.y.z", "b.*.*.*", "a.$3.$1.$2"},
		{"a.*.>", "b.$1.>", "a.x.y.z", "b.*.>", "a.$1.>"},
		{"a.>", "b.c.>", "a.x", "b.c.>", "a.>"},
		{"a", "b.c", "a", "b.c", "a"},
		{"x.*.y.*", "$2.q.$1", "x.1.y.2", "*.q.*", "x.$2.y.$1"},
	} {
		tr, err := NewStrict(c.src, c.dst)
		if err != nil {
			t.Fatalf("NewStrict(%q, %q): %v", c.src, c.dst, err)
		}
		rev, err := tr.Reverse()
		if err != nil {
			t.Fatalf("Reverse of (%q, %q): %v", c.src, c.dst, err)
		}
		if rev.Source() != c.revSrc || rev.Dest() != c.revDst {
			t.Errorf("Reverse of (%q, %q) = (%q, %q); want (%q, %q)", c.src, c.dst, rev.Source(), rev.Dest(), c.revSrc, c.revDst)
		}
		out, err := tr.Apply(c.subj, nil)
		if err != nil {
			t.Fatalf("Apply(%q): %v", c.subj, err)
		}
		if back, err := rev.Apply(out, nil); err != nil || back != c.subj {
			t.Errorf("(%q, %q): %q -> %q -> %q, %v", c.src, c.dst, c.subj, out, back, err)
		}
	}
}

func TestReverseRefused(t *testing.T) {
	for _, c := range []struct {
		src, dst string
		strict   bool
		why      string
	}{
		{"a.*.*", "b.$1.$1", true, "wildcard 1 is not used exactly once"},
		{"a.*", "b.$0", true, "wildcard 0 is not used exactly once"},
		{"a", "b.{{partition(3)}}", true, "a function other than wildcard"},
		{"a.*", "b.{{splitFromLeft(1,2)}}", false, "a function other than wildcard"},
		{"a.*.*", "b.$2", false, "does not use every wildcard"},
		{"a.$1.*", "b.$1", true, `source token "$1" reads as a placeholder`},
	} {
		build := New
		if c.strict {
			build = NewStrict
		}
		tr, err := build(c.src, c.dst)
		if err != nil {
			t.Fatalf("(%q, %q): %v", c.src, c.dst, err)
		}
		if rev, err := tr.Reverse(); err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("Reverse of (%q, %q) = %v, %v; want an error saying %q", c.src, c.dst, rev, err, c.why)
		}
	}
}

func TestApplyPattern(t *testing.T) {
	for _, c := range []struct{ src, dst, pattern, want string }{
		{"foo.*.>", "bar.$1.>", "foo.x.>", "bar.x.>"},
		{"foo.*.>", "bar.$1.>", "foo.*.>", "bar.*.>"},
		{"foo.*.>", "bar.$1.>", "foo.*.y.*", "bar.*.y.*"},
		{"foo.*.>", "bar.$1.>", "foo.x.y", "bar.x.y"},
		{"a.*.*", "b.$2.$1", "a.*.k", "b.k.*"},
		{">", ">", "any.*.>", "any.*.>"},
		{"a.>", "b.>", ">", ""}, // not within the source
		{"foo.*.>", "bar.$1.>", "foo.>", ""},
		{"foo.*.>", "bar.$1.>", "baz.x.>", ""},
		{"a.*", "b.{{partition(3,1)}}", "a.*", ""},
		{"a.*", "b.{{partition(3,1)}}", "a.x", "b." + fnvMod("x", 3)},
	} {
		tr, err := New(c.src, c.dst)
		if err != nil {
			t.Fatalf("New(%q, %q): %v", c.src, c.dst, err)
		}
		got, err := tr.ApplyPattern(c.pattern)
		if c.want == "" {
			if err == nil {
				t.Errorf("(%q, %q).ApplyPattern(%q) = %q; want an error", c.src, c.dst, c.pattern, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("(%q, %q).ApplyPattern(%q) = %q, %v; want %q", c.src, c.dst, c.pattern, got, err, c.want)
		}
	}
	tr, _ := New("a.*", "b.$1")
	if _, err := tr.ApplyPattern("a.>"); !errors.Is(err, ErrNoTransforms) {
		t.Errorf("pattern wider than the source: %v; want ErrNoTransforms", err)
	}
}
