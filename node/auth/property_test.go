package auth

import (
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// naiveMatch is an independent oracle for subject matching: pattern tokens
// "*" match one token, a final ">" one or more.
func naiveMatch(pattern, literal string) bool {
	p, l := strings.Split(pattern, "."), strings.Split(literal, ".")
	for i, tok := range p {
		if tok == ">" {
			return i == len(p)-1 && len(l) > i
		}
		if i >= len(l) || (tok != "*" && tok != l[i]) {
			return false
		}
	}
	return len(p) == len(l)
}

func naiveAny(patterns []string, literal string) bool {
	for _, p := range patterns {
		if naiveMatch(p, literal) {
			return true
		}
	}
	return false
}

// patternGen draws patterns over a small alphabet so that lists collide.
var patternGen = rapid.Custom(func(t *rapid.T) string {
	n := rapid.IntRange(1, 3).Draw(t, "tokens")
	toks := make([]string, n)
	for i := range toks {
		alphabet := []string{"a", "b", "*"}
		if i == n-1 {
			alphabet = append(alphabet, ">")
		}
		toks[i] = rapid.SampledFrom(alphabet).Draw(t, "token")
	}
	return strings.Join(toks, ".")
})

// literalGen draws publish subjects over the same alphabet plus "c".
var literalGen = rapid.Custom(func(t *rapid.T) string {
	toks := rapid.SliceOfN(rapid.SampledFrom([]string{"a", "b", "c"}), 1, 4).Draw(t, "tokens")
	return strings.Join(toks, ".")
})

// TestCanPublishMatchesNaiveEvaluation checks, with the cache on (and often
// tiny, so it churns), that repeated CanPublish answers agree with a direct
// evaluation of the allow and deny lists.
func TestCanPublishMatchesNaiveEvaluation(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		allow := rapid.SliceOfN(patternGen, 0, 4).Draw(t, "allow")
		deny := rapid.SliceOfN(patternGen, 0, 3).Draw(t, "deny")
		k := NewChecker(&Permissions{Publish: &SubjectPermission{Allow: allow, Deny: deny}})
		k.publishCacheLimit = rapid.SampledFrom([]int{1, 3, maxPublishCacheSize}).Draw(t, "cacheLimit")
		queries := rapid.SliceOfN(literalGen, 1, 40).Draw(t, "queries")
		for round := 0; round < 2; round++ {
			for _, s := range queries {
				want := (len(allow) == 0 || naiveAny(allow, s)) && !naiveAny(deny, s)
				if got := k.CanPublish(s, epoch); got != want {
					t.Fatalf("round %d: CanPublish(%q)=%v, want %v (allow %q deny %q)",
						round, s, got, want, allow, deny)
				}
			}
		}
	})
}

// TestDeliverDeniedAndLiteralSubscribeMatchNaive: for literal subjects the
// subscribe decision and the delivery filter are plain list evaluations.
func TestDeliverDeniedAndLiteralSubscribeMatchNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		allow := rapid.SliceOfN(patternGen, 0, 4).Draw(t, "allow")
		deny := rapid.SliceOfN(patternGen, 0, 3).Draw(t, "deny")
		k := NewChecker(&Permissions{Subscribe: &SubjectPermission{Allow: allow, Deny: deny}})
		k.denyCacheLimit = rapid.SampledFrom([]int{1, 3, maxDenyCacheSize}).Draw(t, "cacheLimit")
		for _, s := range rapid.SliceOfN(literalGen, 1, 40).Draw(t, "queries") {
			denied := naiveAny(deny, s)
			if got := k.DeliverDenied(s); got != denied {
				t.Fatalf("DeliverDenied(%q)=%v, want %v (deny %q)", s, got, denied, deny)
			}
			want := (len(allow) == 0 || naiveAny(allow, s)) && !denied
			if got := k.CanSubscribe(s, ""); got != want {
				t.Fatalf("CanSubscribe(%q)=%v, want %v (allow %q deny %q)", s, got, want, allow, deny)
			}
		}
	})
}

// replyModel is the allow_responses rule written out directly.
type replyModel struct {
	maxMsgs int
	expires time.Duration
	at      map[string]time.Time
	used    map[string]int
}

func (m *replyModel) publish(subj string, now time.Time, static bool) bool {
	if static {
		return true
	}
	at, ok := m.at[subj]
	if !ok {
		return false
	}
	m.used[subj]++
	if m.used[subj] > m.maxMsgs || now.Sub(at) > m.expires {
		delete(m.at, subj)
		return false
	}
	return true
}

// TestAllowResponsesMatchesModel interleaves deliveries and publishes at
// advancing times and compares CanPublish with replyModel.
func TestAllowResponsesMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		allow := rapid.SliceOfN(patternGen, 0, 2).Draw(t, "allow")
		m := &replyModel{
			maxMsgs: rapid.IntRange(1, 3).Draw(t, "max"),
			expires: time.Duration(rapid.IntRange(1, 5).Draw(t, "expiresSec")) * time.Second,
			at:      map[string]time.Time{},
			used:    map[string]int{},
		}
		k := NewChecker(&Permissions{
			Publish:  &SubjectPermission{Allow: allow},
			Response: &ResponsePermission{MaxMsgs: m.maxMsgs, Expires: m.expires},
		})
		now := epoch
		for i, n := 0, rapid.IntRange(1, 60).Draw(t, "ops"); i < n; i++ {
			now = now.Add(time.Duration(rapid.IntRange(0, 1500).Draw(t, "stepMs")) * time.Millisecond)
			subj := literalGen.Draw(t, "subject")
			if rapid.Bool().Draw(t, "deliver") {
				k.NoteReply(subj, now)
				m.at[subj], m.used[subj] = now, 0
				continue
			}
			want := m.publish(subj, now, naiveAny(allow, subj))
			if got := k.CanPublish(subj, now); got != want {
				t.Fatalf("op %d: CanPublish(%q)=%v, want %v", i, subj, got, want)
			}
		}
	})
}
