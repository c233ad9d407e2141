package mapping

import (
	"slices"
	"testing"
)

func mustMapping(t testing.TB, src string, dests ...Dest) *Mapping {
	t.Helper()
	m, err := NewMapping(src, dests)
	if err != nil {
		t.Fatalf("NewMapping(%q): %v", src, err)
	}
	return m
}

func to(subject string) Dest { return Dest{Subject: subject, Weight: 100} }

func TestTableFirstMatchWins(t *testing.T) {
	var wildFirst, literalFirst Table
	for _, m := range []*Mapping{mustMapping(t, "foo.*", to("a.$1")), mustMapping(t, "foo.bar", to("b"))} {
		if err := wildFirst.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []*Mapping{mustMapping(t, "foo.bar", to("b")), mustMapping(t, "foo.*", to("a.$1"))} {
		if err := literalFirst.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		table *Table
		subj  string
		want  string
	}{
		{&wildFirst, "foo.bar", "a.bar"},
		{&wildFirst, "foo.baz", "a.baz"},
		{&literalFirst, "foo.bar", "b"},
		{&literalFirst, "foo.baz", "a.baz"},
	} {
		got, changed, dropped := c.table.Apply([]byte(c.subj), nil, "")
		if string(got) != c.want || !changed || dropped {
			t.Errorf("Apply(%q) = %q, %v, %v; want %q, true, false", c.subj, got, changed, dropped, c.want)
		}
	}
}

func TestTableUnchangedAndDropped(t *testing.T) {
	var tbl Table
	subj := []byte("x.y")
	if got, changed, dropped := tbl.Apply(subj, nil, ""); string(got) != "x.y" || changed || dropped {
		t.Errorf("empty table: %q, %v, %v", got, changed, dropped)
	}
	_ = tbl.Add(mustMapping(t, "loss", Dest{"loss", 50, ""}))
	_ = tbl.Add(mustMapping(t, "same.*", to("same.$1")))
	for _, c := range []struct {
		subj             string
		draw             int
		want             string
		changed, dropped bool
	}{
		{"x.y", 0, "x.y", false, false},
		{"loss", 10, "loss", false, false},
		{"loss", 60, "", false, true},
		{"same.q", 0, "same.q", false, false},
	} {
		got, changed, dropped := tbl.Apply([]byte(c.subj), &fixedRand{v: c.draw}, "")
		if string(got) != c.want || changed != c.changed || dropped != c.dropped {
			t.Errorf("Apply(%q, draw %d) = %q, %v, %v; want %q, %v, %v", c.subj, c.draw, got, changed, dropped, c.want, c.changed, c.dropped)
		}
	}
}

func TestTableReplace(t *testing.T) {
	var tbl Table
	first, second, other := mustMapping(t, "a.*", to("one.$1")), mustMapping(t, "a.*", to("two.$1")), mustMapping(t, "b", to("c"))
	for _, m := range []*Mapping{first, other, second} {
		if err := tbl.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	if tbl.Len() != 2 || !slices.Equal(tbl.Mappings(), []*Mapping{second, other}) {
		t.Fatalf("after replace: Len %d, %v", tbl.Len(), tbl.Mappings())
	}
	if got, _, _ := tbl.Apply([]byte("a.x"), nil, ""); string(got) != "two.x" {
		t.Errorf("replaced mapping not used: %q", got)
	}
	if err := tbl.Add(nil); err == nil {
		t.Error("Add(nil) succeeded")
	}
}

// A non-pedantic publish may carry wildcard tokens; they match as in
// nats-server's subset match.
func TestTableWildcardTokensInSubject(t *testing.T) {
	var tbl Table
	_ = tbl.Add(mustMapping(t, "a.*", to("b.$1")))
	_ = tbl.Add(mustMapping(t, "c.>", to("d.>")))
	for subj, want := range map[string]string{"a.*": "b.*", "a.>": "a.>", "c.>": "d.>", "c.*.x": "d.*.x"} {
		if got, _, _ := tbl.Apply([]byte(subj), nil, ""); string(got) != want {
			t.Errorf("Apply(%q) = %q; want %q", subj, got, want)
		}
	}
}

func TestTableApplyNoMatchDoesNotAllocate(t *testing.T) {
	var tbl Table
	long := []byte("orders.region-eu-central-1.customer-000000042.created")
	if n := testing.AllocsPerRun(100, func() { tbl.Apply(long, nil, "") }); n != 0 {
		t.Errorf("empty table: %v allocations", n)
	}
	for _, m := range []*Mapping{
		mustMapping(t, "orders.*.*.deleted", to("x.$1.$2")),
		mustMapping(t, "orders.region-eu-central-1.customer-000000042.updated", to("y")),
		mustMapping(t, "billing.>", to("z.>")),
		mustMapping(t, "*.*", to("w.$1.$2")),
		mustMapping(t, "orders.*.*.*.*", to("v")),
	} {
		_ = tbl.Add(m)
	}
	r := &fixedRand{}
	if n := testing.AllocsPerRun(100, func() { tbl.Apply(long, r, "east") }); n != 0 {
		t.Errorf("no match: %v allocations", n)
	}
	if _, changed, _ := tbl.Apply(long, r, ""); changed {
		t.Error("the long subject matched")
	}
}
