package server

import (
	"net/url"
	"strings"
	"testing"

	"jsnode/node/monitor"
)

// FuzzMonitorRequests throws arbitrary monitoring queries and system
// request bodies at a server with accounts and a system account: the
// parsers answer with errors, the server never panics and still answers a
// well-formed request afterwards.
func FuzzMonitorRequests(f *testing.F) {
	for _, seed := range []struct {
		z, query, body string
	}{
		{"CONNZ", "sort=bytes_to&limit=2&offset=1&subs=detail&auth=1", `{"sort":"msgs_to","limit":1}`},
		{"CONNZ", "state=closed&sort=reason", `{"state":1,"acc":"A","filter_subject":"x.>"}`},
		{"SUBSZ", "subs=1&test=foo.bar&acc=B", `{"subscriptions":true,"test":"foo.*"}`},
		{"ACCOUNTZ", "acc=NOPE", `{"account":"A"}`},
		{"HEALTHZ", "stream=x", `{"js-enabled-only":true,"details":true}`},
		{"ROUTEZ", "subs=detail", `{"subscriptions_detail":true}`},
		{"STATZ", "unused=maybe", `{"accounts":["A","$G"],"include_unused":true}`},
		{"VARZ", "%zz", "\x00{"},
		{"INFO", "", `{"server_name":"x","exact_match":true}`},
	} {
		f.Add(seed.z, seed.query, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, z, query string, body []byte) {
		w := newWorld(t, sysOpts())
		s := w.srv
		if q, err := url.ParseQuery(query); err == nil {
			fuzzQueries(s, q)
		}
		sys := w.connect(`"user":"sys","pass":"sys"`)
		a := w.connect(`"user":"a","pass":"a"`)
		if !isToken(z) {
			z = "CONNZ"
		}
		subj := "$SYS.REQ.SERVER.PING." + strings.ToUpper(z)
		for _, p := range []*peer{sys, a} {
			p.send("SUB _INBOX.f 1\r\nHPUB " + subj + " _INBOX.f 33 " + itoaS(33+len(body)) +
				"\r\nNATS/1.0\r\nAccept-Encoding: s2\r\n\r\n" + string(body) + "\r\nUNSUB 1\r\nPING\r\n")
			p.output()
			p.send("PUB $SYS.REQ.ACCOUNT.A." + strings.ToUpper(z) + " _INBOX.f " + itoaS(len(body)) + "\r\n" + string(body) + "\r\nPING\r\n")
			p.output()
		}
		if got := sys.request("$SYS.REQ.SERVER.PING.IDZ", ""); len(got) != 1 {
			t.Fatalf("IDZ after fuzzed requests: %q", got)
		}
	})
}

// fuzzQueries runs every HTTP query parser on q and, where it accepts
// the query, the endpoint.
func fuzzQueries(s *Server, q url.Values) {
	if o, err := monitor.ParseConnzQuery(q); err == nil {
		s.Connz(o)
	}
	if o, err := monitor.ParseSubszQuery(q); err == nil {
		s.Subsz(o)
	}
	if o, err := monitor.ParseRoutezQuery(q); err == nil {
		s.Routez(o)
	}
	if o, err := monitor.ParseAccountzQuery(q); err == nil {
		s.Accountz(o)
	}
	if o, err := monitor.ParseAccStatzQuery(q); err == nil {
		s.Accstatz(o)
	}
	if o, err := monitor.ParseHealthzQuery(q); err == nil {
		s.Healthz(o)
	}
	if o, err := monitor.ParseJszQuery(q); err == nil {
		s.Jsz(o)
	}
}

// isToken reports whether z may stand as one subject token.
func isToken(z string) bool {
	if z == "" {
		return false
	}
	for i := 0; i < len(z); i++ {
		c := z[i]
		if c <= ' ' || c == '.' || c == '*' || c == '>' || c >= 0x7f {
			return false
		}
	}
	return true
}
