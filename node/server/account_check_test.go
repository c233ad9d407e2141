package server

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"jsnode/node/auth"
	"jsnode/node/subject"
)

func acct(name string, exports []ExportOpts, imports []ImportOpts) *AccountOpts {
	return &AccountOpts{Name: name, Exports: exports, Imports: imports, Limits: UnlimitedAccount}
}

func streamExport(subj string, accounts ...string) ExportOpts {
	return ExportOpts{Subject: subj, Accounts: accounts}
}

func serviceExport(subj string, accounts ...string) ExportOpts {
	return ExportOpts{Service: true, Subject: subj, Accounts: accounts}
}

func streamImportOf(account, subj string) ImportOpts {
	return ImportOpts{Account: account, Subject: subj}
}

func serviceImportOf(account, subj string) ImportOpts {
	return ImportOpts{Service: true, Account: account, Subject: subj}
}

// errText renders ValidateAccounts' result; "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestValidateAccountsRules(t *testing.T) {
	for _, c := range []struct {
		name string
		o    Options
		want string
	}{
		{"empty", Options{}, ""},
		{"reserved", Options{Accounts: []*AccountOpts{acct("$G", nil, nil)}}, `"$G" is a Reserved Account`},
		{"duplicate", Options{Accounts: []*AccountOpts{acct("A", nil, nil), acct("A", nil, nil)}}, `Duplicate Account Entry: A`},
		{"user bound to an unknown account", Options{Auth: auth.Config{Users: []*auth.User{{Username: "u", Account: "X"}}}},
			`user "u" is bound to account "X", which is not defined`},
		{"users of $G need no account", Options{Auth: auth.Config{Users: []*auth.User{{Username: "u", Account: GlobalAccount}}, Username: "x"}}, ""},
		{"token with account users", Options{Accounts: []*AccountOpts{acct("A", nil, nil)},
			Auth: auth.Config{Token: "t", Nkeys: []*auth.NkeyUser{{Nkey: "U1", Account: "A"}}}}, `Can not have a token and accounts`},
		{"public export, exact import", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{streamExport("foo.*")}, nil),
			acct("B", nil, []ImportOpts{streamImportOf("A", "foo.*")})}}, ""},
		{"narrower import", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{streamExport("foo.*")}, nil),
			acct("B", nil, []ImportOpts{streamImportOf("A", "foo.bar")})}}, ""},
		{"wider import", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{streamExport("foo.*")}, nil),
			acct("B", nil, []ImportOpts{streamImportOf("A", "foo.>")})}}, `Error adding stream import "foo.>": stream import not authorized`},
		{"invalid stream import subject", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{streamExport(">")}, nil),
			acct("B", nil, []ImportOpts{streamImportOf("A", "a..b")})}}, `Error adding stream import "a..b": stream import not authorized`},
		{"approved list", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{serviceExport("svc.>", "B")}, nil),
			acct("B", nil, []ImportOpts{serviceImportOf("A", "svc.x")}),
			acct("C", nil, []ImportOpts{serviceImportOf("A", "svc.x")})}}, `Error adding service import "svc.x": service import not authorized`},
		{"approvals of one subject add up", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{serviceExport("s", "B"), serviceExport("s", "C"), serviceExport("s")}, nil),
			acct("B", nil, []ImportOpts{serviceImportOf("A", "s")}),
			acct("C", nil, []ImportOpts{serviceImportOf("A", "s")})}}, ""},
		{"exact export decides before a wider one", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{streamExport(">"), streamExport("x", "C")}, nil),
			acct("B", nil, []ImportOpts{streamImportOf("A", "x")}), acct("C", nil, nil)}}, `Error adding stream import "x": stream import not authorized`},
		{"token position: exact subject never passes", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{{Service: true, Subject: "svc.*", AccountTokenPosition: 2}}, nil),
			acct("B", nil, []ImportOpts{serviceImportOf("A", "svc.*")})}}, `Error adding service import "svc.*": service import not authorized`},
		{"token position: own name passes", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{{Service: true, Subject: "svc.*", AccountTokenPosition: 2}}, nil),
			acct("B", nil, []ImportOpts{serviceImportOf("A", "svc.B")})}}, ""},
		{"token position beyond the subject", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{{Subject: "s.*", AccountTokenPosition: 3}}, nil)}}, `Error adding stream export "s.*": sublist: invalid subject`},
		{"prefix with a trailing dot", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{streamExport("x.>")}, nil),
			acct("B", nil, []ImportOpts{{Account: "A", Subject: "x.*", Prefix: "p."}, {Account: "A", Subject: "x.y", Prefix: "q"}})}}, ""},
		{"wildcard prefix", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{streamExport("x")}, nil),
			acct("B", nil, []ImportOpts{{Account: "A", Subject: "x", Prefix: ">"}})}}, `Error adding stream import "x": stream import prefix can not contain wildcard tokens`},
		{"duplicate stream import", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{streamExport("x")}, nil),
			acct("B", nil, []ImportOpts{streamImportOf("A", "x"), {Account: "A", Subject: "x", To: "y"}})}}, `Error adding stream import "x": stream import already exists`},
		{"duplicate service import local subject", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{serviceExport("a"), serviceExport("b")}, nil),
			acct("B", nil, []ImportOpts{serviceImportOf("A", "a"), {Service: true, Account: "A", Subject: "b", To: "a"}})}},
			`Error adding service import "b": duplicate service import subject "a", previously used in import for account "A", subject "a"`},
		{"service import of the same subject from two accounts", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{serviceExport("a")}, nil), acct("C", []ExportOpts{serviceExport("a")}, nil),
			acct("B", nil, []ImportOpts{serviceImportOf("A", "a"), {Service: true, Account: "C", Subject: "a", To: "c.a"}})}}, ""},
		{"wildcard service import mapped locally", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{serviceExport("svc.*.*")}, nil),
			acct("B", nil, []ImportOpts{{Service: true, Account: "A", Subject: "svc.*.*", To: "local.$2.$1"}})}}, ""},
		{"self cycle", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{serviceExport("foo")}, []ImportOpts{serviceImportOf("A", "foo")})}}, ""},
		{"three-account service cycle", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{serviceExport("q.>")}, []ImportOpts{serviceImportOf("B", "q.x")}),
			acct("B", []ExportOpts{serviceExport("q.x")}, []ImportOpts{serviceImportOf("C", "q.x")}),
			acct("C", []ExportOpts{serviceExport("q.*")}, []ImportOpts{serviceImportOf("A", "q.x")})}},
			`Error adding service import "q.x": import forms a cycle`},
		{"unrelated subjects form no cycle", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{serviceExport("a")}, []ImportOpts{serviceImportOf("B", "b")}),
			acct("B", []ExportOpts{serviceExport("b")}, []ImportOpts{serviceImportOf("A", "a")})}}, ""},
		{"stream cycle through a prefix-free chain", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{streamExport("e.>")}, []ImportOpts{streamImportOf("B", "e.>")}),
			acct("B", []ExportOpts{streamExport("e.>")}, []ImportOpts{streamImportOf("A", "e.x")})}},
			`Error adding stream import "e.x": import forms a cycle`},
		{"prefixed stream imports form no cycle", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{streamExport("e.>")}, []ImportOpts{{Account: "B", Subject: "e.>", Prefix: "b"}}),
			acct("B", []ExportOpts{streamExport("e.>")}, []ImportOpts{{Account: "A", Subject: "e.>", Prefix: "a"}})}}, ""},
		{"a stream cycle needs the exporter to export what it passes on", Options{Accounts: []*AccountOpts{
			acct("A", []ExportOpts{streamExport("x")}, []ImportOpts{streamImportOf("C", "y")}),
			acct("B", []ExportOpts{streamExport("y")}, []ImportOpts{{Account: "A", Subject: "x", To: "y"}}),
			acct("C", []ExportOpts{streamExport("y")}, []ImportOpts{streamImportOf("B", "y")})}}, ""},
		{"system account", Options{Accounts: []*AccountOpts{acct("S", nil, nil)}, SystemAccount: "S"}, ""},
		{"missing system account", Options{SystemAccount: "S"}, `error resolving system account: account missing`},
		{"default system account needs no entry", Options{SystemAccount: "", NoSystemAccount: false}, ""},
		{"no_auth_user nkey", Options{Auth: auth.Config{NoAuthUser: "UKEY", Nkeys: []*auth.NkeyUser{{Nkey: "UKEY"}}}}, ""},
		{"no_auth_user missing", Options{Auth: auth.Config{NoAuthUser: "x", Users: []*auth.User{{Username: "y"}}}},
			`no_auth_user: "x" not present as user or nkey in authorization block or account configuration`},
	} {
		if got := errText(ValidateAccounts(&c.o)); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

// Block errors are *AccountsError (config positions them); the start-up
// checks are plain errors and run only when the block is valid.
func TestValidateAccountsErrorsAreAccountsErrors(t *testing.T) {
	o := Options{Accounts: []*AccountOpts{acct("A", []ExportOpts{streamExport("x", "Z")}, nil)}, SystemAccount: "NOPE"}
	err := ValidateAccounts(&o)
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok || len(joined.Unwrap()) != 1 {
		t.Fatalf("err = %v, want one joined error (the system account is not checked after a block error)", err)
	}
	if _, ok := joined.Unwrap()[0].(*AccountsError); !ok {
		t.Errorf("%T is not an *AccountsError", joined.Unwrap()[0])
	}
	o = Options{SystemAccount: "NOPE"}
	err = ValidateAccounts(&o)
	if joined, ok := err.(interface{ Unwrap() []error }); !ok || len(joined.Unwrap()) != 1 {
		t.Fatalf("err = %v", err)
	} else if _, isBlock := joined.Unwrap()[0].(*AccountsError); isBlock {
		t.Errorf("the system account error is reported at start-up, not against the block")
	}
}

// chain builds n accounts where each one (but the first) imports foo from
// the one before it; each exports foo.
func chain(n int, service bool) *Options {
	o := &Options{}
	for i := 0; i < n; i++ {
		a := acct(fmt.Sprintf("C%04d", i), []ExportOpts{{Service: service, Subject: "foo"}}, nil)
		if i > 0 {
			a.Imports = []ImportOpts{{Service: service, Account: fmt.Sprintf("C%04d", i-1), Subject: "foo"}}
		}
		o.Accounts = append(o.Accounts, a)
	}
	return o
}

// The cycle search gives up after MaxAccountCycleSearchDepth accounts: in
// a chain, the import of account 1024 is the first whose search reaches
// that many.
func TestCycleSearchDepth(t *testing.T) {
	for _, service := range []bool{true, false} {
		kind := "stream"
		if service {
			kind = "service"
		}
		if err := ValidateAccounts(chain(MaxAccountCycleSearchDepth, service)); err != nil {
			t.Errorf("%s chain of %d: %v", kind, MaxAccountCycleSearchDepth, err)
		}
		want := fmt.Sprintf("Error adding %s import \"foo\": search cycle depth exhausted", kind)
		err := ValidateAccounts(chain(MaxAccountCycleSearchDepth+2, service)) // 1025 imports from the refused 1024: fine
		if got, wantAll := errText(err), want; got != wantAll {
			t.Errorf("%s chain of %d:\n got %q\nwant %q", kind, MaxAccountCycleSearchDepth+2, got, wantAll)
		}
	}
}

// bigOptions builds n accounts around a hub: the hub exports a service
// per account (account token position) and a public stream, and imports
// every account's events with a prefix; each account imports from the
// hub, imports its neighbour's service and has two users.
func bigOptions(n int) *Options {
	o := &Options{SystemAccount: "HUB"}
	hub := acct("HUB", []ExportOpts{
		{Service: true, Subject: "hub.*.req", AccountTokenPosition: 2},
		streamExport("hub.news.>"),
	}, nil)
	o.Accounts = append(o.Accounts, hub)
	for i := 0; i < n-1; i++ {
		name := fmt.Sprintf("A%05d", i)
		next := fmt.Sprintf("A%05d", (i+1)%(n-1))
		a := acct(name, []ExportOpts{
			streamExport("events." + name + ".>"),
			serviceExport("svc."+name, next),
		}, []ImportOpts{
			serviceImportOf("HUB", "hub."+name+".req"),
			{Account: "HUB", Subject: "hub.news.>", Prefix: "hub"},
		})
		if i > 0 {
			prev := fmt.Sprintf("A%05d", i-1)
			a.Imports = append(a.Imports, serviceImportOf(prev, "svc."+prev))
		}
		hub.Imports = append(hub.Imports, ImportOpts{Account: name, Subject: "events." + name + ".>", Prefix: "in"})
		o.Accounts = append(o.Accounts, a)
		o.Auth.Users = append(o.Auth.Users, &auth.User{Username: name + "-u", Account: name})
		o.Auth.Nkeys = append(o.Auth.Nkeys, &auth.NkeyUser{Nkey: "U" + name, Account: name})
	}
	return o
}

func TestValidateTenThousandAccounts(t *testing.T) {
	o := bigOptions(10000)
	if err := ValidateAccounts(o); err != nil {
		t.Fatal(err)
	}
	// The same shape with one unauthorized import planted at the end.
	last := o.Accounts[len(o.Accounts)-1]
	last.Imports = append(last.Imports, serviceImportOf("HUB", "hub.A00000.req"))
	want := `Error adding service import "hub.A00000.req": service import not authorized`
	if got := errText(ValidateAccounts(o)); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTransformTokenizing(t *testing.T) {
	for _, c := range []struct{ in, tok, untok string }{
		{"foo.*.*", "foo.$1.$2", "foo.*.*"},
		{"a.$2.$1", "a.$2.$1", "a.*.*"},
		{"a.{{wildcard(1)}}.{{ Wildcard( 2 ) }}", "a.{{wildcard(1)}}.{{ Wildcard( 2 ) }}", "a.*.*"},
		{"a.{{wildcard()}}.{{partition(2,1)}}.$x.$0", "a.{{wildcard()}}.{{partition(2,1)}}.$x.$0", "a.{{wildcard()}}.{{partition(2,1)}}.$x.$0"},
		{"a.>", "a.>", "a.>"},
	} {
		if got := transformTokenize(c.in); got != c.tok {
			t.Errorf("tokenize(%q) = %q, want %q", c.in, got, c.tok)
		}
		if got := transformUntokenize(c.in); got != c.untok {
			t.Errorf("untokenize(%q) = %q, want %q", c.in, got, c.untok)
		}
	}
}

func TestSubjectsCollide(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"foo", "foo", true}, {"foo", "bar", false}, {"foo.bar", "foo.*", true}, {"foo", "foo.>", false},
		{"foo.>", "foo.*.baz", true}, {"*.b", "a.*", true}, {"a.*", "b.*", false}, {"a.*.c", "a.>", true},
		{"a.*", "a.*.*", false}, {">", "a.b.c", true}, {"a.>", "b.>", false}, {"*", ">", true},
	} {
		if got := subjectsCollide(c.a, c.b); got != c.want {
			t.Errorf("collide(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := subjectsCollide(c.b, c.a); got != c.want {
			t.Errorf("collide(%q, %q) = %v, want %v", c.b, c.a, got, c.want)
		}
	}
}

// drawPattern draws a valid subject of 1-4 tokens from a small alphabet,
// with wildcards, so that overlaps are common.
func drawPattern(t *rapid.T, label string) string {
	return drawPatternFrom(t, label, []string{"a", "b", "c", "*"})
}

// wideAlphabet gives trie nodes more children than fit in their slice.
var wideAlphabet = []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "*"}

func drawPatternFrom(t *rapid.T, label string, alphabet []string) string {
	toks := rapid.SliceOfN(rapid.SampledFrom(alphabet), 1, 4).Draw(t, label)
	if rapid.Bool().Draw(t, label+" ends in >") {
		toks = append(toks, ">")
	}
	return strings.Join(toks, ".")
}

// literalsUpTo enumerates every literal over the alphabet plus a token no
// pattern uses, up to n tokens: enough to witness any collision.
func literalsUpTo(n int) []string {
	alpha := []string{"a", "b", "c", "z"}
	var out, level []string
	level = []string{""}
	for k := 1; k <= n; k++ {
		var next []string
		for _, p := range level {
			for _, tok := range alpha {
				s := tok
				if p != "" {
					s = p + "." + tok
				}
				next = append(next, s)
			}
		}
		out = append(out, next...)
		level = next
	}
	return out
}

var witnesses = literalsUpTo(6)

func collideModel(a, b string) bool {
	for _, lit := range witnesses {
		if subject.Match(a, lit) && subject.Match(b, lit) {
			return true
		}
	}
	return false
}

func TestSubjectsCollideMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := drawPattern(t, "a"), drawPattern(t, "b")
		if got, want := subjectsCollide(a, b), collideModel(a, b); got != want {
			t.Fatalf("collide(%q, %q) = %v, model %v", a, b, got, want)
		}
	})
}

// The trie lookups, confirmed with the exact predicate, find exactly what
// a scan of every pattern finds, in insertion order.
func TestSubjectTrieMatchesScan(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var tr subjectTrie
		alphabet := rapid.SampledFrom([][]string{{"a", "b", "c", "*"}, wideAlphabet}).Draw(t, "alphabet")
		patterns := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) string { return drawPatternFrom(t, "p", alphabet) }), 0, 40).Draw(t, "patterns")
		for i, p := range patterns {
			tr.insert(p, i)
		}
		q := drawPatternFrom(t, "query", alphabet)
		var wantSup, wantCol, gotSup, gotCol []int
		for i, p := range patterns {
			if subject.SubsetOf(q, p) {
				wantSup = append(wantSup, i)
			}
			if subjectsCollide(q, p) {
				wantCol = append(wantCol, i)
			}
		}
		for _, i := range tr.supersetCandidates(q, nil) {
			if subject.SubsetOf(q, patterns[i]) {
				gotSup = append(gotSup, i)
			}
		}
		for _, i := range tr.collideCandidates(q, nil) {
			if subjectsCollide(q, patterns[i]) {
				gotCol = append(gotCol, i)
			}
		}
		if !slices.Equal(gotSup, wantSup) || !slices.Equal(gotCol, wantCol) {
			t.Fatalf("query %q over %q: supersets %v want %v; collisions %v want %v", q, patterns, gotSup, wantSup, gotCol, wantCol)
		}
	})
}

// Every pattern of one or two tokens over a wide alphabet, against every
// other: nodes get more children than their slice holds, and lookups must
// still agree with a scan.
func TestSubjectTrieWideNodes(t *testing.T) {
	var patterns []string
	for _, a := range append(wideAlphabet, ">") {
		patterns = append(patterns, a)
		if a == ">" {
			continue
		}
		for _, b := range append(wideAlphabet, ">") {
			patterns = append(patterns, a+"."+b)
		}
	}
	var tr subjectTrie
	for i, p := range patterns {
		tr.insert(p, i)
	}
	for _, q := range patterns {
		var want, got []int
		for i, p := range patterns {
			if subjectsCollide(q, p) {
				want = append(want, i)
			}
		}
		for _, i := range tr.collideCandidates(q, nil) {
			if subjectsCollide(q, patterns[i]) {
				got = append(got, i)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("collisions of %q: %v, want %v", q, got, want)
		}
		want, got = want[:0], got[:0]
		for i, p := range patterns {
			if subject.SubsetOf(q, p) {
				want = append(want, i)
			}
		}
		for _, i := range tr.supersetCandidates(q, nil) {
			if subject.SubsetOf(q, patterns[i]) {
				got = append(got, i)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("supersets of %q: %v, want %v", q, got, want)
		}
	}
}
