package mapping

import (
	"math/rand/v2"
	"testing"

	"jsnode/node/subject"
)

// FuzzTransform builds transforms from arbitrary text: construction never
// panics; a transform that matches a literal subject yields a valid publish
// subject or an error; a strict transform that reverses maps its output
// back; a mapping of the same pair maps as the transform does.
func FuzzTransform(f *testing.F) {
	for _, seed := range [][3]string{
		{"foo.*.*", "bar.$2.$1", "foo.a.b"},
		{"orders.*", "orders.{{partition(4,1)}}.{{wildcard(1)}}", "orders.eu"},
		{"*", "{{split(1,-)}}", "-a--b-"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, src, dst, subj string) {
		r := rand.New(rand.NewPCG(1, 2))
		checkTransform(t, src, dst, subj, r)
		if tr, err := NewStrict(src, dst); err == nil {
			checkApply(t, tr, subj, r)
			checkReverse(t, tr, subj)
		}
		if tr, err := NewRepublish(src, dst); err == nil {
			checkApply(t, tr, subj, r)
		}
	})
}

func checkTransform(t *testing.T, src, dst, subj string, r Rand) {
	tr, err := New(src, dst)
	if err != nil {
		return
	}
	out, applied := checkApply(t, tr, subj, r)
	m, err := NewMapping(src, []Dest{{Subject: dst, Weight: 100}})
	if src == "" {
		return // a transform's empty source means ">"; a mapping's is invalid
	}
	if err != nil {
		t.Fatalf("New(%q, %q) accepted but NewMapping refused: %v", src, dst, err)
	}
	if !applied || !subject.ValidPublish(subj) {
		return
	}
	// {{random}} draws, so replay it from the same seed.
	if mapped, ok := m.Map(subj, rand.New(rand.NewPCG(3, 4)), ""); !ok || (mapped != out && !usesRandom(tr)) {
		t.Fatalf("Map(%q) = %q, %v; Apply gave %q", subj, mapped, ok, out)
	}
}

func usesRandom(tr *Transform) bool {
	for _, o := range tr.ops {
		if o.kind == opRandom {
			return true
		}
	}
	return false
}

// checkApply applies tr and checks the result is a valid publish subject.
func checkApply(t *testing.T, tr *Transform, subj string, r Rand) (string, bool) {
	if !subject.ValidPublish(subj) || !tr.Matches(subj) {
		return "", false
	}
	out, err := tr.Apply(subj, r)
	if err != nil {
		return "", false
	}
	if !subject.ValidPublish(out) {
		t.Fatalf("(%q -> %q) mapped %q to invalid %q", tr.Source(), tr.Dest(), subj, out)
	}
	return out, true
}

func checkReverse(t *testing.T, tr *Transform, subj string) {
	rev, err := tr.Reverse()
	if err != nil || !subject.ValidPublish(subj) || !tr.Matches(subj) {
		return
	}
	out, err := tr.Apply(subj, nil)
	if err != nil {
		return
	}
	if back, err := rev.Apply(out, nil); err != nil || back != subj {
		t.Fatalf("(%q -> %q) reversed as (%q -> %q): %q -> %q -> %q, %v", tr.Source(), tr.Dest(), rev.Source(), rev.Dest(), subj, out, back, err)
	}
}
