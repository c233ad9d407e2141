package mapping

import (
	"errors"
	"hash/fnv"
	"strconv"
	"testing"
)

// fnvMod is an independent FNV-1a check of partition's hashing.
func fnvMod(key string, n uint32) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return strconv.FormatUint(uint64(h.Sum32()%n), 10)
}

// fixedRand returns v (mod n) and records the bound it was asked for.
type fixedRand struct {
	v     int
	asked []int
}

func (r *fixedRand) IntN(n int) int {
	r.asked = append(r.asked, n)
	return r.v % n
}

func TestApplyFunctions(t *testing.T) {
	for _, c := range []struct{ src, dst, subj, want string }{
		// Wildcards, legacy and mustache, and `>`.
		{"", "prefix.>", "foo", "prefix.foo"},
		{">", ">", "a.b", "a.b"},
		{"foo", "bar", "foo", "bar"},
		{"foo.*.bar.*.baz", "req.$2.$1", "foo.A.bar.B.baz", "req.B.A"},
		{"foo.*.bar.*.baz", "req.{{wildcard(2)}}.{{wildcard(1)}}", "foo.A.bar.B.baz", "req.B.A"},
		{"foo.*", "bar.{{ Wildcard( 1 ) }}", "foo.x", "bar.x"},
		{"baz.>", "my.pre.>", "baz.1.2.3", "my.pre.1.2.3"},
		{"foo.*.>", "bar.$1.>", "foo.a.b.c", "bar.a.b.c"},
		{"*", "foo.bar.$1", "foo", "foo.bar.foo"},
		{"foo.*.*", "bar.$2", "foo.a.b", "bar.b"}, // non-strict need not use every wildcard
		{"foo.*.*", "bar.$1.$1", "foo.a.b", "bar.a.a"},
		// Literal-looking placeholders stay literal.
		{"foo.*", "bar.$foo.$1", "foo.x", "bar.$foo.x"},
		{"foo.*", "$.$1", "foo.x", "$.x"},
		{"foo.*", "{{}}.$1", "foo.x", "{{}}.x"},
		// nats-server resolves a wildcard index below 1 to the first token.
		{"a.*", "b.$0", "a.x", "b.a"},
		{"a.*", "b.{{wildcard(-1)}}", "a.x", "b.a"},
		{"a.*", "b.$+1", "a.x", "b.x"},
		// Split and slice (values from nats-server's own tests).
		{"*", "{{splitfromleft(1,3)}}", "12345", "123.45"},
		{"*", "{{SplitFromRight(1,3)}}", "12345", "12.345"},
		{"*", "{{SliceFromLeft(1,3)}}", "1234567890", "123.456.789.0"},
		{"*", "{{SliceFromRight(1,3)}}", "1234567890", "1.234.567.890"},
		{"*", "{{SliceFromRight(1,3)}}", "123456", "123.456"},
		{"*", "{{split(1,-)}}", "-abc-def--ghi-", "abc.def.ghi"},
		{"*", "{{split(1,-)}}", "abc-def--ghi-", "abc.def.ghi"},
		{"*", "{{split(1,--)}}", "a--b----c", "a.b.c"},
		{"*", "{{split(1,)}}", "abc", "a.b.c"},
		{"*.*", "{{split(2,-)}}.{{splitfromleft(1,2)}}", "foo.-abc-def--ghij-", "abc.def.ghij.fo.o"},
		// Out-of-range positions and sizes leave the token whole.
		{"*", "{{splitFromLeft(1,0)}}", "abc", "abc"},
		{"*", "{{splitFromLeft(1,3)}}", "abc", "abc"},
		{"*", "{{splitFromRight(1,-1)}}", "abc", "abc"},
		{"*", "{{sliceFromLeft(1,3)}}", "abc", "abc"},
		{"*", "{{sliceFromLeft(1,0)}}", "abc", "abc"},
		{"*", "{{sliceFromRight(1,-2)}}", "abc", "abc"},
		// Partition: values from the nats documentation.
		{"neworders.*", "neworders.{{wildcard(1)}}.{{partition(3,1)}}", "neworders.customerid1", "neworders.customerid1.0"},
		{"neworders.*", "neworders.{{wildcard(1)}}.{{partition(3,1)}}", "neworders.customerid2", "neworders.customerid2.2"},
		{"neworders.*", "neworders.{{wildcard(1)}}.{{partition(3,1)}}", "neworders.customerid3", "neworders.customerid3.1"},
		{"neworders.*", "neworders.{{wildcard(1)}}.{{partition(3,1)}}", "neworders.customerid6", "neworders.customerid6.0"},
		{"foo.*.*", "foo.$1.$2.{{partition(10,1,2)}}", "foo.1.a", "foo.1.a.1"},
		{"foo.*.*", "foo.$1.$2.{{partition(10,1,2)}}", "foo.1.b", "foo.1.b.0"},
		{"foo.*.*", "foo.$1.$2.{{partition(10,1,2)}}", "foo.2.b", "foo.2.b.9"},
		{"foo.*.*", "foo.$1.$2.{{partition(10,1,2)}}", "foo.2.a", "foo.2.a.2"},
		{"foo.*.*", "foo.{{wildcard(1)}}.{{wildcard(2)}}.{{partition(5,1,2)}}", "foo.us.customerid", "foo.us.customerid.0"},
		// Partition over the whole subject, also for literal and `>` sources.
		{"*.*", "bar.{{partition(10)}}", "a.b", "bar." + fnvMod("a.b", 10)},
		{"foo.bar", "p.{{partition(7)}}", "foo.bar", "p." + fnvMod("foo.bar", 7)},
		{"foo.bar", "p.{{partition(7,1)}}", "foo.bar", "p." + fnvMod("foo.bar", 7)},
		{"foo.>", "p.{{partition(4)}}.>", "foo.x.y", "p." + fnvMod("foo.x.y", 4) + ".x.y"},
		{"*.*", "{{partition(10,2,1)}}", "ab.cd", fnvMod("cdab", 10)},
		{"*", "bar.{{partition(0)}}", "x", "bar.0"},
		{"*", "bar.{{partition(-3,1)}}", "x", "bar." + fnvMod("x", uint32(0xfffffffd))},
	} {
		tr, err := NewRepublish(c.src, c.dst)
		if err != nil {
			t.Errorf("NewRepublish(%q, %q): %v", c.src, c.dst, err)
			continue
		}
		got, err := tr.Apply(c.subj, nil)
		if err != nil || got != c.want {
			t.Errorf("%q -> %q on %q = %q, %v; want %q", c.src, c.dst, c.subj, got, err, c.want)
		}
	}
}

func TestLeftRightOnlyForRepublish(t *testing.T) {
	for _, c := range []struct{ dst, subj, want string }{
		{"{{left(1,2)}}", "abcd", "ab"},
		{"{{Left(1,0)}}", "abcd", "abcd"},
		{"{{left(1,4)}}", "abcd", "abcd"},
		{"{{right(1,2)}}", "abcd", "cd"},
		{"{{Right(1,9)}}", "abcd", "abcd"},
	} {
		tr, err := NewRepublish("*", c.dst)
		if err != nil {
			t.Fatalf("NewRepublish(*, %q): %v", c.dst, err)
		}
		if got, err := tr.Apply(c.subj, nil); err != nil || got != c.want {
			t.Errorf("%q on %q = %q, %v; want %q", c.dst, c.subj, got, err, c.want)
		}
		want := "invalid mapping destination: unknown function in " + c.dst
		if _, err := New("*", c.dst); err == nil || err.Error() != want {
			t.Errorf("New(*, %q) = %v; want %q", c.dst, err, want)
		}
	}
}

func TestRandom(t *testing.T) {
	for _, c := range []struct {
		src, dst string
		draw     int
		asked    []int
		want     string
	}{
		{"*", "bar.{{random(6)}}", 4, []int{6}, "bar.4"},
		{"foo", "bar.{{Random(6)}}", 5, []int{6}, "bar.5"},
		{"*", "bar.{{random(-5)}}", 3, []int{5}, "bar.3"},
		{"*", "bar.{{random(0)}}", 3, nil, "bar.0"},
	} {
		tr, err := New(c.src, c.dst)
		if err != nil {
			t.Fatalf("New(%q, %q): %v", c.src, c.dst, err)
		}
		subj := "foo"
		r := &fixedRand{v: c.draw}
		got, err := tr.Apply(subj, r)
		if err != nil || got != c.want || len(r.asked) != len(c.asked) || (len(c.asked) > 0 && r.asked[0] != c.asked[0]) {
			t.Errorf("%q: got %q, %v, asked %v; want %q, asked %v", c.dst, got, err, r.asked, c.want, c.asked)
		}
	}
	tr, _ := New("*", "{{random(3)}}")
	if _, err := tr.Apply("x", nil); !errors.Is(err, errNoRand) {
		t.Errorf("random with nil Rand: %v", err)
	}
}

func TestApplyErrors(t *testing.T) {
	tr, err := New("foo.*", "bar.$1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		subj string
		want error
	}{
		{"foo", ErrNoTransforms},
		{"foo.a.b", ErrNoTransforms},
		{"bar.a", ErrNoTransforms},
		{"foo.*", ErrBadSubject},
		{"foo..a", ErrBadSubject},
		{"foo.a b", ErrBadSubject},
		{"", ErrBadSubject},
	} {
		if _, err := tr.Apply(c.subj, nil); !errors.Is(err, c.want) {
			t.Errorf("Apply(%q) = %v; want %v", c.subj, err, c.want)
		}
	}
	// A split that leaves nothing gives an empty token: an error, not a subject.
	split, _ := New("foo.*", "bar.{{split(1,-)}}")
	if out, err := split.Apply("foo.--", nil); !errors.Is(err, ErrBadSubject) {
		t.Errorf("empty split = %q, %v; want ErrBadSubject", out, err)
	}
}

func TestMatches(t *testing.T) {
	tr, _ := New("a.*.>", "b.$1.>")
	for subj, want := range map[string]bool{
		"a.x.y": true, "a.x.y.z": true, "a.x": false, "a": false, "b.x.y": false, "": false,
	} {
		if got := tr.Matches(subj); got != want {
			t.Errorf("Matches(%q) = %v; want %v", subj, got, want)
		}
	}
	if tr.Source() != "a.*.>" || tr.Dest() != "b.$1.>" {
		t.Errorf("Source/Dest = %q, %q", tr.Source(), tr.Dest())
	}
	empty, _ := New("", "x.>")
	if empty.Source() != ">" {
		t.Errorf("empty source = %q; want >", empty.Source())
	}
}
