package config

import (
	"strings"
	"testing"

	"jsnode/node/conf"
	"jsnode/node/server"
)

// The examples of ACCOUNTS.md §1–§3 (/work/shared/ACCOUNTS.md), made
// concrete where the document abbreviates ("{...}", "U...", "A..."). The
// §2 examples are the forms of its export and import tables. Lines of
// features jsnode does not implement yet are listed apart, each with the
// refusal it must give.

// section1Example is the §1 syntax block without its jetstream lines
// (config jetstream_test.go reads those) and its msg_trace lines (see
// section1Refused).
const section1Example = `
accounts {
  A: { users: [ {user: a, password: a, permissions: {publish: "a.>", subscribe: "_INBOX.>"}}, {nkey: ` + userKey + `} ]
       exports: [ {stream: "a.public.>"} ], imports: [ {stream: {account: B, subject: "b.>"}} ]
       mappings { "a.*": "b.{{wildcard(1)}}" }   # alias: maps
       default_permissions { publish: "a.>", subscribe: "a.>" }
       limits { max_connections: 10, max_subscriptions: 100, max_payload: 1MB, max_leafnodes: 2 }
       nkey: ` + accountKey + `                    # public account nkey (validated)
  }
  B: { exports: [ {stream: "b.>"} ] }
}
`

const section1ListForm = "accounts: [A, B]      # short form: names only, no users\n"

// section1Refused are §1's lines for message tracing.
var section1Refused = []struct{ line, feature string }{
	{`msg_trace: "subj"`, "message tracing"},
	{`msg_trace: { dest: "subj", sampling: 50 }`, "message tracing"},
	{`trace_dest: { dest: "subj", sampling: "50%" }`, "message tracing"},
}

// section2Example has every export and import form of §2's tables.
const section2Example = `
accounts {
  A: {
    exports: [
      {stream: "public.>"}
      {stream: "priv.>", accounts: [B, C]}
      {service: "svc.req"}
      {service: "svc.*", accounts: [B]}
      {stream: "empty.>", accounts: []}
      {service: "one.req", response_type: singleton}
      {service: "single.req", response: single}
      {service: "stream.req", response_type: stream, response_threshold: "10s"}
      {service: "chunk.req", response_type: chunked, threshold: "1m"}
      {service: "chunk2.req", response: chunk, response_max_time: "30s"}
      {service: "time.req", response_type: stream, response_time: "5s"}
      {service: "tok.*.req", account_token_position: 2}
      {stream: "tok.*.events", account_token_position: 2}
    ]
  }
  B: {
    imports: [
      {stream: {account: A, subject: "public.>"}}
      {stream: {account: A, subject: "public.x.>"}, prefix: "from_a"}
      {stream: {account: A, subject: "priv.*"}, to: "local.$1"}
      {service: {account: A, subject: "svc.req"}, to: "local.req"}
      {service: {account: A, subject: "svc.x"}, share: true}
      {service: {account: A, subject: "stream.req"}}
      {service: {account: A, subject: "tok.B.req"}}
      {stream: {account: A, subject: "tok.B.events"}}
      {stream: {account: A, subject: "empty.>"}}
    ]
  }
  C: { imports: [ {stream: {account: A, subject: "priv.c"}} ] }
}
`

// section2Refused are §2's forms for latency tracking and message tracing.
var section2Refused = []struct{ text, feature string }{
	{`accounts { A: { exports: [ {service: "svc.req", latency: "results.subj"} ] } }`, "service latency tracking"},
	{`accounts { A: { exports: [ {service: "svc.req", latency: {sampling: 50, subject: "results.subj"}} ] } }`, "service latency tracking"},
	{`accounts { A: { exports: [ {service: "svc.req", allow_trace: true} ] } }`, "message tracing"},
	{`accounts { A: { exports: [ {stream: "x"} ] }, B: { imports: [ {stream: {account: A, subject: "x"}, allow_trace: true} ] } }`, "message tracing"},
}

// section3Example is §3's config block, verbatim.
const section3Example = `
mappings {
  foo: bar                                   # weight 100
  "bar.*.*": "baz.$2.$1"                     # legacy $N
  "a.*": "b.{{wildcard(1)}}"
  "w.>": [ {destination: "w1.>", weight: 80}, {dest: "w2.>", weight: "20%"} ]
  "c.x": [ {destination: "east.x", weight: 100, cluster: "east"}, {destination: "other.x", weight: 100} ]
}
`

func TestAccountsDocExamplesLoad(t *testing.T) {
	for name, text := range map[string]string{
		"section 1":           section1Example,
		"section 1 list form": section1ListForm,
		"section 2":           section2Example,
		"section 3":           section3Example,
		"section 3 in an account": strings.Replace(section3Example, "mappings {",
			"accounts { A: { mappings {", 1) + "} }\n",
	} {
		var o server.Options
		if err := LoadString(name+".conf", text, conf.Options{}, &o, &Process{}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestAccountsDocExampleValues(t *testing.T) {
	o := loadOK(t, section3Example)
	if len(o.Mappings) != 5 {
		t.Fatalf("mappings = %+v", o.Mappings)
	}
	w := o.Mappings[3]
	if w.Source != "w.>" || len(w.Dests) != 2 || w.Dests[0] != (server.MapDest{Subject: "w1.>", Weight: 80}) ||
		w.Dests[1] != (server.MapDest{Subject: "w2.>", Weight: 20}) {
		t.Errorf("weighted mapping = %+v", w)
	}
	if c := o.Mappings[4].Dests[0]; c.Cluster != "east" || c.Weight != 100 {
		t.Errorf("cluster mapping = %+v", c)
	}
	o = loadOK(t, section2Example)
	if e := o.Accounts[0].Exports[4]; e.Accounts != nil {
		t.Errorf("accounts: [] gave %#v, want nil (a public export)", e.Accounts)
	}
	if imp := o.Accounts[1].Imports[1]; imp.Prefix != "from_a." {
		t.Errorf("prefix = %q, want a trailing dot added", imp.Prefix)
	}
}

func TestAccountsDocUnsupportedFormsAreRefused(t *testing.T) {
	var cases []struct{ text, feature string }
	for _, r := range section1Refused {
		cases = append(cases, struct{ text, feature string }{"accounts { A: { " + r.line + " } }", r.feature})
	}
	cases = append(cases, section2Refused...)
	for _, c := range cases {
		var o server.Options
		err := LoadString("r.conf", c.text, conf.Options{}, &o, &Process{})
		want := " is not supported by jsnode yet"
		if err == nil || !strings.HasPrefix(err.Error(), "r.conf:1:") || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s (%s): error %v, want a positioned refusal ending in %q", c.text, c.feature, err, want)
		}
	}
}
