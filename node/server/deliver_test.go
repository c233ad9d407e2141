package server

import (
	"fmt"
	"strings"
	"testing"

	"jsnode/node/auth"
)

func TestMsgFormats(t *testing.T) {
	w := newWorld(t, nil)
	sub := w.connect("")
	pub := w.connect("")
	sub.send("SUB foo.* 7\r\nSUB foo.bar q 8\r\nPING\r\n")
	sub.expectAll("PONG\r\n")

	pub.send("PUB foo.bar 5\r\nhello\r\nPUB foo.bar reply.x 0\r\n\r\nPING\r\n")
	pub.expectAll("PONG\r\n")
	sub.expectAll("MSG foo.bar 7 5\r\nhello\r\nMSG foo.bar 8 5\r\nhello\r\n" +
		"MSG foo.bar 7 reply.x 0\r\n\r\nMSG foo.bar 8 reply.x 0\r\n\r\n")

	hdr := "NATS/1.0\r\nA: b\r\n\r\n"
	pub.send(fmt.Sprintf("HPUB foo.baz r %d %d\r\n%sxyz\r\n", len(hdr), len(hdr)+3, hdr))
	sub.expectAll(fmt.Sprintf("HMSG foo.baz 7 r %d %d\r\n%sxyz\r\n", len(hdr), len(hdr)+3, hdr))

	// A subscriber that did not ask for headers gets the payload only.
	old := w.connect(`"headers":false,"no_responders":false`)
	old.send("SUB foo.baz 1\r\nPING\r\n")
	old.expectAll("PONG\r\n")
	pub.send(fmt.Sprintf("HPUB foo.baz %d %d\r\n%sxyz\r\n", len(hdr), len(hdr)+3, hdr))
	old.expectAll("MSG foo.baz 1 3\r\nxyz\r\n")
	sub.expectAll(fmt.Sprintf("HMSG foo.baz 7 %d %d\r\n%sxyz\r\n", len(hdr), len(hdr)+3, hdr))
	if st := w.srv.Stats(); st.InMsgs != 4 || st.OutMsgs != 7 {
		t.Fatalf("stats %+v", st)
	}
}

func TestHPubWithoutHeadersCloses(t *testing.T) {
	w := newWorld(t, nil)
	p := w.connect(`"headers":false,"no_responders":false`)
	p.send("HPUB foo 12 12\r\nNATS/1.0\r\n\r\n\r\n")
	p.expectNothing()
	p.expectClosed()
}

func TestLargeMessageWrittenInPieces(t *testing.T) {
	w := newWorld(t, nil)
	sub := w.connect("")
	sub.send("SUB big 1\r\n")
	pub := w.connect("")
	payload := strings.Repeat("x", inlinePayloadMax+1)
	before := sub.c.writes
	pub.send(fmt.Sprintf("PUB big %d\r\n%s\r\n", len(payload), payload))
	sub.expectAll(fmt.Sprintf("MSG big 1 %d\r\n%s\r\n", len(payload), payload))
	if n := sub.c.writes - before; n != 3 {
		t.Fatalf("large message took %d writes, want 3 (line, payload, CRLF)", n)
	}
}

func TestQueueGroupsDeliverToOneMember(t *testing.T) {
	w := newWorld(t, nil)
	const n = 300
	members := []*peer{w.connect(""), w.connect(""), w.connect("")}
	for _, m := range members {
		m.send("SUB work workers 1\r\n")
	}
	other := w.connect("")
	other.send("SUB work others 1\r\n")
	plain := w.connect("")
	plain.send("SUB work 1\r\n")
	pub := w.connect("")
	for i := 0; i < n; i++ {
		pub.send("PUB work 1\r\nx\r\n")
	}
	one := "MSG work 1 1\r\nx\r\n"
	total := 0
	for i, m := range members {
		got := strings.Count(m.output(), one)
		if got == 0 {
			t.Errorf("member %d got nothing", i)
		}
		total += got
	}
	if total != n {
		t.Errorf("group got %d messages, want %d", total, n)
	}
	if got := strings.Count(other.output(), one); got != n {
		t.Errorf("single-member group got %d, want %d", got, n)
	}
	if got := strings.Count(plain.output(), one); got != n {
		t.Errorf("plain subscriber got %d, want %d", got, n)
	}
}

func TestOverlappingSubsDeliverOncePerSubscription(t *testing.T) {
	w := newWorld(t, nil)
	sub := w.connect("")
	sub.send("SUB a.b 1\r\nSUB a.* 2\r\nSUB a.> 3\r\nSUB > 4\r\nSUB b.* 5\r\n")
	pub := w.connect("")
	pub.send("PUB a.b 0\r\n\r\n")
	sub.expectAll("MSG a.b 1 0\r\n\r\nMSG a.b 2 0\r\n\r\nMSG a.b 3 0\r\n\r\nMSG a.b 4 0\r\n\r\n")
}

func TestUnsubMax(t *testing.T) {
	w := newWorld(t, nil)
	sub := w.connect("")
	pub := w.connect("")
	sub.send("SUB foo 1\r\nUNSUB 1 2\r\n")
	for i := 0; i < 3; i++ {
		pub.send("PUB foo 1\r\nx\r\n")
	}
	sub.expectAll("MSG foo 1 1\r\nx\r\nMSG foo 1 1\r\nx\r\n")
	if n := w.srv.GlobalAccount().NumSubscriptions(); n != 0 {
		t.Fatalf("%d subscriptions left after auto-unsubscribe", n)
	}

	// UNSUB with a max already reached removes at once.
	sub.send("SUB bar 2\r\n")
	pub.send("PUB bar 1\r\nx\r\nPUB bar 1\r\nx\r\n")
	sub.output()
	sub.send("UNSUB 2 2\r\n")
	pub.send("PUB bar 1\r\nx\r\n")
	sub.expectNothing()

	// A plain UNSUB removes; an unknown sid is ignored.
	sub.send("SUB baz 3\r\nUNSUB 3\r\nUNSUB 99\r\nPING\r\n")
	sub.expectAll("PONG\r\n")
	pub.send("PUB baz 1\r\nx\r\n")
	sub.expectNothing()
	if n := w.srv.GlobalAccount().NumSubscriptions(); n != 0 {
		t.Fatalf("%d subscriptions left", n)
	}
}

func TestDuplicateSidKeepsFirstSubscription(t *testing.T) {
	w := newWorld(t, nil)
	sub := w.connect("")
	sub.send("SUB foo 1\r\nSUB bar 1\r\n")
	pub := w.connect("")
	pub.send("PUB bar 0\r\n\r\nPUB foo 0\r\n\r\n")
	sub.expectAll("MSG foo 1 0\r\n\r\n")
}

func TestInvalidSubjectKeepsConnection(t *testing.T) {
	w := newWorld(t, nil)
	p := w.connect("")
	p.send("SUB foo..bar 1\r\nSUB foo.>.bar 2\r\nPING\r\n")
	p.expectAll("-ERR 'Invalid Subject'\r\n-ERR 'Invalid Subject'\r\nPONG\r\n")
	if n := w.srv.GlobalAccount().NumSubscriptions(); n != 0 {
		t.Fatalf("%d subscriptions", n)
	}
}

func TestPedanticPublish(t *testing.T) {
	w := newWorld(t, nil)
	tap := w.connect("")
	tap.send("SUB foo.> 1\r\n")
	p := w.connect(`"pedantic":true`)
	p.send("PUB foo.* 0\r\n\r\nPING\r\n")
	p.expectAll("-ERR 'Invalid Publish Subject'\r\nPONG\r\n")
	p.expectOpen()
	// Like nats-server, the message is still routed, "*" being a literal
	// token that only wildcard subscriptions match.
	tap.expectAll("MSG foo.* 1 0\r\n\r\n")
	lax := w.connect("")
	lax.send("PUB foo.* 0\r\n\r\nPING\r\n")
	lax.expectAll("PONG\r\n")
	tap.expectAll("MSG foo.* 1 0\r\n\r\n")
}

func TestEchoOff(t *testing.T) {
	w := newWorld(t, nil)
	p := w.connect(`"echo":false`)
	other := w.connect("")
	p.send("SUB foo 1\r\nPUB foo 1\r\na\r\nPING\r\n")
	p.expectAll("PONG\r\n")
	other.send("PUB foo 1\r\nb\r\n")
	p.expectAll("MSG foo 1 1\r\nb\r\n")
	q := w.connect("")
	q.send("SUB foo 1\r\nPUB foo 1\r\nc\r\n")
	q.expectAll("MSG foo 1 1\r\nc\r\n")
}

func TestNoResponders(t *testing.T) {
	w := newWorld(t, nil)
	p := w.connect("")
	p.send("SUB _INBOX.abc.* 9\r\nPUB svc.time _INBOX.abc.1 0\r\n\r\n")
	hdr := "NATS/1.0 503\r\nNats-Subject: svc.time\r\n\r\n"
	if len(hdr) != 32+len("svc.time") {
		t.Fatalf("header length %d", len(hdr))
	}
	p.expectAll(fmt.Sprintf("HMSG _INBOX.abc.1 9 %d %d\r\n%s\r\n", len(hdr), len(hdr), hdr))

	// Without no_responders nothing comes back.
	q := w.connect(`"no_responders":false`)
	q.send("SUB _INBOX.q.* 1\r\nPUB svc.time _INBOX.q.1 0\r\n\r\nPING\r\n")
	q.expectAll("PONG\r\n")

	// With a responder the request is delivered, not bounced.
	r := w.connect("")
	r.send("SUB svc.time 1\r\n")
	p.send("PUB svc.time _INBOX.abc.2 0\r\n\r\nPING\r\n")
	p.expectAll("PONG\r\n")
	r.expectAll("MSG svc.time 1 _INBOX.abc.2 0\r\n\r\n")
}

func TestReservedSubjectsRefused(t *testing.T) {
	w := newWorld(t, nil)
	p := w.connect("")
	p.send("PUB _GR_.x.y 0\r\n\r\nPUB $NRG.x 0\r\n\r\nPUB ok _R_.abc 0\r\n\r\nPING\r\n")
	p.expectAll(`-ERR 'Permissions Violation for Publish to "_GR_.x.y"'` + "\r\n" +
		`-ERR 'Permissions Violation for Publish to "$NRG.x"'` + "\r\n" +
		`-ERR 'Permissions Violation for Publish with Reply of "_R_.abc"'` + "\r\nPONG\r\n")
	p.expectOpen()
}

func TestPermissions(t *testing.T) {
	perms := &auth.Permissions{
		Publish:   &auth.SubjectPermission{Allow: []string{"pub.>"}},
		Subscribe: &auth.SubjectPermission{Allow: []string{"sub.>", "work q1"}, Deny: []string{"sub.secret"}},
	}
	w := newWorld(t, &Options{Auth: auth.Config{Users: []*auth.User{
		{Username: "u", Password: "p", Permissions: perms},
		{Username: "admin", Password: "p"},
	}}})
	p := w.connect(`"user":"u","pass":"p"`)
	p.send("PUB other 0\r\n\r\nSUB other 1\r\nSUB sub.secret 2\r\nSUB work q2 3\r\nSUB work q1 4\r\nPING\r\n")
	p.expectAll(`-ERR 'Permissions Violation for Publish to "other"'` + "\r\n" +
		`-ERR 'Permissions Violation for Subscription to "other"'` + "\r\n" +
		`-ERR 'Permissions Violation for Subscription to "sub.secret"'` + "\r\n" +
		`-ERR 'Permissions Violation for Subscription to "work" using queue "q2"'` + "\r\nPONG\r\n")
	p.expectOpen()
	w.expectLog(`Subscription Violation - Subject "work", Queue: "q2", SID 3`)

	// A wildcard subscription that covers a denied subject does not get
	// messages on it.
	p.send("SUB sub.* 5\r\n")
	admin := w.connect(`"user":"admin","pass":"p"`)
	admin.send("PUB sub.secret 1\r\ns\r\nPUB sub.open 1\r\no\r\n")
	p.expectAll("MSG sub.open 5 1\r\no\r\n")
	p.send("PUB pub.x 0\r\n\r\nPING\r\n")
	p.expectAll("PONG\r\n")
}

func TestAllowResponses(t *testing.T) {
	perms := &auth.Permissions{
		Publish:  &auth.SubjectPermission{Deny: []string{">"}},
		Response: &auth.ResponsePermission{MaxMsgs: 1},
	}
	w := newWorld(t, &Options{Auth: auth.Config{Users: []*auth.User{
		{Username: "svc", Password: "p", Permissions: perms},
		{Username: "cli", Password: "p"},
	}}})
	svc := w.connect(`"user":"svc","pass":"p"`)
	svc.send("SUB req 1\r\n")
	cli := w.connect(`"user":"cli","pass":"p"`)
	cli.send("SUB inbox.1 1\r\nPUB req inbox.1 1\r\n?\r\n")
	svc.expectAll("MSG req 1 inbox.1 1\r\n?\r\n")
	svc.send("PUB inbox.1 1\r\n!\r\nPING\r\n")
	svc.expectAll("PONG\r\n")
	cli.expectAll("MSG inbox.1 1 1\r\n!\r\n")
	// One response only, and nothing else.
	svc.send("PUB inbox.1 1\r\n!\r\nPUB elsewhere 0\r\n\r\nPING\r\n")
	svc.expectAll(`-ERR 'Permissions Violation for Publish to "inbox.1"'` + "\r\n" +
		`-ERR 'Permissions Violation for Publish to "elsewhere"'` + "\r\nPONG\r\n")
}

func TestPublishHotPathDoesNotAllocate(t *testing.T) {
	w := newWorld(t, nil)
	sub := w.connect("")
	sub.send("SUB bench 1\r\nSUB bench q 2\r\n")
	pub := w.connect("")
	buf := []byte("PUB bench 16\r\n0123456789abcdef\r\nHPUB bench r 12 14\r\nNATS/1.0\r\n\r\nhi\r\n")
	pub.c.handler.Data(buf) // warm the match cache and the buffers
	sub.output()
	allocs := testing.AllocsPerRun(200, func() {
		pub.c.handler.Data(buf)
		sub.c.out = sub.c.out[:0]
	})
	if allocs != 0 {
		t.Fatalf("publish path allocates %.1f times per run", allocs)
	}
}
