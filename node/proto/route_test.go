package proto

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// routeRecorder records RouteHandler calls as readable strings.
type routeRecorder struct {
	events []string
	failOn string
}

func (r *routeRecorder) add(op, format string, args ...any) error {
	r.events = append(r.events, op+" "+fmt.Sprintf(format, args...))
	if op == r.failOn {
		return errHandler
	}
	return nil
}

func (r *routeRecorder) Info(arg []byte) error    { return r.add("INFO", "%q", arg) }
func (r *routeRecorder) Connect(arg []byte) error { return r.add("CONNECT", "%q", arg) }

func (r *routeRecorder) RSub(account, subject, queue []byte, weight int) error {
	return r.add("RS+", "%q %q %q %d", account, subject, queue, weight)
}

func (r *routeRecorder) RUnsub(account, subject, queue []byte) error {
	return r.add("RS-", "%q %q %q", account, subject, queue)
}

func (r *routeRecorder) RMsg(m *RoutedMsg) error {
	return r.add("RMSG", "%q %q %q %q %d %q", m.Account, m.Subject, m.Reply, m.Queues, m.HdrLen, m.Msg)
}

func (r *routeRecorder) Ping() error           { return r.add("PING", "") }
func (r *routeRecorder) Pong() error           { return r.add("PONG", "") }
func (r *routeRecorder) OK() error             { return r.add("+OK", "") }
func (r *routeRecorder) Err(text []byte) error { return r.add("-ERR", "%q", text) }

// parseRoute feeds chunks to a fresh RouteParser, stopping at the first
// error as a connection would.
func parseRoute(lim Limits, rec *routeRecorder, chunks [][]byte) parseResult {
	p := NewRouteParser(lim)
	for _, c := range chunks {
		if err := p.Feed(c, rec); err != nil {
			return parseResult{rec.events, err}
		}
	}
	return parseResult{rec.events, nil}
}

type routeCase struct {
	name   string
	lim    Limits
	in     string
	events []string
	err    error
}

var routeCases = []routeCase{
	{name: "info connect", in: "INFO {\"server_id\":\"A\"}\r\nCONNECT {}\r\n",
		events: []string{`INFO "{\"server_id\":\"A\"}"`, `CONNECT "{}"`}},
	{name: "ping pong ok err", in: "PING\r\npong\n+OK\r\n-ERR 'Authorization Violation'\r\n",
		events: []string{"PING ", "PONG ", "+OK ", `-ERR "Authorization Violation"`}},

	{name: "rs+ plain", in: "RS+ $G foo.>\r\n", events: []string{`RS+ "$G" "foo.>" "" 0`}},
	{name: "rs+ queue", in: "rs+ $G foo q 3\r\n", events: []string{`RS+ "$G" "foo" "q" 3`}},
	{name: "rs+ weight junk", in: "RS+ $G foo q x\r\n", events: []string{`RS+ "$G" "foo" "q" 1`}},
	{name: "rs+ weight zero", in: "RS+\t$G  foo q 0\n", events: []string{`RS+ "$G" "foo" "q" 1`}},
	{name: "rs-", in: "RS- $G foo\r\nRS- $G foo q\r\n",
		events: []string{`RS- "$G" "foo" ""`, `RS- "$G" "foo" "q"`}},

	{name: "rmsg", in: "RMSG $G foo 5\r\nhello\r\n", events: []string{`RMSG "$G" "foo" "" [] -1 "hello"`}},
	{name: "rmsg reply", in: "RMSG $G foo bar 2\r\nhi\r\n", events: []string{`RMSG "$G" "foo" "bar" [] -1 "hi"`}},
	{name: "rmsg reply queues", in: "RMSG $G foo + bar q1 q2 2\r\nhi\r\n",
		events: []string{`RMSG "$G" "foo" "bar" ["q1" "q2"] -1 "hi"`}},
	{name: "rmsg queues only", in: "rmsg $G foo | q1 0\r\n\r\n", events: []string{`RMSG "$G" "foo" "" ["q1"] -1 ""`}},
	{name: "rmsg plus no queues", in: "RMSG $G foo + bar 1\r\nx\r\n", events: []string{`RMSG "$G" "foo" "bar" [] -1 "x"`}},
	{name: "rmsg 3 args is reply", in: "RMSG $G foo | 1\r\nx\r\n", events: []string{`RMSG "$G" "foo" "|" [] -1 "x"`}},
	{name: "hmsg", in: "HMSG $G foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n",
		events: []string{`RMSG "$G" "foo" "" [] 12 "NATS/1.0\r\n\r\nhi"`}},
	{name: "hmsg reply queue", in: "HMSG $G foo + r q 12 12\r\nNATS/1.0\r\n\r\n\r\n",
		events: []string{`RMSG "$G" "foo" "r" ["q"] 12 "NATS/1.0\r\n\r\n"`}},
	{name: "hmsg reply", in: "HMSG $G foo r 0 1\r\nx\r\n", events: []string{`RMSG "$G" "foo" "r" [] 0 "x"`}},
	{name: "stream", in: "RS+ $G a\r\nRMSG $G a 1\r\nx\r\nRS- $G a\r\nPING\r\n",
		events: []string{`RS+ "$G" "a" "" 0`, `RMSG "$G" "a" "" [] -1 "x"`, `RS- "$G" "a" ""`, "PING "}},
	{name: "no payload limit by default of routes", lim: Limits{MaxPayload: -1}, in: "RMSG $G a 999999999\r\n"},

	{name: "unknown op", in: "PUB foo 1\r\nx\r\n", err: ErrUnknownOp},
	{name: "client op SUB", in: "SUB foo 1\r\n", err: ErrUnknownOp},
	{name: "ls+ not offered", in: "LS+ $G foo\r\n", err: ErrUnknownOp},
	{name: "payload no CRLF", in: "RMSG $G a 1\r\nxy", err: ErrUnknownOp},
	{name: "rs+ 1 arg", in: "RS+ $G\r\n", err: ErrBadRSubArgs},
	{name: "rs+ 3 args", in: "RS+ $G foo q\r\n", err: ErrBadRSubArgs},
	{name: "rs+ 5 args", in: "RS+ $G foo q 1 2\r\n", err: ErrBadRSubArgs},
	{name: "rs- 4 args", in: "RS- $G foo q 1\r\n", err: ErrBadRUnsubArgs},
	{name: "rmsg 2 args", in: "RMSG $G 5\r\n", err: ErrBadRMsgArgs},
	{name: "hmsg 3 args", in: "HMSG $G foo 5\r\n", err: ErrBadRMsgArgs},
	{name: "rmsg bad indicator", in: "RMSG $G foo x bar q 1\r\n", err: ErrBadReplyIndicator},
	{name: "rmsg long indicator", in: "RMSG $G foo ++ bar q 1\r\n", err: ErrBadReplyIndicator},
	{name: "rmsg bad size", in: "RMSG $G foo -1\r\n", err: ErrBadRMsgSize},
	{name: "hmsg bad hdr", in: "HMSG $G foo x 1\r\n", err: ErrBadRMsgSize},
	{name: "hmsg hdr over total", in: "HMSG $G foo 3 2\r\n", err: ErrRMsgHeaderOverAll},
	{name: "payload limit", lim: Limits{MaxPayload: 4}, in: "RMSG $G foo 5\r\n", err: ErrMaxPayload},
	{name: "line limit", lim: Limits{MaxControlLine: 8}, in: "RS+ $G foo.bar\r\n", err: ErrMaxControlLine},
}

func TestRouteParserCases(t *testing.T) {
	for _, tc := range routeCases {
		t.Run(tc.name, func(t *testing.T) {
			want := parseResult{tc.events, tc.err}
			parse := func(chunks [][]byte) parseResult {
				return parseRoute(tc.lim, &routeRecorder{}, chunks)
			}
			if got := parse([][]byte{[]byte(tc.in)}); !got.equal(want) {
				t.Fatalf("whole %q:\n got %v\nwant %v", tc.in, got, want)
			}
			checkAllSplits(t, []byte(tc.in), want, parse)
		})
	}
}

func TestRouteParserAwaitingConnect(t *testing.T) {
	p := NewRouteParser(Limits{})
	p.SetAwaitingConnect(true)
	rec := &routeRecorder{}
	if err := p.Feed([]byte("RS+ $G foo\r\n"), rec); err != ErrAuthViolation {
		t.Fatalf("op before CONNECT: %v, want ErrAuthViolation", err)
	}
	p = NewRouteParser(Limits{})
	p.SetAwaitingConnect(true)
	rec = &routeRecorder{}
	if err := p.Feed([]byte("CONNECT {}\r\n"), rec); err != nil {
		t.Fatal(err)
	}
	p.SetAwaitingConnect(false)
	if err := p.Feed([]byte("RS+ $G foo\r\n"), rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != 2 {
		t.Fatalf("events %q", rec.events)
	}
}

func TestRouteParserHandlerError(t *testing.T) {
	rec := &routeRecorder{failOn: "RMSG"}
	got := parseRoute(Limits{}, rec, [][]byte{[]byte("RMSG $G a 1\r\nx\r\nPING\r\n")})
	if got.err != errHandler || len(got.events) != 1 {
		t.Fatalf("got %v", got)
	}
}

func TestRouteEncoders(t *testing.T) {
	b := func(s string) []byte { return []byte(s) }
	cases := []struct{ got, want string }{
		{string(AppendRSub(nil, b("$G"), b("foo.*"), nil, 0)), "RS+ $G foo.*\r\n"},
		{string(AppendRSub(nil, b("$G"), b("foo"), b("q"), 12)), "RS+ $G foo q 12\r\n"},
		{string(AppendRSub(nil, b("$G"), b("foo"), b("q"), 0)), "RS+ $G foo q 1\r\n"},
		{string(AppendRUnsub(nil, b("$G"), b("foo"), nil)), "RS- $G foo\r\n"},
		{string(AppendRUnsub(nil, b("$G"), b("foo"), b("q"))), "RS- $G foo q\r\n"},
		{string(AppendRMsgLine(nil, b("$G"), b("foo"), nil, nil, 5)), "RMSG $G foo 5\r\n"},
		{string(AppendRMsgLine(nil, b("$G"), b("foo"), b("r"), nil, 5)), "RMSG $G foo r 5\r\n"},
		{string(AppendRMsgLine(nil, b("$G"), b("foo"), b("r"), b("a b"), 5)), "RMSG $G foo + r a b 5\r\n"},
		{string(AppendRMsgLine(nil, b("$G"), b("foo"), nil, b("a"), 5)), "RMSG $G foo | a 5\r\n"},
		{string(AppendRHMsgLine(nil, b("$G"), b("foo"), b("r"), b("a"), 12, 14)), "HMSG $G foo + r a 12 14\r\n"},
		{string(AppendRHMsgLine(nil, b("$G"), b("foo"), nil, nil, 12, 14)), "HMSG $G foo 12 14\r\n"},
		{string(AppendRMsg(nil, b("$G"), b("f"), nil, nil, -1, b("hi"))), "RMSG $G f 2\r\nhi\r\n"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestRouteRoundTrip: what the encoders write, the parser reads back.
func TestRouteRoundTrip(t *testing.T) {
	b := func(s string) []byte { return []byte(s) }
	var stream []byte
	stream = AppendRSub(stream, b("$G"), b("a.>"), nil, 0)
	stream = AppendRSub(stream, b("$G"), b("a.b"), b("workers"), 7)
	stream = AppendRUnsub(stream, b("$G"), b("a.b"), b("workers"))
	stream = AppendRMsg(stream, b("$G"), b("a.b"), b("_INBOX.x"), b("q1 q2"), -1, b("payload"))
	stream = AppendRMsg(stream, b("$G"), b("a.b"), nil, b("q1"), 12, b("NATS/1.0\r\n\r\nbody"))
	stream = AppendRMsg(stream, b("$G"), b("a.b"), b("r"), nil, -1, nil)
	want := []string{
		`RS+ "$G" "a.>" "" 0`,
		`RS+ "$G" "a.b" "workers" 7`,
		`RS- "$G" "a.b" "workers"`,
		`RMSG "$G" "a.b" "_INBOX.x" ["q1" "q2"] -1 "payload"`,
		`RMSG "$G" "a.b" "" ["q1"] 12 "NATS/1.0\r\n\r\nbody"`,
		`RMSG "$G" "a.b" "r" [] -1 ""`,
	}
	got := parseRoute(Limits{MaxPayload: -1}, &routeRecorder{}, [][]byte{stream})
	if got.err != nil || strings.Join(got.events, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got %v\nwant %q", got, want)
	}
}

func TestQueueListContains(t *testing.T) {
	qs := [][]byte{[]byte("a"), []byte("bc")}
	if !QueueListContains(qs, "bc") || QueueListContains(qs, "b") || QueueListContains(nil, "a") {
		t.Fatal("QueueListContains")
	}
}

type nopRoute struct{ msgs int }

func (h *nopRoute) Info([]byte) error                { return nil }
func (h *nopRoute) Connect([]byte) error             { return nil }
func (h *nopRoute) RSub(_, _, _ []byte, _ int) error { return nil }
func (h *nopRoute) RUnsub(_, _, _ []byte) error      { return nil }
func (h *nopRoute) RMsg(*RoutedMsg) error            { h.msgs++; return nil }
func (h *nopRoute) Ping() error                      { return nil }
func (h *nopRoute) Pong() error                      { return nil }
func (h *nopRoute) OK() error                        { return nil }
func (h *nopRoute) Err([]byte) error                 { return nil }
func (h *nopRoute) ok(t testing.TB, want int) {
	t.Helper()
	if h.msgs != want {
		t.Fatalf("%d messages, want %d", h.msgs, want)
	}
}

// rmsgStream is a read buffer's worth of 128-byte RMSGs, some with queues.
func rmsgStream() ([]byte, int) {
	payload := bytes.Repeat([]byte("x"), 128)
	var one []byte
	one = AppendRMsg(one, []byte("$G"), []byte("bench.a"), nil, nil, -1, payload)
	one = AppendRMsg(one, []byte("$G"), []byte("bench.a"), []byte("_INBOX.r"), []byte("q"), -1, payload)
	n := readSize / len(one)
	return bytes.Repeat(one, n), 2 * n
}

func TestRouteParseDoesNotAllocate(t *testing.T) {
	stream, n := rmsgStream()
	p, h := NewRouteParser(Limits{MaxPayload: -1}), &nopRoute{}
	if err := p.Feed(stream, h); err != nil { // warm up the reused slices
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(20, func() {
		if err := p.Feed(stream, h); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per read buffer", allocs)
	}
	h.ok(t, 22*n) // AllocsPerRun runs once more to warm up
}

func BenchmarkRouteParserRMsg128(b *testing.B) {
	stream, n := rmsgStream()
	p, h := NewRouteParser(Limits{MaxPayload: -1}), &nopRoute{}
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		if err := p.Feed(stream, h); err != nil {
			b.Fatal(err)
		}
	}
	reportPerMsg(b, n)
}
