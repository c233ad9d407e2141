package mapping

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"jsnode/node/subject"
)

// strictCase draws a source with wildcards, a strict destination using
// every wildcard once in a random order, and a subject the source matches.
func strictCase(t *rapid.T) (src, dst, subj string) {
	srcTokens := rapid.SliceOfN(rapid.SampledFrom([]string{"*", "a", "b", "c"}), 1, 6).Draw(t, "src")
	full := rapid.Bool().Draw(t, "fullWildcard")
	stars := strings.Count(strings.Join(srcTokens, " "), "*")
	if stars == 0 && !full {
		srcTokens[0], stars = "*", 1
	}
	var subjTokens []string
	for _, token := range srcTokens {
		if token == "*" {
			token = rapid.SampledFrom([]string{"x", "y1", "$1", "{{w}}", "a"}).Draw(t, "value")
		}
		subjTokens = append(subjTokens, token)
	}
	indexes := make([]int, stars)
	for i := range indexes {
		indexes[i] = i + 1
	}
	var dstTokens []string
	for _, w := range rapid.Permutation(indexes).Draw(t, "order") {
		dstTokens = append(dstTokens, rapid.SliceOfN(rapid.SampledFrom([]string{"q", "r", "$x"}), 0, 2).Draw(t, "literals")...)
		form := rapid.SampledFrom([]string{"$%d", "{{wildcard(%d)}}", "{{ Wildcard( %d ) }}"}).Draw(t, "form")
		dstTokens = append(dstTokens, fmt.Sprintf(form, w))
	}
	if len(dstTokens) == 0 {
		dstTokens = append(dstTokens, "q")
	}
	if full {
		srcTokens, dstTokens = append(srcTokens, ">"), append(dstTokens, ">")
		subjTokens = append(subjTokens, rapid.SliceOfN(rapid.SampledFrom([]string{"t", "u", "v"}), 1, 3).Draw(t, "tail")...)
	}
	return strings.Join(srcTokens, "."), strings.Join(dstTokens, "."), strings.Join(subjTokens, ".")
}

// Apply then Reverse().Apply gives the input back, and the patterns agree.
func TestPropertyStrictRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		src, dst, subj := strictCase(t)
		tr, err := NewStrict(src, dst)
		if err != nil {
			t.Fatalf("NewStrict(%q, %q): %v", src, dst, err)
		}
		rev, err := tr.Reverse()
		if err != nil {
			t.Fatalf("Reverse(%q, %q): %v", src, dst, err)
		}
		out, err := tr.Apply(subj, nil)
		if err != nil {
			t.Fatalf("Apply(%q): %v", subj, err)
		}
		if back, err := rev.Apply(out, nil); err != nil || back != subj {
			t.Fatalf("(%q -> %q) reversed by (%q -> %q): %q -> %q -> %q, %v", src, dst, rev.Source(), rev.Dest(), subj, out, back, err)
		}
		// The source pattern maps onto the reverse's source and back.
		pattern, err := tr.ApplyPattern(src)
		if err != nil || pattern != rev.Source() {
			t.Fatalf("ApplyPattern(%q) = %q, %v; want %q", src, pattern, err, rev.Source())
		}
		if again, err := rev.ApplyPattern(pattern); err != nil || again != src {
			t.Fatalf("reverse ApplyPattern(%q) = %q, %v; want %q", pattern, again, err, src)
		}
	})
}

// Weighted selection follows the weights, replays from a seed, and never
// shows a cumulative weight above 100.
func TestPropertyWeightedSelection(t *testing.T) {
	const draws = 20000
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 5).Draw(t, "destinations")
		listSource := rapid.Bool().Draw(t, "listSource")
		var dests []Dest
		want := map[string]int{}
		left := 100
		for i := range n {
			w := rapid.IntRange(0, left).Draw(t, "weight")
			left -= w
			name := "d" + strconv.Itoa(i)
			if listSource && i == 0 {
				name = "src"
			}
			dests = append(dests, Dest{Subject: name, Weight: uint8(w)})
			want[name] = w
		}
		if !listSource {
			want["src"] += left
		}
		m, err := NewMapping("src", dests)
		if err != nil {
			t.Fatalf("NewMapping(%v): %v", dests, err)
		}
		checkCumulative(t, m.Cumulative(), listSource, left)

		seed := rapid.Uint64().Draw(t, "seed")
		counts, first := sample(m, seed, draws)
		for name, w := range want {
			if got := float64(counts[name]) / draws; math.Abs(got-float64(w)/100) > 0.03 {
				t.Fatalf("%s: frequency %.3f, weight %d%% (dests %v)", name, got, w, dests)
			}
		}
		if _, again := sample(m, seed, 200); again != first {
			t.Fatalf("seed %d replayed differently", seed)
		}
	})
}

func checkCumulative(t *rapid.T, cum []Dest, listSource bool, left int) {
	last := 0
	for _, d := range cum {
		if int(d.Weight) < last || d.Weight > 100 {
			t.Fatalf("cumulative weights %v not ascending within 100", cum)
		}
		last = int(d.Weight)
	}
	if wantLast := 100 - map[bool]int{true: left}[listSource]; last != wantLast {
		t.Fatalf("last cumulative weight %d; want %d (%v)", last, wantLast, cum)
	}
}

// sample maps "src" draws times; it returns the count per destination
// ("" for drops) and the first 200 outcomes as one string.
func sample(m *Mapping, seed uint64, draws int) (map[string]int, string) {
	r := rand.New(rand.NewPCG(seed, 7))
	counts := map[string]int{}
	var first strings.Builder
	for i := range draws {
		out, ok := m.Map("src", r, "")
		if !ok {
			out = ""
		}
		counts[out]++
		if i < 200 {
			first.WriteString(out + ",")
		}
	}
	return counts, first.String()
}

// drawPattern draws a small source pattern or subject over a tiny alphabet
// so that overlaps are common.
func drawPattern(t *rapid.T, label string, wildcards bool) string {
	alphabet := []string{"a", "b", "c"}
	if wildcards {
		alphabet = append(alphabet, "*", "*")
	}
	tokens := rapid.SliceOfN(rapid.SampledFrom(alphabet), 1, 3).Draw(t, label)
	if wildcards && rapid.IntRange(0, 3).Draw(t, label+">") == 0 {
		tokens = append(tokens, ">")
	}
	return strings.Join(tokens, ".")
}

// Table.Apply equals a naive "first matching mapping" scan.
func TestPropertyTableMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var tbl Table
		var model []*Mapping // insertion order, same-source replaced in place
		for i := range rapid.IntRange(0, 6).Draw(t, "mappings") {
			src := drawPattern(t, "source", true)
			target := "m" + strconv.Itoa(i) + "." + identityDest(strings.Split(src, "."))
			dests := []Dest{{Subject: target, Weight: uint8(rapid.IntRange(0, 100).Draw(t, "weight"))}}
			if rapid.Bool().Draw(t, "scoped") {
				dests = append(dests, Dest{Subject: "e" + strconv.Itoa(i) + "." + identityDest(strings.Split(src, ".")), Weight: 100, Cluster: "east"})
			}
			m, err := NewMapping(src, dests)
			if err != nil {
				t.Fatalf("NewMapping(%q, %v): %v", src, dests, err)
			}
			if err := tbl.Add(m); err != nil {
				t.Fatal(err)
			}
			model = addToModel(model, m)
		}
		if tbl.Len() != len(model) {
			t.Fatalf("Len %d; model %d", tbl.Len(), len(model))
		}
		seed := rapid.Uint64().Draw(t, "seed")
		r1, r2 := rand.New(rand.NewPCG(seed, 1)), rand.New(rand.NewPCG(seed, 1))
		for range 20 {
			subj := drawPattern(t, "subject", false)
			cluster := rapid.SampledFrom([]string{"", "east", "west"}).Draw(t, "cluster")
			got, changed, dropped := tbl.Apply([]byte(subj), r1, cluster)
			want, wantChanged, wantDropped := modelApply(model, subj, r2, cluster)
			if string(got) != want || changed != wantChanged || dropped != wantDropped {
				t.Fatalf("Apply(%q, %q) = %q, %v, %v; model %q, %v, %v", subj, cluster, got, changed, dropped, want, wantChanged, wantDropped)
			}
		}
	})
}

func addToModel(model []*Mapping, m *Mapping) []*Mapping {
	for i, old := range model {
		if old.Source() == m.Source() {
			model[i] = m
			return model
		}
	}
	return append(model, m)
}

func modelApply(model []*Mapping, subj string, r Rand, cluster string) (string, bool, bool) {
	for _, m := range model {
		if !subject.Match(m.Source(), subj) {
			continue
		}
		out, ok := m.Map(subj, r, cluster)
		switch {
		case !ok:
			return "", false, true
		case out == subj:
			return subj, false, false
		}
		return out, true, false
	}
	return subj, false, false
}

func TestPropertyMatchesAgreesWithSubjectMatch(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		src := drawPattern(t, "source", true)
		subj := drawPattern(t, "subject", false)
		tr, err := New(src, identityDest(strings.Split(src, ".")))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := tr.Matches(subj), subject.Match(src, subj); got != want {
			t.Fatalf("Matches(%q, %q) = %v; subject.Match %v", src, subj, got, want)
		}
		if got, err := tr.Apply(subj, nil); tr.Matches(subj) && (err != nil || got != subj) {
			t.Fatalf("identity %q on %q = %q, %v", tr.Dest(), subj, got, err)
		}
	})
}
