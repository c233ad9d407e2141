package server

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"jsnode/node/auth"
	"jsnode/node/proto"
	"jsnode/node/subject"
)

// TestAccountGraphModel checks who receives what against a naive model
// over random account graphs: random stream exports (public or approved
// lists), random authorized stream imports (with or without a prefix,
// chains allowed, no cycles), random subscriptions and publishes. A
// subscription receives one copy of a message per import path from the
// publisher's account to its own (the direct path when they are the
// same), with the subject mapped along the path.
func TestAccountGraphModel(t *testing.T) {
	names := []string{"A", "B", "C", "D"}
	patterns := []string{"x.*", "x.>", "x.1", "y.>", ">"}
	literals := []string{"x.1", "x.2", "y.1", "y.2.3"}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, len(names)).Draw(t, "accounts")
		accs := names[:n]
		// Exports: per account, some patterns, each public or approved.
		exports := map[string][]ExportOpts{}
		for _, a := range accs {
			for _, p := range patterns {
				if !rapid.Bool().Draw(t, "export "+a+" "+p) {
					continue
				}
				e := ExportOpts{Subject: p}
				if rapid.Bool().Draw(t, "approved "+a+" "+p) {
					e.Accounts = []string{}
					for _, b := range accs {
						if b != a && rapid.Bool().Draw(t, "approve "+a+" "+p+" "+b) {
							e.Accounts = append(e.Accounts, b)
						}
					}
				}
				exports[a] = append(exports[a], e)
			}
		}
		// Imports: importer i from exporter j < i (a DAG), authorized only.
		type imp struct{ to, from, subj, prefix string }
		var imps []imp
		importsOf := map[string][]ImportOpts{}
		for i := 1; i < n; i++ {
			for j := 0; j < i; j++ {
				for _, p := range patterns {
					if !rapid.Bool().Draw(t, fmt.Sprintf("import %d %d %s", i, j, p)) || !exportAllows(exports[accs[j]], p, accs[i]) {
						continue
					}
					prefix := ""
					if rapid.Bool().Draw(t, fmt.Sprintf("prefix %d %d %s", i, j, p)) {
						prefix = "p" + accs[j] + "."
					}
					imps = append(imps, imp{accs[i], accs[j], p, prefix})
					importsOf[accs[i]] = append(importsOf[accs[i]], ImportOpts{Account: accs[j], Subject: p, Prefix: prefix})
				}
			}
		}
		o := &Options{}
		for _, a := range accs {
			o.Auth.Users = append(o.Auth.Users, &auth.User{Username: a, Password: a, Account: a})
			o.Accounts = append(o.Accounts, &AccountOpts{Name: a, Exports: exports[a], Imports: importsOf[a]})
		}
		if err := ValidateAccounts(o); err != nil && strings.Contains(err.Error(), "import forms a cycle") {
			t.Skip("nats-server's cycle check refuses this graph") // diamonds count as cycles
		}
		w := newWorld(t, o)
		subs := map[string]*peer{}
		pubs := map[string]*peer{}
		subPatterns := map[string][]string{} // account -> pattern per sid (index+1)
		for _, a := range accs {
			subs[a] = w.connect(`"user":"` + a + `","pass":"` + a + `"`)
			pubs[a] = w.connect(`"user":"` + a + `","pass":"` + a + `"`)
			for _, p := range rapid.SliceOfNDistinct(rapid.SampledFrom(append(patterns, "px.>", "pA.>", "pB.x.*", "pC.>")), 1, 3, rapid.ID[string]).Draw(t, "subs "+a) {
				subPatterns[a] = append(subPatterns[a], p)
				subs[a].send(fmt.Sprintf("SUB %s %d\r\n", p, len(subPatterns[a])))
			}
			subs[a].send("PING\r\n")
			subs[a].output()
		}
		// paths(acc, subj) lists the subjects subj arrives as in each
		// account reachable from acc, one entry per path.
		var reach func(acc, subj string, depth int) map[string][]string
		reach = func(acc, subj string, depth int) map[string][]string {
			out := map[string][]string{acc: {subj}}
			if depth > len(accs) {
				return out
			}
			for _, im := range imps {
				if im.from != acc || !subject.Match(im.subj, subj) {
					continue
				}
				for a, ss := range reach(im.to, im.prefix+subj, depth+1) {
					out[a] = append(out[a], ss...)
				}
			}
			return out
		}
		for k := 0; k < 3; k++ {
			from := rapid.SampledFrom(accs).Draw(t, "publisher")
			lit := rapid.SampledFrom(literals).Draw(t, "subject")
			pubs[from].send("PUB " + lit + " 1\r\nm\r\nPING\r\n")
			pubs[from].output()
			want := map[string][]string{}
			for a, ss := range reach(from, lit, 0) {
				for _, s := range ss {
					for i, p := range subPatterns[a] {
						if subject.Match(p, s) {
							want[a] = append(want[a], fmt.Sprintf("%d %s", i+1, s))
						}
					}
				}
			}
			for _, a := range accs {
				got := receivedBy(t, subs[a].output())
				sort.Strings(want[a])
				if strings.Join(got, ",") != strings.Join(want[a], ",") {
					t.Fatalf("publish %s in %s: account %s (subs %v) got %v, want %v\nimports %+v",
						lit, from, a, subPatterns[a], got, want[a], imps)
				}
			}
		}
	})
}

// exportAllows is the model of the export rules: the export of exactly
// the import subject, else the first export it is a subset of, decides;
// it must be public or list the importer.
func exportAllows(es []ExportOpts, subj, importer string) bool {
	var decides *ExportOpts
	for i := range es {
		if es[i].Subject == subj {
			decides = &es[i]
			break
		}
	}
	for i := range es {
		if decides == nil && subject.SubsetOf(subj, es[i].Subject) {
			decides = &es[i]
		}
	}
	return decides != nil && (decides.Accounts == nil || containsStr(decides.Accounts, importer))
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// receivedBy parses MSG lines into sorted "sid subject" entries.
func receivedBy(t *rapid.T, out string) []string {
	rec := &msgCollector{}
	p := proto.NewClientParser(proto.Limits{MaxPayload: -1})
	if err := p.Feed([]byte(out), rec); err != nil {
		t.Fatalf("parse: %v", err)
	}
	var got []string
	for _, m := range rec.msgs {
		f := strings.Fields(m)
		got = append(got, f[1]+" "+f[0])
	}
	sort.Strings(got)
	return got
}
