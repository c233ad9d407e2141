package proto

import (
	"strings"
	"testing"
)

type serverCase struct {
	name   string
	lim    Limits
	in     string
	events []string
	err    error
}

var serverCases = []serverCase{
	// Bare ops, any case, anything up to the line end ignored, LF-only ok.
	{name: "ping", in: "PING\r\n", events: []string{"PING "}},
	{name: "ping lower LF", in: "ping\n", events: []string{"PING "}},
	{name: "ping junk", in: "PiNg xyz\r\n", events: []string{"PING "}},
	{name: "pong", in: "PONG\r\nPONG\r\n", events: []string{"PONG ", "PONG "}},
	{name: "ok ignored", in: "+OK\r\nPING\r\n", events: []string{"PING "}},
	{name: "ping unfinished", in: "PING", events: nil},

	{name: "connect", in: "CONNECT {\"verbose\":false}\r\n", events: []string{`CONNECT "{\"verbose\":false}"`}},
	{name: "connect tab LF", in: "connect\t {}\n", events: []string{`CONNECT "{}"`}},
	{name: "connect no blank", in: "CONNECT{}\r\n", events: []string{`CONNECT "{}"`}},
	{name: "connect empty", in: "CONNECT\r\n", events: []string{`CONNECT ""`}},

	{name: "pub", in: "PUB foo 5\r\nhello\r\n", events: []string{`PUB "foo" "" "hello"`}},
	{name: "pub reply lower", in: "pub foo bar 5\r\nhello\r\n", events: []string{`PUB "foo" "bar" "hello"`}},
	{name: "pub blanks", in: "PUB\t foo \t bar  5 \r\nhello\r\n", events: []string{`PUB "foo" "bar" "hello"`}},
	{name: "pub empty", in: "PUB foo 0\r\n\r\n", events: []string{`PUB "foo" "" ""`}},
	{name: "pub LF line, CRLF in payload", in: "PUB foo 4\nab\r\n\r\n", events: []string{`PUB "foo" "" "ab\r\n"`}},
	{name: "pub leading zeros", in: "PUB foo 007\r\n1234567\r\n", events: []string{`PUB "foo" "" "1234567"`}},
	{name: "pub at max payload", lim: Limits{MaxPayload: 3}, in: "PUB a 3\r\nabc\r\n", events: []string{`PUB "a" "" "abc"`}},
	{name: "pub unfinished payload", in: "PUB foo 5\r\nhel", events: nil},

	{name: "hpub", in: "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", events: []string{`HPUB "foo" "" 12 "NATS/1.0\r\n\r\nhi"`}},
	{name: "hpub reply", in: "hpub foo r 12 12\r\nNATS/1.0\r\n\r\n\r\n", events: []string{`HPUB "foo" "r" 12 "NATS/1.0\r\n\r\n"`}},

	{name: "sub", in: "SUB foo 1\r\n", events: []string{`SUB "foo" "" "1"`}},
	{name: "sub queue", in: "sub foo.* q 22\r\n", events: []string{`SUB "foo.*" "q" "22"`}},
	{name: "sub blanks", in: "SUB\tfoo \t q\t\t1\n", events: []string{`SUB "foo" "q" "1"`}},

	{name: "unsub", in: "UNSUB 1\r\n", events: []string{`UNSUB "1" 0`}},
	{name: "unsub max", in: "unsub 1 10\r\n", events: []string{`UNSUB "1" 10`}},
	{name: "unsub bad max", in: "UNSUB 1 x\r\n", events: []string{`UNSUB "1" 0`}},

	{name: "info ignored", in: "INFO {\"a\":1}\r\nPING\r\n", events: []string{"PING "}},
	{name: "stream", in: "CONNECT {}\r\nSUB a 1\r\nPUB a 1\r\nx\r\nUNSUB 1\r\nPING\r\n",
		events: []string{`CONNECT "{}"`, `SUB "a" "" "1"`, `PUB "a" "" "x"`, `UNSUB "1" 0`, "PING "}},

	// Errors nats-server answers with -ERR 'Unknown Protocol Operation'.
	{name: "unknown op", in: "FOO\r\n", err: ErrUnknownOp},
	{name: "unknown op early", in: "X", err: ErrUnknownOp},
	{name: "pub no blank", in: "PUB\r\n", err: ErrUnknownOp},
	{name: "pubx", in: "PUBX foo 5\r\n", err: ErrUnknownOp},
	{name: "unsub no blank", in: "UNSUB\r\n", err: ErrUnknownOp},
	{name: "client op MSG", in: "MSG foo 1 5\r\n", err: ErrUnknownOp},
	{name: "err no blank", in: "-ERR\r\n", err: ErrUnknownOp},
	{name: "payload no CRLF", in: "PUB foo 5\r\nhelloXY", err: ErrUnknownOp},
	{name: "payload CR then junk", in: "PUB foo 5\r\nhello\rX", err: ErrUnknownOp},
	{name: "payload LF only", in: "PUB foo 5\r\nhello\nPING\r\n", err: ErrUnknownOp},
	{name: "payload too long", in: "PUB foo 1\r\nab\r\n", err: ErrUnknownOp},
	{name: "ops before error run", in: "PING\r\nPUB a 1\r\nxy", events: []string{"PING "}, err: ErrUnknownOp},

	// Argument errors: nats-server closes without -ERR.
	{name: "pub 1 arg", in: "PUB foo\r\n", err: ErrBadPubArgs},
	{name: "pub 4 args", in: "PUB foo bar baz 5\r\n", err: ErrBadPubArgs},
	{name: "pub blank arg", in: "PUB \r\n", err: ErrBadPubArgs},
	{name: "pub negative", in: "PUB foo -1\r\n", err: ErrBadPubSize},
	{name: "pub 10 digits", in: "PUB foo 0000000001\r\n", err: ErrBadPubSize},
	{name: "pub size junk", in: "PUB foo 5x\r\n", err: ErrBadPubSize},
	{name: "hpub 2 args", in: "HPUB foo 5\r\n", err: ErrBadHPubArgs},
	{name: "hpub 5 args", in: "HPUB a b c 1 2\r\n", err: ErrBadHPubArgs},
	{name: "hpub bad hdr", in: "HPUB foo x 5\r\n", err: ErrBadHeaderSize},
	{name: "hpub bad total", in: "HPUB foo 5 x\r\n", err: ErrBadTotalSize},
	{name: "hpub hdr over total", in: "HPUB foo 6 5\r\n", err: ErrHeaderOverTotal},
	{name: "sub 1 arg", in: "SUB foo\r\n", err: ErrBadSubArgs},
	{name: "sub 4 args", in: "SUB a b c d\r\n", err: ErrBadSubArgs},
	{name: "unsub 0 args", in: "UNSUB \r\n", err: ErrBadUnsubArgs},
	{name: "unsub 3 args", in: "UNSUB 1 2 3\r\n", err: ErrBadUnsubArgs},
	{name: "bad info", in: "INFO {bad\r\n", err: ErrBadInfo},
	{name: "client -ERR", in: "-ERR 'x'\r\n", err: ErrClientSentErr},

	// Limits.
	{name: "max payload", in: "PUB foo 1048577\r\n", err: ErrMaxPayload},
	{name: "max payload hpub", lim: Limits{MaxPayload: 10}, in: "HPUB foo 5 11\r\n", err: ErrMaxPayload},
	{name: "unlimited payload", lim: Limits{MaxPayload: -1}, in: "PUB foo 999999999\r\n", events: nil},
	{name: "line at limit", lim: Limits{MaxControlLine: 8}, in: "SUB  abcd 123\r\n", events: []string{`SUB "abcd" "" "123"`}},
	{name: "line over limit", lim: Limits{MaxControlLine: 7}, in: "SUB abcd 123\r\n", err: ErrMaxControlLine},
	{name: "line over limit unfinished", lim: Limits{MaxControlLine: 7}, in: "SUB abcd 123", err: ErrMaxControlLine},
	{name: "line at limit CR pending", lim: Limits{MaxControlLine: 8}, in: "SUB abcd 123\r", events: nil},
	{name: "connect limited", lim: Limits{MaxControlLine: 4}, in: "CONNECT {\"a\":1}\r\n", err: ErrMaxControlLine},
	{name: "ping not limited", lim: Limits{MaxControlLine: 4}, in: "PING " + strings.Repeat("x", 100) + "\r\n", events: []string{"PING "}},
	{name: "blanks not limited", lim: Limits{MaxControlLine: 8}, in: "PUB" + strings.Repeat(" ", 100) + "a 1\r\nx\r\n", events: []string{`PUB "a" "" "x"`}},
}

func TestServerParserCases(t *testing.T) {
	for _, tc := range serverCases {
		t.Run(tc.name, func(t *testing.T) {
			want := parseResult{tc.events, tc.err}
			parse := func(chunks [][]byte) parseResult {
				return parseServer(tc.lim, &serverRecorder{}, chunks)
			}
			if got := parse([][]byte{[]byte(tc.in)}); !got.equal(want) {
				t.Fatalf("whole %q:\n got %v\nwant %v", tc.in, got, want)
			}
			checkAllSplits(t, []byte(tc.in), want, parse)
		})
	}
}

func TestProtoErrorTexts(t *testing.T) {
	cases := []struct {
		err   *ProtoError
		text  string
		close bool
	}{
		{ErrUnknownOp, "Unknown Protocol Operation", true},
		{ErrMaxControlLine, "maximum control line exceeded", true},
		{ErrMaxPayload, "Maximum Payload Violation", true},
		{ErrAuthViolation, "Authorization Violation", true},
		{ErrBadPubArgs, "", true},
		{ErrBadSubArgs, "", true},
	}
	for _, c := range cases {
		if c.err.Text != c.text || c.err.Close != c.close {
			t.Errorf("%v: text %q close %v, want %q %v", c.err, c.err.Text, c.err.Close, c.text, c.close)
		}
	}
	if got := ErrUnknownOp.Error(); got != "Unknown Protocol Operation" {
		t.Errorf("Error() = %q", got)
	}
	if got := ErrBadPubArgs.Error(); got != "PUB needs 2 or 3 arguments" {
		t.Errorf("Error() = %q", got)
	}
}

func TestServerParserStickyError(t *testing.T) {
	p := NewServerParser(Limits{})
	rec := &serverRecorder{}
	if err := p.Feed([]byte("BAD\r\n"), rec); err != ErrUnknownOp {
		t.Fatalf("first feed: %v", err)
	}
	if err := p.Feed([]byte("PING\r\n"), rec); err != ErrUnknownOp {
		t.Fatalf("second feed: %v", err)
	}
	if len(rec.events) != 0 {
		t.Fatalf("events after error: %q", rec.events)
	}
}

func TestServerParserHandlerError(t *testing.T) {
	for _, op := range []string{"CONNECT", "PUB", "HPUB", "SUB", "UNSUB", "PING", "PONG"} {
		in := "CONNECT {}\r\nPUB a 1\r\nx\r\nHPUB a 12 12\r\nNATS/1.0\r\n\r\n\r\nSUB a 1\r\nUNSUB 1\r\nPING\r\nPONG\r\nPING\r\n"
		parse := func(chunks [][]byte) parseResult {
			return parseServer(Limits{}, &serverRecorder{failOn: op}, chunks)
		}
		got := parse([][]byte{[]byte(in)})
		if got.err != errHandler {
			t.Fatalf("%s: err %v, want the handler's", op, got.err)
		}
		if last := got.events[len(got.events)-1]; !strings.HasPrefix(last, op+" ") {
			t.Fatalf("%s: last event %q", op, last)
		}
		checkAllSplits(t, []byte(in), got, parse)
	}
}

func TestServerParserSetLimitsFromConnect(t *testing.T) {
	in := "CONNECT {}\r\nPUB a 5\r\nhello\r\nPUB a 6\r\n"
	var p *ServerParser
	rec := &serverRecorder{onConnect: func([]byte) error {
		p.SetLimits(Limits{MaxPayload: 5})
		return nil
	}}
	p = NewServerParser(Limits{})
	err := p.Feed([]byte(in), rec)
	if err != ErrMaxPayload {
		t.Fatalf("err %v, want ErrMaxPayload", err)
	}
	if len(rec.events) != 2 {
		t.Fatalf("events %q", rec.events)
	}
}

func TestServerParserAwaitingConnect(t *testing.T) {
	cases := []struct {
		in     string
		events int
		err    error
	}{
		{"PING\r\n", 0, ErrAuthViolation},
		{"SUB a 1\r\n", 0, ErrAuthViolation},
		{"CONNECT {}\r\nPING\r\n", 2, nil},
		{"CXX\r\n", 0, ErrUnknownOp},
	}
	for _, c := range cases {
		var p *ServerParser
		rec := &serverRecorder{onConnect: func([]byte) error {
			p.SetAwaitingConnect(false)
			return nil
		}}
		p = NewServerParser(Limits{})
		p.SetAwaitingConnect(true)
		err := p.Feed([]byte(c.in), rec)
		if err != c.err || len(rec.events) != c.events {
			t.Errorf("%q: err %v events %q, want %v and %d events", c.in, err, rec.events, c.err, c.events)
		}
	}
}

// TestServerParserZeroCopy checks that an op lying entirely in the fed slice
// is delivered in place, and that a split one is not.
func TestServerParserZeroCopy(t *testing.T) {
	in := []byte("PUB foo 5\r\nhello\r\n")
	var got []byte
	h := &funcHandler{pub: func(_, _, payload []byte) error { got = payload; return nil }}
	p := NewServerParser(Limits{})
	if err := p.Feed(in, h); err != nil {
		t.Fatal(err)
	}
	if &got[0] != &in[11] {
		t.Fatalf("payload was copied")
	}
	first, second := clone(in[:13]), clone(in[13:])
	if err := p.Feed(first, h); err != nil {
		t.Fatal(err)
	}
	if err := p.Feed(second, h); err != nil {
		t.Fatal(err)
	}
	if string(got) != "hello" || &got[0] == &first[11] {
		t.Fatalf("split payload %q not from the parser's buffer", got)
	}
}

// TestServerParserBoundedBuffer feeds a maximal PUB in small chunks and a
// maximal argument byte by byte, checking the buffer never outgrows the
// limits.
func TestServerParserBoundedBuffer(t *testing.T) {
	const slack = 2
	lim := Limits{MaxControlLine: 64, MaxPayload: 5000}
	bound := lim.MaxControlLine + lim.MaxPayload + slack
	msg := AppendPub(nil, []byte(strings.Repeat("s", 59)), nil, []byte(strings.Repeat("x", 5000)))
	p := NewServerParser(lim)
	rec := &serverRecorder{}
	for _, c := range byteByByte(msg) {
		if err := p.Feed(c, rec); err != nil {
			t.Fatal(err)
		}
		if cap(p.c.buf) > bound {
			t.Fatalf("buffer cap %d > %d", cap(p.c.buf), bound)
		}
	}
	if len(rec.events) != 1 {
		t.Fatalf("events %d", len(rec.events))
	}
	// A too-long line is refused before it is buffered.
	p = NewServerParser(lim)
	err := p.Feed([]byte("SUB "+strings.Repeat("a", 10000)), rec)
	if err != ErrMaxControlLine || cap(p.c.buf) > bound {
		t.Fatalf("err %v cap %d", err, cap(p.c.buf))
	}
}

// funcHandler is a ServerHandler built from optional functions.
type funcHandler struct {
	pub func(subject, reply, payload []byte) error
}

func (h *funcHandler) Connect([]byte) error { return nil }
func (h *funcHandler) Pub(s, r, p []byte) error {
	if h.pub != nil {
		return h.pub(s, r, p)
	}
	return nil
}
func (h *funcHandler) HPub([]byte, []byte, int, []byte) error { return nil }
func (h *funcHandler) Sub(_, _, _ []byte) error               { return nil }
func (h *funcHandler) Unsub([]byte, int64) error              { return nil }
func (h *funcHandler) Ping() error                            { return nil }
func (h *funcHandler) Pong() error                            { return nil }
