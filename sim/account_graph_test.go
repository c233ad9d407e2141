package sim

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"jsnode/node/conf"
	"jsnode/node/config"
	"jsnode/node/mapping"
	"jsnode/node/server"
	"jsnode/node/subject"
)

// graphOf loads a node config's text and reads its account graph.
func graphOf(t *testing.T, text string) (*accountGraph, error) {
	t.Helper()
	var o server.Options
	if err := config.LoadString("n.conf", text, conf.Options{}, &o, &config.Process{}); err != nil {
		t.Fatalf("config: %v", err)
	}
	return newAccountGraph(&o)
}

// chainConfig: B imports A's events with a prefix and A's ticks mapped,
// D imports B's prefixed events again (a chain), A imports D's back (a
// cycle the graph must not loop on), and B imports A's service.
const chainConfig = `
no_auth_user: anon
authorization { users: [ { user: anon, password: x } ] }
accounts {
  A: {
    users: [ { user: a, password: pa } ]
    exports: [ { stream: "ev.>" }, { stream: "tk.*.*" }, { service: "svc.*" } ]
    imports: [ { stream: { account: D, subject: "d.>" } } ]
  }
  B: {
    users: [ { user: b, password: pb, permissions: { publish: "x" } } ]
    exports: [ { stream: "fa.>" }, { service: "echo" } ]
    imports: [
      { stream: { account: A, subject: "ev.>" }, prefix: fa }
      { stream: { account: A, subject: "tk.*.*" }, to: "tick.{{wildcard(2)}}.$1" }
      { service: { account: A, subject: "svc.echo" }, to: echo }
      { service: { account: A, subject: "svc.*" }, to: "call.*" }
    ]
  }
  D: {
    exports: [ { stream: "d.>" } ]
    imports: [ { stream: { account: B, subject: "fa.>" }, to: "d.fa.>" } ]
  }
}
`

func TestAccountGraphDeliveries(t *testing.T) {
	g, err := graphOf(t, chainConfig)
	if err != nil {
		t.Fatal(err)
	}
	got := g.deliveries("A", "ev.1")
	want := []delivery{{"A", "ev.1"}, {"B", "fa.ev.1"}, {"D", "d.fa.ev.1"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("deliveries(A, ev.1) = %v, want %v (the cycle back into A must stop)", got, want)
	}
	if got := g.deliveries("A", "tk.x.y"); !reflect.DeepEqual(got, []delivery{{"A", "tk.x.y"}, {"B", "tick.y.x"}}) {
		t.Fatalf("deliveries(A, tk.x.y) = %v", got)
	}
	if got := g.deliveries("C", "ev.1"); !reflect.DeepEqual(got, []delivery{{"C", "ev.1"}}) {
		t.Fatalf("an account that imports nothing and exports nothing reaches %v", got)
	}
	for _, tc := range []struct {
		acc, subj string
		want      []delivery
	}{
		{"B", "echo", []delivery{{"B", "echo"}, {"A", "svc.echo"}}},
		{"B", "call.x", []delivery{{"B", "call.x"}, {"A", "svc.x"}}},
		{"C", "svc.echo", []delivery{{"C", "svc.echo"}}},
	} {
		if got := g.requestDeliveries(tc.acc, tc.subj); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("requestDeliveries(%s, %s) = %v, want %v", tc.acc, tc.subj, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name, account string
		perms, ok     bool
	}{{"a", "A", false, true}, {"b", "B", true, true}, {"", "$G", false, true}, {"anon", "$G", false, true}, {"zed", "", false, false}} {
		u, ok := g.user(tc.name)
		if ok != tc.ok || u.account != tc.account || u.perms != tc.perms {
			t.Errorf("user(%q) = %+v, %v; want account %q perms %v ok %v", tc.name, u, ok, tc.account, tc.perms, tc.ok)
		}
	}
}

func TestAccountGraphRefusesWhatItDoesNotModel(t *testing.T) {
	for _, tc := range []struct{ from, to, want string }{
		{`to: "tick.{{wildcard(2)}}.$1"`, `to: "tick.{{wildcard(2)}}.{{wildcard(1)}}.$1"`, ""},
		{`to: "call.*"`, `to: "call.$1"`, "placeholders in the local subject are not modelled"},
		{`{ service: "echo" } ]`, `{ service: "echo" } ], mappings { "q.*": "r.$1" }`, "subject mappings are not modelled (account B)"},
		{`to: "d.fa.>" }`, `to: "d.fa.>" }, { service: { account: B, subject: "echo" } }`, "service import chain D -> B -> A"},
	} {
		_, err := graphOf(t, strings.Replace(chainConfig, tc.from, tc.to, 1))
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.to, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.to, err, tc.want)
		}
	}
}

func TestAccountGraphSubjects(t *testing.T) {
	for _, tc := range []struct {
		pattern, subj string
		want          bool
	}{
		{"a.*", "a.b", true}, {"a.*", "a.b.c", false}, {"a.>", "a", false}, {"a.>", "a.b.c", true},
		{">", "x", true}, {"a.b", "a.b", true}, {"a.b", "a.c", false}, {"*.b", "a.b", true},
	} {
		if got := matchSubject(tc.pattern, tc.subj); got != tc.want {
			t.Errorf("matchSubject(%q, %q) = %v", tc.pattern, tc.subj, got)
		}
	}
	if got := transform("a.*.b.*", "x.$2.{{ Wildcard(1) }}", "a.p.b.q"); got != "x.q.p" {
		t.Errorf("transform = %q, want x.q.p", got)
	}
	if got := transform("a.*", "x.$y.$1", "a.p"); got != "x.$y.p" {
		t.Errorf("a '$' and a non-number must stay literal: %q", got)
	}
	if got := transform("a.*.>", "x.$1.>", "a.p.q.r"); got != "x.p.q.r" {
		t.Errorf("transform with '>' = %q, want x.p.q.r", got)
	}
	for _, tc := range [][2]string{{"a.*", "x.$2"}, {"a.>", "x.y"}, {"a.*", "x.{{partition(2)}}"}} {
		if _, err := checkTransform(tc[0], tc[1]); err == nil {
			t.Errorf("checkTransform(%q, %q) passed", tc[0], tc[1])
		}
	}
}

// tokenGen draws subject patterns over a small alphabet so that they
// collide often.
func tokenGen(wild bool) *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		n := rapid.IntRange(1, 3).Draw(t, "n")
		toks := make([]string, n)
		for i := range toks {
			alphabet := []string{"a", "b"}
			if wild {
				alphabet = append(alphabet, "*")
				if i == n-1 {
					alphabet = append(alphabet, ">")
				}
			}
			toks[i] = rapid.SampledFrom(alphabet).Draw(t, "tok")
		}
		return strings.Join(toks, ".")
	})
}

// smallLiterals are every subject of one to four tokens over a, b, c.
func smallLiterals() []string {
	out := []string{""}
	var all []string
	for n := 0; n < 4; n++ {
		var next []string
		for _, p := range out {
			for _, tok := range []string{"a", "b", "c"} {
				s := tok
				if p != "" {
					s = p + "." + tok
				}
				next = append(next, s)
			}
		}
		all = append(all, next...)
		out = next
	}
	return all
}

// The graph's own matcher agrees with the server's, and two patterns
// overlap exactly when some small subject matches both.
func TestAccountGraphMatchingProperties(t *testing.T) {
	lits := smallLiterals()
	rapid.Check(t, func(t *rapid.T) {
		p, q := tokenGen(true).Draw(t, "p"), tokenGen(true).Draw(t, "q")
		l := rapid.SampledFrom(lits).Draw(t, "literal")
		if got, want := matchSubject(p, l), subject.Match(p, l); got != want {
			t.Fatalf("matchSubject(%q, %q) = %v, server says %v", p, l, got, want)
		}
		witness := false
		for _, s := range lits {
			witness = witness || matchSubject(p, s) && matchSubject(q, s)
		}
		if got := subjectsOverlap(p, q); got != witness {
			t.Fatalf("subjectsOverlap(%q, %q) = %v, a common subject exists: %v", p, q, got, witness)
		}
	})
}

// The graph's transform agrees with node/mapping's strict transforms for
// every permutation of the wildcards.
func TestAccountGraphTransformMatchesMapping(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		src := strings.Split(tokenGen(true).Draw(t, "src"), ".")
		if src[len(src)-1] == ">" {
			src[len(src)-1] = "*"
		}
		var stars []int
		for _, tok := range src {
			if tok == "*" {
				stars = append(stars, len(stars)+1)
			}
		}
		perm := rapid.Permutation(stars).Draw(t, "perm")
		dest := []string{"to"}
		for _, n := range perm {
			if rapid.Bool().Draw(t, "curly") {
				dest = append(dest, "{{wildcard("+strconv.Itoa(n)+")}}")
			} else {
				dest = append(dest, "$"+strconv.Itoa(n))
			}
		}
		lit := make([]string, len(src))
		for i, tok := range src {
			lit[i] = tok
			if tok == "*" {
				lit[i] = rapid.SampledFrom([]string{"x", "y", "z"}).Draw(t, "value")
			}
		}
		pattern, to, subj := strings.Join(src, "."), strings.Join(dest, "."), strings.Join(lit, ".")
		tr, err := mapping.NewStrict(pattern, to)
		if err != nil {
			t.Fatalf("mapping refuses %q -> %q: %v", pattern, to, err)
		}
		want, err := tr.Apply(subj, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := transform(pattern, to, subj); got != want {
			t.Fatalf("transform(%q, %q, %q) = %q, mapping gives %q", pattern, to, subj, got, want)
		}
	})
}
