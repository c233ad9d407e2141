package server

import (
	"strings"
	"testing"
	"time"

	"jsnode/node/auth"
)

// These tables pin down, byte for byte, what the server answers to each
// kind of malformed client input and whether it closes the connection.
// Every expectation was checked against nats-server v2.15.2 (parser.go and
// client.go): parser errors send -ERR 'Unknown Protocol Operation';
// argument errors (wrong count, bad or negative sizes, header size over
// total size) close without any -ERR.

// badStep is one exchange: bytes sent, then the clock moved, then the
// exact output expected and whether the connection is closed by then.
type badStep struct {
	send   string
	wait   time.Duration
	want   string
	closed bool
}

// badCase is one malformed-input scenario. connect sends a well-formed
// CONNECT (headers on, verbose off) and PING first; reason is the close
// reason expected when the last step closes.
type badCase struct {
	name    string
	opts    *Options
	connect bool
	steps   []badStep
	reason  ClosedState
}

const (
	unknownOpErr    = "-ERR 'Unknown Protocol Operation'\r\n"
	controlLineErr  = "-ERR 'maximum control line exceeded'\r\n"
	maxPayloadErr   = "-ERR 'Maximum Payload Violation'\r\n"
	authViolation   = "-ERR 'Authorization Violation'\r\n"
	invalidSubject  = "-ERR 'Invalid Subject'\r\n"
	badTestMCL      = 32
	badTestInterval = time.Second
)

// runBadCases plays each case on a fresh server.
func runBadCases(t *testing.T, cases []badCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, tc.opts)
			var p *peer
			if tc.connect {
				p = w.connect("")
			} else {
				p = w.dial()
			}
			for i, st := range tc.steps {
				if st.send != "" {
					p.send(st.send)
				}
				if st.wait > 0 {
					w.advance(st.wait)
				}
				if got := p.output(); got != st.want {
					t.Fatalf("step %d: output\n got: %q\nwant: %q", i, got, st.want)
				}
				if p.closed() != st.closed {
					t.Fatalf("step %d: closed = %v, want %v", i, p.closed(), st.closed)
				}
			}
			c := p.c.handler.(*client)
			if p.closed() && c.closeReason != tc.reason {
				t.Fatalf("close reason %v, want %v", c.closeReason, tc.reason)
			}
		})
	}
}

// one is a single-step case.
func one(send, want string, closed bool) []badStep {
	return []badStep{{send: send, want: want, closed: closed}}
}

func TestBadInputUnknownOp(t *testing.T) {
	runBadCases(t, []badCase{
		{name: "unknown op", connect: true, steps: one("FOO bar\r\n", unknownOpErr, true), reason: ProtocolViolation},
		{name: "unknown op before CONNECT", steps: one("HELLO\r\n", unknownOpErr, true), reason: ProtocolViolation},
		{name: "op without blank", connect: true, steps: one("SUBfoo 1\r\n", unknownOpErr, true), reason: ProtocolViolation},
		{name: "MSG from a client", connect: true, steps: one("MSG foo 1 0\r\n\r\n", unknownOpErr, true), reason: ProtocolViolation},
		{name: "client -ERR closes silently", connect: true, steps: one("-ERR 'oops'\r\n", "", true), reason: ParseError},
		{name: "bad INFO closes silently", connect: true, steps: one("INFO {bad\r\n", "", true), reason: ProtocolViolation},
		{name: "INFO and +OK ignored", connect: true, steps: one("INFO {}\r\n+OK\r\nPING\r\n", "PONG\r\n", false)},
		{name: "bad CONNECT JSON closes silently", steps: one("CONNECT {x}\r\n", "", true), reason: ProtocolViolation},
	})
}

func TestBadInputSubject(t *testing.T) {
	runBadCases(t, []badCase{
		{name: "empty token", connect: true, steps: one("SUB foo..bar 1\r\nPING\r\n", invalidSubject+"PONG\r\n", false)},
		{name: "full wildcard not last", connect: true, steps: one("SUB foo.>.bar 1\r\nPING\r\n", invalidSubject+"PONG\r\n", false)},
		{name: "leading dot", connect: true, steps: one("SUB .foo 1\r\nPING\r\n", invalidSubject+"PONG\r\n", false)},
		// Before CONNECT the client is verbose: no +OK for the refused SUB.
		{name: "before CONNECT", steps: one("SUB foo. 1\r\n", invalidSubject, false)},
		{name: "SUB with too many arguments", connect: true, steps: one("SUB a b c d\r\n", "", true), reason: ProtocolViolation},
		{name: "SUB with one argument", connect: true, steps: one("SUB a\r\n", "", true), reason: ProtocolViolation},
	})
}

func TestBadInputPayloadFraming(t *testing.T) {
	runBadCases(t, []badCase{
		{name: "payload longer than declared", connect: true,
			steps: one("SUB foo 1\r\nPUB foo 3\r\nhello\r\n", unknownOpErr, true), reason: ProtocolViolation},
		{name: "payload shorter than declared", connect: true, steps: []badStep{
			{send: "PUB foo 10\r\nhello\r\n", want: ""},
			// "PING\r\n" completes the 10 bytes; then 'G' is no CR.
			{send: "PING\r\n", want: unknownOpErr, closed: true},
		}, reason: ProtocolViolation},
		{name: "payload ended by bare LF", connect: true, steps: one("PUB foo 2\r\nhi\n", unknownOpErr, true), reason: ProtocolViolation},
		{name: "payload ended by CR and garbage", connect: true, steps: one("PUB foo 2\r\nhi\rX", unknownOpErr, true), reason: ProtocolViolation},
		{name: "payload not yet ended", connect: true, steps: []badStep{
			{send: "PUB foo 2\r\nhi", want: ""},
			{send: "PING\r\n", want: unknownOpErr, closed: true},
		}, reason: ProtocolViolation},
	})
}

func TestBadInputLineEnds(t *testing.T) {
	runBadCases(t, []badCase{
		{name: "no line end waits", connect: true, steps: []badStep{
			{send: "PING", want: ""},
			{wait: time.Second, want: ""},
			{send: "\r\n", want: "PONG\r\n"},
		}},
		{name: "bare LF ends control lines", connect: true,
			steps: one("SUB foo 1\nPUB foo 2\nhi\r\nPING\n", "MSG foo 1 2\r\nhi\r\nPONG\r\n", false)},
		{name: "PING line tail ignored", connect: true, steps: one("PINGxyz\r\n", "PONG\r\n", false)},
	})
}

func TestBadInputControlLine(t *testing.T) {
	small := &Options{MaxControlLine: badTestMCL}
	long := strings.Repeat("a", badTestMCL+1)
	runBadCases(t, []badCase{
		{name: "SUB line", opts: small, steps: one("SUB "+long+" 1\r\n", controlLineErr, true), reason: MaxControlLineExceeded},
		{name: "no line end yet", opts: small, steps: one("PUB "+long, controlLineErr, true), reason: MaxControlLineExceeded},
		{name: "CONNECT line", opts: small,
			steps:  one(`CONNECT {"verbose":false,"pedantic":false}`+"\r\n", controlLineErr, true),
			reason: MaxControlLineExceeded},
		{name: "exactly the limit", opts: small,
			steps: one("SUB "+strings.Repeat("a", badTestMCL-2)+" 1\r\n", "+OK\r\n", false)},
		// nats-server does not buffer or limit the tail of a PING line.
		{name: "long PING line", opts: small, steps: one("PING"+long+long+"\r\n", "PONG\r\n", false)},
	})
}

func TestBadInputBinaryGarbage(t *testing.T) {
	token := &Options{Auth: auth.Config{Token: "s3cret"}}
	runBadCases(t, []badCase{
		{name: "NUL and high bytes", steps: one("\x00\xff\xfe\r\n", unknownOpErr, true), reason: ProtocolViolation},
		{name: "after a valid prefix", connect: true, steps: one("PU\x00\x01\r\n", unknownOpErr, true), reason: ProtocolViolation},
		{name: "TLS hello on the plain port", steps: one("\x16\x03\x01\x00\xa5\x01", unknownOpErr, true), reason: ProtocolViolation},
		{name: "with auth required", opts: token, steps: one("\x16\x03\x01\x00", authViolation, true), reason: AuthenticationViolation},
	})
}

func TestBadInputNoConnect(t *testing.T) {
	authOpts := &Options{Auth: auth.Config{Token: "s3cret", Timeout: time.Second}}
	pingOpts := &Options{PingInterval: badTestInterval, MaxPingsOut: 2}
	runBadCases(t, []badCase{
		{name: "auth timeout", opts: authOpts, steps: []badStep{
			{wait: time.Second - time.Millisecond, want: ""},
			{wait: time.Millisecond, want: "-ERR 'Authentication Timeout'\r\n", closed: true},
		}, reason: AuthenticationTimeout},
		{name: "auth timeout with partial CONNECT", opts: authOpts, steps: []badStep{
			{send: `CONNECT {"auth_token":"s3c`, want: ""},
			{wait: time.Second, want: "-ERR 'Authentication Timeout'\r\n", closed: true},
		}, reason: AuthenticationTimeout},
		// Without auth nothing waits for CONNECT, but the PINGs go
		// unanswered: PING at 1 and 2 intervals, stale at the 3rd
		// (MaxPingsOut+1), as nats-server's ping timer does.
		{name: "stale without auth", opts: pingOpts, steps: []badStep{
			{wait: badTestInterval, want: "PING\r\n"},
			{wait: badTestInterval, want: "PING\r\n"},
			{wait: badTestInterval - time.Millisecond, want: ""},
			{wait: time.Millisecond, want: "-ERR 'Stale Connection'\r\n", closed: true},
		}, reason: StaleConnection},
	})
}

func TestBadInputPubArgs(t *testing.T) {
	small := &Options{MaxPayload: 64}
	runBadCases(t, []badCase{
		// Only blanks separate arguments: a subject cannot hold one, and
		// "foo bar baz" is three arguments before the size.
		{name: "subject with a blank", connect: true, steps: one("PUB foo bar baz 1\r\nx\r\n", "", true), reason: ProtocolViolation},
		{name: "tab separates the reply", connect: true,
			steps: one("SUB foo 1\r\nPUB foo\tbar 1\r\nx\r\n", "MSG foo 1 bar 1\r\nx\r\n", false)},
		{name: "no size", connect: true, steps: one("PUB foo\r\n", "", true), reason: ProtocolViolation},
		{name: "negative size", connect: true, steps: one("PUB foo -1\r\n", "", true), reason: ProtocolViolation},
		{name: "size not a number", connect: true, steps: one("PUB foo 1x\r\n", "", true), reason: ProtocolViolation},
		{name: "ten-digit size", connect: true, steps: one("PUB foo 1000000000\r\n", "", true), reason: ProtocolViolation},
		{name: "nine-digit size", connect: true, steps: one("PUB foo 999999999\r\n", maxPayloadErr, true), reason: MaxPayloadExceeded},
		{name: "over max_payload", opts: small, steps: one("PUB foo 65\r\n", maxPayloadErr, true), reason: MaxPayloadExceeded},
		{name: "UNSUB negative max removes now", connect: true,
			steps: one("SUB foo 1\r\nUNSUB 1 -5\r\nPUB foo 0\r\n\r\nPING\r\n", "PONG\r\n", false)},
	})
}

func TestBadInputHPubArgs(t *testing.T) {
	runBadCases(t, []badCase{
		{name: "header size over total", connect: true, steps: one("HPUB foo 10 5\r\n", "", true), reason: ProtocolViolation},
		{name: "negative header size", connect: true, steps: one("HPUB foo -1 5\r\n", "", true), reason: ProtocolViolation},
		{name: "negative total size", connect: true, steps: one("HPUB foo 1 -5\r\n", "", true), reason: ProtocolViolation},
		{name: "ten-digit total", connect: true, steps: one("HPUB foo 1 1000000000\r\n", "", true), reason: ProtocolViolation},
		{name: "nine-digit total", connect: true, steps: one("HPUB foo 12 999999999\r\n", maxPayloadErr, true), reason: MaxPayloadExceeded},
		{name: "too few arguments", connect: true, steps: one("HPUB foo 5\r\n", "", true), reason: ProtocolViolation},
		{name: "headers not negotiated", steps: one(`CONNECT {"verbose":false}`+"\r\nHPUB foo 12 12\r\nNATS/1.0\r\n\r\n\r\n", "", true),
			reason: ProtocolViolation},
	})
}

// A CONNECT that fails, or a second CONNECT changing the protocol, must
// not upset the count of clients that take async INFO, or the clients
// that do take it stop getting updates.
func TestFailedConnectKeepsAsyncInfoCount(t *testing.T) {
	w := newWorld(t, &Options{Auth: auth.Config{Token: "s3cret"}})
	good := w.connect(`"auth_token":"s3cret"`)
	bad := w.dial()
	bad.send(`CONNECT {"protocol":1,"auth_token":"wrong"}` + "\r\n")
	bad.expectAll(authViolation)
	bad.expectClosed()
	flip := w.connect(`"auth_token":"s3cret","protocol":0`)
	flip.send(`CONNECT {"protocol":1,"auth_token":"s3cret","verbose":false}` + "\r\nPING\r\n")
	flip.expectAll("PONG\r\n")
	flip.hangUp()
	if w.srv.asyncInfoClients != 1 {
		t.Fatalf("asyncInfoClients = %d, want 1", w.srv.asyncInfoClients)
	}
	w.srv.SetConnectURLs([]string{"10.0.0.2:4222"})
	line := good.readLine()
	if m := parseInfo(t, line); m["connect_urls"] == nil {
		t.Fatalf("async INFO without connect_urls: %s", line)
	}
}
