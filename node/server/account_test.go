package server

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"jsnode/node/auth"
)

// twoAccounts is A exporting a stream and a service, B importing both.
func twoAccounts() *Options {
	return &Options{
		Auth: auth.Config{Users: []*auth.User{
			{Username: "a", Password: "a", Account: "A"},
			{Username: "b", Password: "b", Account: "B"},
			{Username: "g", Password: "g"},
		}},
		Accounts: []*AccountOpts{
			{Name: "A", Exports: []ExportOpts{
				{Subject: "pub.>"},
				{Service: true, Subject: "svc.echo"},
				{Service: true, Subject: "svc.stream", ResponseType: Streamed, ResponseThreshold: 5 * time.Second},
				{Subject: "private.>", Accounts: []string{"C"}},
			}},
			{Name: "B", Imports: []ImportOpts{
				{Account: "A", Subject: "pub.>", Prefix: "from_a"},
				{Service: true, Account: "A", Subject: "svc.echo", To: "echo"},
				{Service: true, Account: "A", Subject: "svc.stream"},
			}},
			{Name: "C"},
		},
	}
}

func TestAccountsIsolateSubjects(t *testing.T) {
	w := newWorld(t, twoAccounts())
	a := w.connect(`"user":"a","pass":"a"`)
	b := w.connect(`"user":"b","pass":"b"`)
	g := w.connect(`"user":"g","pass":"g"`)
	b.send("SUB x 1\r\nSUB > 2\r\nPING\r\n")
	b.expect("PONG\r\n")
	g.send("SUB x 1\r\nPING\r\n")
	g.expect("PONG\r\n")
	a.send("PUB x 2\r\nhi\r\nPING\r\n")
	a.expect("PONG\r\n")
	b.expectNothing()
	g.expectNothing()
	if n := w.srv.Account("A").NumConnections(); n != 1 {
		t.Fatalf("account A has %d connections, want 1", n)
	}
	if n := w.srv.GlobalAccount().NumConnections(); n != 1 {
		t.Fatalf("$G has %d connections, want 1", n)
	}
}

func TestAccountsStreamImportWithPrefix(t *testing.T) {
	w := newWorld(t, twoAccounts())
	a := w.connect(`"user":"a","pass":"a"`)
	b := w.connect(`"user":"b","pass":"b"`)
	b.send("SUB from_a.pub.* 1\r\nSUB > 2\r\nSUB pub.1 3\r\nPING\r\n")
	b.expect("PONG\r\n")
	a.send("PUB pub.1 2\r\nhi\r\nPUB other 2\r\nno\r\nPING\r\n")
	a.expect("PONG\r\n")
	b.expectAll("MSG from_a.pub.1 1 2\r\nhi\r\nMSG from_a.pub.1 2 2\r\nhi\r\n")

	// Unsubscribing removes the shadows too.
	before := w.srv.Account("A").NumSubscriptions()
	b.send("UNSUB 1\r\nUNSUB 2\r\nPING\r\n")
	b.expect("PONG\r\n")
	if after := w.srv.Account("A").NumSubscriptions(); after != before-2 {
		t.Fatalf("A's subscriptions %d -> %d, want the two shadows gone", before, after)
	}
	a.send("PUB pub.1 2\r\nhi\r\nPING\r\n")
	a.expect("PONG\r\n")
	b.expectNothing()
}

var rReply = regexp.MustCompile(`_R_\.[0-9A-Za-z]{6}\.[0-9A-Za-z]{6}`)

func TestAccountsServiceImportSingleton(t *testing.T) {
	w := newWorld(t, twoAccounts())
	a := w.connect(`"user":"a","pass":"a"`)
	b := w.connect(`"user":"b","pass":"b"`)
	a.send("SUB svc.echo 1\r\nPING\r\n")
	a.expect("PONG\r\n")
	b.send("SUB _INBOX.1 9\r\nPUB echo _INBOX.1 4\r\nping\r\nPING\r\n")
	b.expect("PONG\r\n")
	req := a.output()
	reply := rReply.FindString(req)
	if !strings.HasPrefix(req, "HMSG svc.echo 1 "+reply+" ") || reply == "" {
		t.Fatalf("responder got %q, want HMSG svc.echo with an _R_ reply", req)
	}
	if !strings.Contains(req, `Nats-Request-Info: {`) || !strings.Contains(req, `"acc":"B"`) || !strings.HasSuffix(req, "ping\r\n") {
		t.Fatalf("request lacks Nats-Request-Info with the requesting account: %q", req)
	}
	if got := w.srv.Account("A").responses.Len(); got != 1 {
		t.Fatalf("%d response mappings, want 1", got)
	}
	a.send("PUB " + reply + " 4\r\npong\r\nPUB " + reply + " 5\r\nagain\r\nPING\r\n")
	a.expect("PONG\r\n")
	b.expectAll("MSG _INBOX.1 9 4\r\npong\r\n")
	if got := w.srv.Account("A").responses.Len(); got != 0 {
		t.Fatalf("%d response mappings after the reply, want 0", got)
	}
}

func TestAccountsServiceImportStreamedExpires(t *testing.T) {
	w := newWorld(t, twoAccounts())
	a := w.connect(`"user":"a","pass":"a"`)
	b := w.connect(`"user":"b","pass":"b"`)
	a.send("SUB svc.stream 1\r\nPING\r\n")
	a.expect("PONG\r\n")
	b.send("SUB _INBOX.2 9\r\nPUB svc.stream _INBOX.2 1\r\nx\r\nPING\r\n")
	b.expect("PONG\r\n")
	reply := rReply.FindString(a.output())
	a.send("PUB " + reply + " 1\r\n1\r\nPUB " + reply + " 1\r\n2\r\nPING\r\n")
	a.expect("PONG\r\n")
	b.expectAll("MSG _INBOX.2 9 1\r\n1\r\nMSG _INBOX.2 9 1\r\n2\r\n")
	w.advance(7 * time.Second)
	if got := w.srv.Account("A").responses.Len(); got != 0 {
		t.Fatalf("streamed mapping still live after its threshold: %d", got)
	}
	a.output() // the server's own first PING
	b.output()
	a.send("PUB " + reply + " 1\r\n3\r\nPING\r\n")
	a.expect("PONG\r\n")
	b.expectNothing()
}

func TestAccountsServiceImportNoResponders(t *testing.T) {
	w := newWorld(t, twoAccounts())
	b := w.connect(`"user":"b","pass":"b"`)
	b.send("SUB _INBOX.3 9\r\nPUB echo _INBOX.3 1\r\nx\r\nPING\r\n")
	out := b.output()
	if !strings.Contains(out, "HMSG _INBOX.3 9 ") || !strings.Contains(out, "NATS/1.0 503") {
		t.Fatalf("requester got %q, want a 503 no-responders status", out)
	}
	if got := w.srv.Account("A").responses.Len(); got != 0 {
		t.Fatalf("undelivered request left %d response mappings", got)
	}
}

func TestAccountsReservedReplyRefused(t *testing.T) {
	w := newWorld(t, twoAccounts())
	b := w.connect(`"user":"b","pass":"b"`)
	b.send("PUB echo _R_.abcdef.ghijkl 1\r\nx\r\nPING\r\n")
	b.expect(`-ERR 'Permissions Violation for Publish with Reply of "_R_.abcdef.ghijkl"'` + "\r\n")
}

func TestAccountConnectionLimit(t *testing.T) {
	o := twoAccounts()
	o.Accounts[0].Limits = AccountLimits{MaxConnections: 1}
	w := newWorld(t, o)
	w.connect(`"user":"a","pass":"a"`)
	p := w.dial()
	p.sendConnect(`"user":"a","pass":"a"`)
	p.send("PING\r\n")
	p.expect("-ERR 'maximum account active connections exceeded'\r\n")
	p.expectClosed()
}

func TestAccountInfoNamesRemoteAccount(t *testing.T) {
	w := newWorld(t, twoAccounts())
	p := w.dial()
	p.sendConnect(`"user":"b","pass":"b"`)
	p.send("PING\r\n")
	p.expect("PONG\r\n")
	if info := p.readLine(); !strings.Contains(info, `"remote_account":"B"`) {
		t.Fatalf("post-CONNECT INFO %q does not name account B", info)
	}
}

func TestAccountPayloadLimit(t *testing.T) {
	o := twoAccounts()
	o.Accounts[0].Limits = AccountLimits{MaxPayload: 4}
	w := newWorld(t, o)
	a := w.connect(`"user":"a","pass":"a"`)
	a.send("PUB x 4\r\nabcd\r\nPING\r\n")
	a.expect("PONG\r\n")
	a.send("PUB x 5\r\nabcde\r\n")
	a.expect("-ERR 'Maximum Payload Violation'\r\n")
	a.expectClosed()
	b := w.connect(`"user":"b","pass":"b"`)
	b.send("PUB x 5\r\nabcde\r\nPING\r\n")
	b.expect("PONG\r\n")
}

func TestAccountSubscriptionLimit(t *testing.T) {
	o := twoAccounts()
	o.Accounts[0].Limits = AccountLimits{MaxSubscriptions: 1}
	w := newWorld(t, o)
	a := w.connect(`"user":"a","pass":"a"`)
	a.send("SUB x 1\r\nSUB y 2\r\nPING\r\n")
	a.expect("-ERR 'maximum subscriptions exceeded'\r\nPONG\r\n")
}

func TestAccountMappingsAndTransformedImports(t *testing.T) {
	o := twoAccounts()
	o.Accounts[0].Exports = append(o.Accounts[0].Exports, ExportOpts{Subject: "orders.*.*"},
		ExportOpts{Service: true, Subject: "svc.calc.*"})
	o.Accounts[1].Imports = append(o.Accounts[1].Imports,
		ImportOpts{Account: "A", Subject: "orders.*.*", To: "imported.$2.$1"},
		ImportOpts{Service: true, Account: "A", Subject: "svc.calc.*", To: "calc.*"})
	o.Accounts[0].Mappings = []MappingOpts{
		{Source: "old.*", Dests: []MapDest{{Subject: "new.{{wildcard(1)}}", Weight: 100}}},
		{Source: "drop", Dests: []MapDest{{Subject: "drop", Weight: 0}}},
	}
	o.Mappings = []MappingOpts{{Source: "g.in", Dests: []MapDest{{Subject: "g.out", Weight: 100}}}}
	w := newWorld(t, o)
	a := w.connect(`"user":"a","pass":"a"`)
	b := w.connect(`"user":"b","pass":"b"`)
	g := w.connect(`"user":"g","pass":"g"`)

	a.send("SUB new.> 1\r\nSUB drop 2\r\nSUB svc.calc.* 3\r\nPING\r\n")
	a.expect("PONG\r\n")
	a.send("PUB old.x 1\r\n1\r\nPUB drop 1\r\n2\r\nPING\r\n")
	a.expect("MSG new.x 1 1\r\n1\r\nPONG\r\n")

	g.send("SUB g.out 1\r\nPUB g.in 1\r\n3\r\nPING\r\n")
	g.expect("MSG g.out 1 1\r\n3\r\nPONG\r\n")

	b.send("SUB imported.> 1\r\nPING\r\n")
	b.expect("PONG\r\n")
	a.send("PUB orders.eu.7 1\r\n4\r\nPING\r\n")
	a.expect("PONG\r\n")
	b.expectAll("MSG imported.7.eu 1 1\r\n4\r\n")

	b.send("SUB _INBOX.c 9\r\nPUB calc.add _INBOX.c 1\r\n5\r\nPING\r\n")
	b.expect("PONG\r\n")
	if req := a.output(); !strings.HasPrefix(req, "HMSG svc.calc.add 3 _R_.") {
		t.Fatalf("responder got %q, want the request on svc.calc.add", req)
	}
}

func TestAccountWeightedMappingIsSeeded(t *testing.T) {
	o := &Options{Mappings: []MappingOpts{{Source: "w", Dests: []MapDest{
		{Subject: "w.a", Weight: 50}, {Subject: "w.b", Weight: 50}}}}}
	counts := func() (int, int) {
		w := newWorld(t, o)
		c := w.connect("")
		c.send("SUB w.a 1\r\nSUB w.b 2\r\nPING\r\n")
		c.expect("PONG\r\n")
		for i := 0; i < 200; i++ {
			c.send("PUB w 0\r\n\r\n")
		}
		out := c.output()
		return strings.Count(out, "MSG w.a "), strings.Count(out, "MSG w.b ")
	}
	a1, b1 := counts()
	a2, b2 := counts()
	if a1+b1 != 200 || a1 < 70 || b1 < 70 {
		t.Fatalf("50/50 mapping split 200 messages %d/%d", a1, b1)
	}
	if a1 != a2 || b1 != b2 {
		t.Fatalf("same seed, different split: %d/%d then %d/%d", a1, b1, a2, b2)
	}
}

// A stream import with a `to` transform delivers on the mapped subject to
// a subscriber on the local side's wildcard form ("a_ticks.*" for
// "a_ticks.$1"): the shadow goes on the exporter's side of it.
func TestAccountsStreamImportWithTo(t *testing.T) {
	o := twoAccounts()
	o.Accounts[0].Exports = append(o.Accounts[0].Exports, ExportOpts{Subject: "ticks.*"})
	o.Accounts[1].Imports = append(o.Accounts[1].Imports, ImportOpts{Account: "A", Subject: "ticks.*", To: "a_ticks.$1"})
	w := newWorld(t, o)
	a := w.connect(`"user":"a","pass":"a"`)
	b := w.connect(`"user":"b","pass":"b"`)
	b.send("SUB a_ticks.* 1\r\nSUB a_ticks.x 2\r\nPING\r\n")
	b.expect("PONG\r\n")
	a.send("PUB ticks.x 2\r\nhi\r\nPUB ticks.y 2\r\nho\r\nPING\r\n")
	a.expect("PONG\r\n")
	b.expectAll("MSG a_ticks.x 1 2\r\nhi\r\nMSG a_ticks.x 2 2\r\nhi\r\nMSG a_ticks.y 1 2\r\nho\r\n")
}

// A service import of a wildcard export under a different local wildcard
// subject ("call.*" for A's "svc.*") maps the wildcards in order: a
// request on call.x reaches A's responders on svc.x.
func TestAccountsServiceImportWildcardTo(t *testing.T) {
	o := twoAccounts()
	o.Accounts[0].Exports = append(o.Accounts[0].Exports, ExportOpts{Service: true, Subject: "svc.*.*"})
	o.Accounts[1].Imports = append(o.Accounts[1].Imports, ImportOpts{Service: true, Account: "A", Subject: "svc.*.*", To: "call.*.*"})
	w := newWorld(t, o)
	a := w.connect(`"user":"a","pass":"a"`)
	b := w.connect(`"user":"b","pass":"b"`)
	a.send("SUB svc.*.* 1\r\nPING\r\n")
	a.expect("PONG\r\n")
	b.send("SUB _INBOX.1 9\r\nPUB call.x.y _INBOX.1 4\r\nping\r\nPING\r\n")
	b.expect("PONG\r\n")
	if req := a.output(); !strings.HasPrefix(req, "HMSG svc.x.y 1 _R_.") {
		t.Fatalf("responder got %q, want the request on svc.x.y", req)
	}
}
