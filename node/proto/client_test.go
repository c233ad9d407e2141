package proto

import (
	"strings"
	"testing"
)

type clientCase struct {
	name   string
	lim    Limits
	in     string
	events []string
	err    error
}

var clientCases = []clientCase{
	{name: "info", in: "INFO {\"server_id\":\"x\"}\r\n", events: []string{`INFO "{\"server_id\":\"x\"}"`}},
	{name: "info lower no blank", in: "info{}\n", events: []string{`INFO "{}"`}},
	{name: "msg", in: "MSG foo 1 5\r\nhello\r\n", events: []string{`MSG "foo" "1" "" -1 "hello"`}},
	{name: "msg reply", in: "msg foo 1 _INBOX.x 5\r\nhello\r\n", events: []string{`MSG "foo" "1" "_INBOX.x" -1 "hello"`}},
	{name: "msg empty", in: "MSG foo 1 0\r\n\r\n", events: []string{`MSG "foo" "1" "" -1 ""`}},
	{name: "hmsg", in: "HMSG foo 1 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", events: []string{`MSG "foo" "1" "" 12 "NATS/1.0\r\n\r\nhi"`}},
	{name: "hmsg reply", in: "HMSG foo 1 r 16 16\r\nNATS/1.0 503\r\n\r\n\r\n", events: []string{`MSG "foo" "1" "r" 16 "NATS/1.0 503\r\n\r\n"`}},
	{name: "ping pong ok", in: "PING\r\nPONG\r\n+OK\r\n", events: []string{"PING ", "PONG ", "+OK "}},
	{name: "err", in: "-ERR 'Unknown Protocol Operation'\r\n", events: []string{`-ERR "Unknown Protocol Operation"`}},
	{name: "err unquoted", in: "-err  Stale Connection \r\n", events: []string{`-ERR "Stale Connection"`}},
	{name: "err empty quotes", in: "-ERR ''\r\n", events: []string{`-ERR ""`}},

	{name: "unknown", in: "PUB foo 5\r\n", err: ErrUnknownOp},
	{name: "connect from server", in: "CONNECT {}\r\n", err: ErrUnknownOp},
	{name: "msg bad terminator", in: "MSG foo 1 1\r\nxy\r\n", err: ErrUnknownOp},
	{name: "msg 2 args", in: "MSG foo 5\r\n", err: ErrBadMsgArgs},
	{name: "msg 5 args", in: "MSG a b c d 5\r\n", err: ErrBadMsgArgs},
	{name: "hmsg 3 args", in: "HMSG foo 1 5\r\n", err: ErrBadMsgArgs},
	{name: "hmsg 6 args", in: "HMSG a b c d 1 5\r\n", err: ErrBadMsgArgs},
	{name: "msg bad size", in: "MSG foo 1 x\r\n", err: ErrBadMsgSize},
	{name: "hmsg bad hdr", in: "HMSG foo 1 x 5\r\n", err: ErrBadMsgSize},
	{name: "hmsg hdr over total", in: "HMSG foo 1 6 5\r\n", err: ErrMsgHeaderOverAll},
	{name: "msg over max", lim: Limits{MaxPayload: 4}, in: "MSG foo 1 5\r\n", err: ErrMaxPayload},
	{name: "info over line", lim: Limits{MaxControlLine: 5}, in: "INFO {\"a\":1}\r\n", err: ErrMaxControlLine},
	{name: "info long ok", lim: Limits{MaxControlLine: 1 << 16}, in: "INFO " + strings.Repeat("x", 5000) + "\r\n",
		events: []string{`INFO "` + strings.Repeat("x", 5000) + `"`}},
}

func TestClientParserCases(t *testing.T) {
	for _, tc := range clientCases {
		t.Run(tc.name, func(t *testing.T) {
			want := parseResult{tc.events, tc.err}
			parse := func(chunks [][]byte) parseResult {
				return parseClient(tc.lim, &clientRecorder{}, chunks)
			}
			if got := parse([][]byte{[]byte(tc.in)}); !got.equal(want) {
				t.Fatalf("whole %q:\n got %v\nwant %v", tc.in, got, want)
			}
			checkAllSplits(t, []byte(tc.in), want, parse)
		})
	}
}

func TestClientParserHandlerError(t *testing.T) {
	in := "INFO {}\r\nMSG a 1 1\r\nx\r\nPING\r\nPONG\r\n+OK\r\n-ERR 'x'\r\nPING\r\n"
	for _, op := range []string{"INFO", "MSG", "PING", "PONG", "+OK", "-ERR"} {
		parse := func(chunks [][]byte) parseResult {
			return parseClient(Limits{}, &clientRecorder{failOn: op}, chunks)
		}
		got := parse([][]byte{[]byte(in)})
		if got.err != errHandler || !strings.HasPrefix(got.events[len(got.events)-1], op+" ") {
			t.Fatalf("%s: %v", op, got)
		}
		checkAllSplits(t, []byte(in), got, parse)
	}
}
