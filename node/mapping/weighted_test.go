package mapping

import (
	"slices"
	"testing"
)

func TestCumulative(t *testing.T) {
	for _, c := range []struct {
		name  string
		src   string
		dests []Dest
		want  []Dest
	}{
		{"single", "foo", []Dest{{"bar", 100, ""}}, []Dest{{"bar", 100, ""}}},
		{"remainder to the source", "foo", []Dest{{"bar", 20, ""}}, []Dest{{"bar", 20, ""}, {"foo", 100, ""}}},
		{"remainder keeps wildcards", "foo.*.>", []Dest{{"bar.$1.>", 30, ""}}, []Dest{{"bar.$1.>", 30, ""}, {"foo.$1.>", 100, ""}}},
		{"sorted by weight", "w.>", []Dest{{"w1.>", 80, ""}, {"w2.>", 20, ""}}, []Dest{{"w2.>", 20, ""}, {"w1.>", 100, ""}}},
		{"equal weights keep their order", "a", []Dest{{"x", 50, ""}, {"y", 50, ""}}, []Dest{{"x", 50, ""}, {"y", 100, ""}}},
		{"source listed: remainder dropped", "foo", []Dest{{"foo", 50, ""}}, []Dest{{"foo", 50, ""}}},
		{"no destinations: identity", "a.*", nil, []Dest{{"a.$1", 100, ""}}},
		{"zero weight first", "a", []Dest{{"x", 0, ""}, {"y", 100, ""}}, []Dest{{"x", 0, ""}, {"y", 100, ""}}},
		{"cluster scoped", "c.x", []Dest{{"east.x", 100, "east"}, {"other.x", 100, ""}},
			[]Dest{{"other.x", 100, ""}, {"east.x", 100, "east"}}},
		{"only clusters: main list is the source", "c", []Dest{{"w", 100, "west"}, {"e", 100, "east"}},
			[]Dest{{"c", 100, ""}, {"e", 100, "east"}, {"w", 100, "west"}}},
		{"cluster remainder", "c", []Dest{{"e", 40, "east"}}, []Dest{{"c", 100, ""}, {"e", 40, "east"}, {"c", 100, "east"}}},
		{"cluster totals are separate", "c", []Dest{{"e", 60, "east"}, {"m", 60, ""}},
			[]Dest{{"c", 40, ""}, {"m", 100, ""}, {"c", 40, "east"}, {"e", 100, "east"}}},
	} {
		m, err := NewMapping(c.src, c.dests)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := m.Cumulative(); !slices.Equal(got, c.want) {
			t.Errorf("%s: Cumulative = %v; want %v", c.name, got, c.want)
		}
		if m.Source() != c.src {
			t.Errorf("%s: Source = %q", c.name, m.Source())
		}
	}
}

func TestNewMappingErrors(t *testing.T) {
	for _, c := range []struct {
		src   string
		dests []Dest
		want  string
	}{
		{"foo bar", []Dest{{"x", 100, ""}}, "invalid subject"},
		{"foo.>.x", []Dest{{"x", 100, ""}}, "invalid subject"},
		{"foo", []Dest{{"bar", 50, ""}, {"bar", 50, ""}}, `duplicate entry for "bar"`},
		{"foo", []Dest{{"bar", 50, "east"}, {"bar", 50, "west"}}, `duplicate entry for "bar"`},
		{"foo", []Dest{{"bar", 101, ""}}, "individual weights need to be <= 100"},
		{"foo", []Dest{{"bar", 60, ""}, {"baz", 50, ""}}, "total weight needs to be <= 100"},
		{"foo", []Dest{{"bar", 60, "e"}, {"baz", 50, "e"}}, "total weight needs to be <= 100"},
		{"foo.*", []Dest{{"bar.$2", 100, ""}}, outOfRange + "$2: [2]"},
		{"foo.*", []Dest{{"bar.{{left(1,1)}}", 100, ""}}, unknown + "{{left(1,1)}}"},
		{"foo", []Dest{{"", 100, ""}}, "invalid subject"},
		// The identity remainder is parsed like any destination.
		{"a.$1", []Dest{{"b", 50, ""}}, outOfRange + "$1"},
	} {
		if m, err := NewMapping(c.src, c.dests); err == nil || err.Error() != c.want {
			t.Errorf("NewMapping(%q, %v) = %v, %v; want %q", c.src, c.dests, m, err, c.want)
		}
	}
}

func TestMapSelection(t *testing.T) {
	m, err := NewMapping("foo.*", []Dest{{"a.$1", 20, ""}, {"b.$1", 30, ""}})
	if err != nil {
		t.Fatal(err)
	}
	// Cumulative: a 20, b 50, foo.$1 100.
	for draw, want := range map[int]string{0: "a.x", 19: "a.x", 20: "b.x", 49: "b.x", 50: "foo.x", 99: "foo.x"} {
		r := &fixedRand{v: draw}
		got, ok := m.Map("foo.x", r, "")
		if !ok || got != want || !slices.Equal(r.asked, []int{100}) {
			t.Errorf("draw %d: %q, %v (asked %v); want %q", draw, got, ok, r.asked, want)
		}
	}
	if _, ok := m.Map("bar.x", &fixedRand{}, ""); ok {
		t.Error("Map of a subject outside the source succeeded")
	}
	if got, ok := m.Map("foo.x", nil, ""); !ok || got != "a.x" {
		t.Errorf("nil Rand draws 0: %q, %v", got, ok)
	}
}

func TestMapDropAndFastPath(t *testing.T) {
	loss, _ := NewMapping("foo.loss.>", []Dest{{"foo.loss.>", 50, ""}})
	if got, ok := loss.Map("foo.loss.x", &fixedRand{v: 49}, ""); !ok || got != "foo.loss.x" {
		t.Errorf("draw 49: %q, %v", got, ok)
	}
	if got, ok := loss.Map("foo.loss.x", &fixedRand{v: 50}, ""); ok {
		t.Errorf("draw 50 kept the message: %q", got)
	}
	single, _ := NewMapping("foo", []Dest{{"bar", 100, ""}})
	r := &fixedRand{}
	if got, ok := single.Map("foo", r, ""); !ok || got != "bar" || len(r.asked) != 0 {
		t.Errorf("lone 100%%: %q, %v, draws %v; want bar without a draw", got, ok, r.asked)
	}
	// A destination that cannot be built from this subject drops it.
	split, _ := NewMapping("foo.*", []Dest{{"bar.{{split(1,-)}}", 100, ""}})
	if got, ok := split.Map("foo.--", nil, ""); ok {
		t.Errorf("empty split delivered as %q", got)
	}
}

func TestMapCluster(t *testing.T) {
	m, _ := NewMapping("c.x", []Dest{{"east.x", 100, "east"}, {"other.x", 100, ""}})
	for cluster, want := range map[string]string{"east": "east.x", "west": "other.x", "": "other.x"} {
		if got, ok := m.Map("c.x", nil, cluster); !ok || got != want {
			t.Errorf("cluster %q: %q, %v; want %q", cluster, got, ok, want)
		}
	}
	// The source listed in one cluster drops the remainder everywhere, so
	// the main list stays empty and other clusters drop everything.
	lossy, _ := NewMapping("c", []Dest{{"c", 50, "east"}})
	if got, ok := lossy.Map("c", &fixedRand{v: 10}, "west"); ok {
		t.Errorf("west kept the message: %q", got)
	}
	if got, ok := lossy.Map("c", &fixedRand{v: 10}, "east"); !ok || got != "c" {
		t.Errorf("east draw 10: %q, %v", got, ok)
	}
}
