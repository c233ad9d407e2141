package proto

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// parseServerGeneral is parseServer with the fast path turned off.
func parseServerGeneral(lim Limits, chunks [][]byte) parseResult {
	p := NewServerParser(lim)
	p.generalOnly = true
	rec := &serverRecorder{}
	for _, c := range chunks {
		if err := p.Feed(c, rec); err != nil {
			return parseResult{rec.events, err}
		}
	}
	return parseResult{rec.events, nil}
}

// fastCases aim at the corners of the fast path: what it must accept
// exactly as the general path does, and what it must leave to it.
var fastCases = []serverCase{
	{name: "mixed case", in: "pUb a 1\r\nx\r\nHpUb a 12 12\r\nNATS/1.0\r\n\r\n\r\n",
		events: []string{`PUB "a" "" "x"`, `HPUB "a" "" 12 "NATS/1.0\r\n\r\n"`}},
	{name: "tab after name", in: "PUB\ta\t1\r\nx\r\n", events: []string{`PUB "a" "" "x"`}},
	{name: "trailing blanks", in: "PUB a 1 \t \r\nx\r\n", events: []string{`PUB "a" "" "x"`}},
	{name: "LF only", in: "PUB a r 1\nx\r\n", events: []string{`PUB "a" "r" "x"`}},
	{name: "control byte in subject", in: "PUB a\x01b 1\r\nx\r\n", events: []string{`PUB "a\x01b" "" "x"`}},
	{name: "control byte ends word", in: "PUB abcdefg\x0bh 1\r\nx\r\n", events: []string{`PUB "abcdefg\vh" "" "x"`}},
	{name: "high bytes in subject", in: "PUB \xff\xfe\x80\x7f.\xc3\xa9xyz 1\r\nx\r\n", events: []string{`PUB "\xff\xfe\x80\x7f.éxyz" "" "x"`}},
	{name: "subject of 8", in: "PUB abcdefgh 1\r\nx\r\n", events: []string{`PUB "abcdefgh" "" "x"`}},
	{name: "subject of 16", in: "PUB abcdefghijklmnop 1\r\nx\r\n", events: []string{`PUB "abcdefghijklmnop" "" "x"`}},
	{name: "long subject and reply", in: "PUB bench.1733300000000000000 _INBOX.abcdefghijklmnopqrstuv 2\r\nhi\r\n",
		events: []string{`PUB "bench.1733300000000000000" "_INBOX.abcdefghijklmnopqrstuv" "hi"`}},
	// A CR anywhere but before the LF is part of an argument.
	{name: "CR inside word", in: "PUB a\rb 1\r\nx\r\n", events: []string{`PUB "a\rb" "" "x"`}},
	{name: "CR in size", in: "PUB a 1\r\r\nx\r\n", err: ErrBadPubSize},
	{name: "CR then size junk", in: "PUB a 1\rxy\r\n", err: ErrBadPubSize},
	{name: "CR word", in: "PUB a \r 1\r\nx\r\n", events: []string{`PUB "a" "\r" "x"`}},
	{name: "nine digits", in: "PUB a 000000002\r\nxy\r\n", events: []string{`PUB "a" "" "xy"`}},
	{name: "size with sign", in: "PUB a +1\r\nx\r\n", err: ErrBadPubSize},
	{name: "pub 4 args then ping", in: "PUB a b c 1\r\nx\r\n", err: ErrBadPubArgs},
	{name: "hpub reply, no total", in: "HPUB a r 12\r\nNATS/1.0\r\n\r\n\r\n", err: ErrBadHeaderSize},
	{name: "hpub hdr equals total", in: "HPUB a r 12 12\r\nNATS/1.0\r\n\r\n\r\n", events: []string{`HPUB "a" "r" 12 "NATS/1.0\r\n\r\n"`}},
	{name: "hpub bad hdr", in: "HPUB a r 1x 12\r\nNATS/1.0\r\n\r\n\r\n", err: ErrBadHeaderSize},
	{name: "hpub numeric subject, 2 args", in: "HPUB 1 2\r\nxy\r\n", err: ErrBadHPubArgs},
	{name: "hpub 6 args", in: "HPUB a b c d 1 2\r\nxy\r\n", err: ErrBadHPubArgs},
	{name: "payload bad CR", in: "PUB a 1\r\nxX\n", err: ErrUnknownOp},
	{name: "payload bad LF", in: "PUB a 1\r\nx\rX", err: ErrUnknownOp},
	{name: "payload unfinished", in: "PUB a 1\r\nx\r", events: nil},
	{name: "pubs then other ops", in: "PUB a 1\r\nx\r\nPING\r\nPUB b 1\r\ny\r\nSUB c 1\r\nPUB c 0\r\n\r\n",
		events: []string{`PUB "a" "" "x"`, "PING ", `PUB "b" "" "y"`, `SUB "c" "" "1"`, `PUB "c" "" ""`}},
	{name: "line at limit", lim: Limits{MaxControlLine: 5}, in: "PUB  ab 1\t\r\nx\r\n", events: []string{`PUB "ab" "" "x"`}},
	{name: "line over limit", lim: Limits{MaxControlLine: 4}, in: "PUB  ab 1\t\r\nx\r\n", err: ErrMaxControlLine},
	{name: "LF line at limit", lim: Limits{MaxControlLine: 4}, in: "PUB ab 1\nx\r\n", events: []string{`PUB "ab" "" "x"`}},
	{name: "payload at limit", lim: Limits{MaxPayload: 2}, in: "HPUB a 1 2\r\nxy\r\n", events: []string{`HPUB "a" "" 1 "xy"`}},
	{name: "payload over limit", lim: Limits{MaxPayload: 2}, in: "PUB a 3\r\nxyz\r\n", err: ErrMaxPayload},
	{name: "name without blank", in: "PUBa 1\r\nx\r\n", err: ErrUnknownOp},
}

func TestServerParserFastCases(t *testing.T) {
	for _, tc := range fastCases {
		t.Run(tc.name, func(t *testing.T) {
			want := parseResult{tc.events, tc.err}
			in := []byte(tc.in)
			if got := parseServer(tc.lim, &serverRecorder{}, [][]byte{in}); !got.equal(want) {
				t.Fatalf("fast %q:\n got %v\nwant %v", tc.in, got, want)
			}
			if got := parseServerGeneral(tc.lim, [][]byte{in}); !got.equal(want) {
				t.Fatalf("general %q:\n got %v\nwant %v", tc.in, got, want)
			}
			checkAllSplits(t, in, want, func(chunks [][]byte) parseResult {
				return parseServer(tc.lim, &serverRecorder{}, chunks)
			})
		})
	}
}

// TestServerParserFastPathTaken makes sure the cases above really run the
// fast path: the general path records the op it parsed, the fast one not.
func TestServerParserFastPathTaken(t *testing.T) {
	for _, in := range []string{"PUB a 1\r\nx\r\n", "hpub a r 0 1\nx\r\n"} {
		p := NewServerParser(Limits{})
		if err := p.Feed([]byte(in), &serverRecorder{}); err != nil {
			t.Fatal(err)
		}
		if p.c.op != nil {
			t.Errorf("%q went through the general path (op %s)", in, p.c.op.name)
		}
	}
	p := NewServerParser(Limits{})
	p.SetAwaitingConnect(true)
	if err := p.Feed([]byte("PUB a 1\r\nx\r\n"), &serverRecorder{}); err != ErrAuthViolation {
		t.Fatalf("awaiting CONNECT: %v", err)
	}
}

// TestServerParserFastRereadsLimits: a handler may change the limits and
// the awaiting-CONNECT flag between two PUBs of one buffer.
func TestServerParserFastRereadsLimits(t *testing.T) {
	in := []byte("PUB a 2\r\nxy\r\nPUB a 2\r\nxy\r\n")
	var p *ServerParser
	h := &funcHandler{pub: func(_, _, _ []byte) error {
		p.SetLimits(Limits{MaxPayload: 1})
		return nil
	}}
	p = NewServerParser(Limits{})
	if err := p.Feed(in, h); err != ErrMaxPayload {
		t.Fatalf("limit lowered by the handler: %v", err)
	}
	h.pub = func(_, _, _ []byte) error {
		p.SetAwaitingConnect(true)
		return nil
	}
	p = NewServerParser(Limits{})
	if err := p.Feed(in, h); err != ErrAuthViolation {
		t.Fatalf("awaiting CONNECT set by the handler: %v", err)
	}
}

// TestServerParserFastHandlerError: a handler error in the middle of a
// buffer stops the parse there and sticks, on both paths alike.
func TestServerParserFastHandlerError(t *testing.T) {
	in := []byte("PUB a 1\r\nx\r\nPUB b 1\r\ny\r\nPUB c 1\r\nz\r\n")
	calls := 0
	h := &funcHandler{pub: func(s, _, _ []byte) error {
		calls++
		if string(s) == "b" {
			return errHandler
		}
		return nil
	}}
	p := NewServerParser(Limits{})
	if err := p.Feed(in, h); err != errHandler || calls != 2 {
		t.Fatalf("err %v after %d calls", err, calls)
	}
	if err := p.Feed([]byte("PING\r\n"), h); err != errHandler {
		t.Fatalf("not sticky: %v", err)
	}
}

// Fragments for pubLikeGen: the usual form first, then the odd ones that
// must send an op to the general path or that it reads differently.
var (
	fastOpNames = []string{"PUB", "HPUB", "pub", "hPuB", "PUBX", "PING", "SUB", "P"}
	fastSeps    = []string{" ", "\t", "  ", " \t", "\r", "\x01", ""}
	fastWords   = []string{"a", "foo.bar", "bench.1733300000000000000", "_INBOX.x", "0", "2", "16", "007", "999999999", "1000000000", "x1", "\x0b", "é"}
	fastEnds    = []string{"\r\n", "\n", " \r\n", "\r\r\n", "\r", "", "x\r\n", "x\n", "\rx"}
)

// usually returns the first of choices most of the time, else any.
func usually(t *rapid.T, choices []string, label string) string {
	if rapid.IntRange(0, 9).Draw(t, label+" odd") < 8 {
		return choices[0]
	}
	return rapid.SampledFrom(choices).Draw(t, label)
}

// pubLikeOp draws one PUB or HPUB, mostly well formed, sometimes damaged
// in one of the ways the fast path must leave to the general path.
func pubLikeOp(t *rapid.T) []byte {
	name := usually(t, fastOpNames, "name")
	if rapid.Bool().Draw(t, "hpub") && name == "PUB" {
		name = "HPUB"
	}
	payload := rapid.SliceOfN(rapid.SampledFrom([]byte("p\r\n ")), 0, 20).Draw(t, "payload")
	args := []string{rapid.SampledFrom(fastWords[:4]).Draw(t, "subject")}
	if rapid.Bool().Draw(t, "reply?") {
		args = append(args, rapid.SampledFrom(fastWords[:4]).Draw(t, "reply"))
	}
	if strings.EqualFold(name, "HPUB") {
		args = append(args, strconv.Itoa(rapid.IntRange(0, len(payload)+2).Draw(t, "hdr")))
	}
	args = append(args, strconv.Itoa(len(payload)))
	for i := range args {
		if rapid.IntRange(0, 9).Draw(t, "replace?") == 0 {
			args[i] = rapid.SampledFrom(fastWords).Draw(t, "word")
		}
	}
	if rapid.IntRange(0, 4).Draw(t, "extra?") == 0 {
		at := rapid.IntRange(0, len(args)).Draw(t, "extra at")
		args = slices.Insert(args, at, rapid.SampledFrom(fastWords).Draw(t, "extra"))
	}
	b := []byte(name)
	for _, a := range args {
		b = append(b, usually(t, fastSeps, "sep")...)
		b = append(b, a...)
	}
	b = append(b, usually(t, fastEnds, "end")...)
	b = append(b, payload...)
	return append(b, usually(t, fastEnds, "payload end")...)
}

// pubLikeGen draws a stream of PUB-like ops with now and then a PING.
var pubLikeGen = rapid.Custom(func(t *rapid.T) []byte {
	var b []byte
	for n := rapid.IntRange(1, 8).Draw(t, "ops"); n > 0; n-- {
		if rapid.IntRange(0, 9).Draw(t, "ping?") == 0 {
			b = append(b, "PING\r\n"...)
			continue
		}
		b = append(b, pubLikeOp(t)...)
	}
	return b
})

// TestRapidServerFastMatchesGeneral: on PUB-like streams the parser, fed
// whole or in chunks, does exactly what the general path alone does.
func TestRapidServerFastMatchesGeneral(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := pubLikeGen.Draw(t, "stream")
		lim := Limits{
			MaxControlLine: rapid.SampledFrom([]int{0, 4, 8, 20, 40}).Draw(t, "max line"),
			MaxPayload:     rapid.SampledFrom([]int{0, -1, 1, 2, 12, 16}).Draw(t, "max payload"),
		}
		want := parseServerGeneral(lim, [][]byte{in})
		if got := parseServer(lim, &serverRecorder{}, [][]byte{in}); !got.equal(want) {
			t.Fatalf("whole %q, %+v:\n got %v\nwant %v", in, lim, got, want)
		}
		if got := parseServer(lim, &serverRecorder{}, drawChunks(t, in)); !got.equal(want) {
			t.Fatalf("chunked %q, %+v:\n got %v\nwant %v", in, lim, got, want)
		}
	})
}
