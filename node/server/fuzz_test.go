package server

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"jsnode/node/auth"
	"jsnode/node/proto"
)

// FuzzClientConn plays arbitrary bytes on the client port. The first input
// byte picks server options and client preludes (fuzzFlag*), the second
// seeds how the rest is cut into chunks and how far the clock moves between
// them, and the rest is what every fake client sends. Whatever the bytes,
// the server must not panic or loop, must answer only with well-formed
// protocol and nats-server's -ERR texts, must close exactly the connections
// whose error closes them, must keep its client and subscription counts
// right, and must still serve a fresh, well-behaved client.

// Bits of the first input byte.
const (
	fuzzFlagAuth             = 1 << iota // token required
	fuzzFlagSmallPayload                 // max_payload fuzzSmallMaxPayload
	fuzzFlagSmallControlLine             // max_control_line fuzzSmallControlLine
	fuzzFlagMaxSubs                      // max_subs fuzzMaxSubs
	fuzzFlagVerbose                      // the CONNECTing client is verbose and pedantic
	fuzzFlagListener                     // a third client subscribes to ">" first
	fuzzFlagFastClock                    // big clock steps: timers fire mid-stream
	fuzzFlagTraceHangUp                  // trace logging on; client 0 hangs up halfway
)

const (
	fuzzToken            = "t"
	fuzzSmallMaxPayload  = 64
	fuzzSmallControlLine = 96
	fuzzMaxSubs          = 3
	fuzzPingInterval     = time.Second
	fuzzAuthTimeout      = time.Second
	// fuzzMaxChunk bounds the bytes one client sends per round.
	fuzzMaxChunk = 32
	// fuzzStepSlow and fuzzStepFast are the clock units; each round moves
	// the clock by 0-3 units.
	fuzzStepSlow = 5 * time.Millisecond
	fuzzStepFast = 150 * time.Millisecond
	// fuzzFinalWait lets the auth timeout and a PING or two happen once
	// every byte is sent; fuzzFinalWaitFast reaches the stale-connection
	// close (PingInterval * (MaxPingsOut + 1)).
	fuzzFinalWait     = 1500 * time.Millisecond
	fuzzFinalWaitFast = 3500 * time.Millisecond
	// fuzzHangTimeout is far beyond what one input takes (well under a
	// millisecond): an input still running then is stuck in a loop.
	fuzzHangTimeout = 30 * time.Second
	// fuzzMaxEvents bounds one pump: more events than this means a loop.
	fuzzMaxEvents = 100_000
	// fuzzOutputLineMax is the client parser's control-line limit: a MSG
	// line carries a subject and a reply of up to max_control_line each.
	fuzzOutputLineMax = 64 << 10
)

func FuzzClientConn(f *testing.F) {
	f.Add([]byte{0, 0, 'P', 'I', 'N', 'G', '\r', '\n'})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		// A stuck loop shows up as a panic naming the input.
		hang := time.AfterFunc(fuzzHangTimeout, func() { panic(fmt.Sprintf("FuzzClientConn: no progress on %q", data)) })
		defer hang.Stop()
		s := newFuzzSession(t, data[0], data[1])
		s.play(data[2:])
		s.checkClients()
		s.checkServer()
		s.checkFreshClient()
	})
}

// fuzzOptions turns the flag byte into server options.
func fuzzOptions(flags byte) *Options {
	o := &Options{PingInterval: fuzzPingInterval, MaxPingsOut: 2}
	if flags&fuzzFlagAuth != 0 {
		o.Auth = auth.Config{Token: fuzzToken, Timeout: fuzzAuthTimeout}
	}
	if flags&fuzzFlagSmallPayload != 0 {
		o.MaxPayload = fuzzSmallMaxPayload
	}
	if flags&fuzzFlagSmallControlLine != 0 {
		o.MaxControlLine = fuzzSmallControlLine
	}
	if flags&fuzzFlagMaxSubs != 0 {
		o.MaxSubs = fuzzMaxSubs
	}
	if flags&fuzzFlagTraceHangUp != 0 {
		o.Trace, o.Debug = true, true
	}
	return o
}

// fuzzSession is one server with the clients that play the input.
type fuzzSession struct {
	t       *testing.T
	w       *world
	flags   byte
	rng     *rand.Rand // clock steps
	clients []*fuzzClient
}

// fuzzClient is one connection playing the input from its own prelude.
type fuzzClient struct {
	name     string
	p        *peer
	cuts     *rand.Rand // chunk sizes
	pos      int        // bytes of the input sent so far
	hangUpAt int        // hang up once pos reaches this (-1: never)
	hungUp   bool
	out      *outputCheck
}

func newFuzzSession(t *testing.T, flags, seed byte) *fuzzSession {
	s := &fuzzSession{
		t: t, flags: flags,
		w:   newWorld(t, fuzzOptions(flags)),
		rng: rand.New(rand.NewPCG(uint64(seed), 0)),
	}
	preludes := []string{"", s.connectLine(flags&fuzzFlagVerbose != 0, true)}
	if flags&fuzzFlagListener != 0 {
		preludes = append(preludes, s.connectLine(false, false)+"SUB > L\r\n")
	}
	for i, prelude := range preludes {
		fc := &fuzzClient{
			name:     fmt.Sprintf("client %d", i),
			p:        s.w.dialRaw(),
			cuts:     rand.New(rand.NewPCG(uint64(seed), uint64(i+1))),
			hangUpAt: -1,
			out:      newOutputCheck(),
		}
		if prelude != "" {
			fc.p.c.fromPeer(prelude)
		}
		s.clients = append(s.clients, fc)
	}
	s.pump()
	s.readOutputs()
	return s
}

// connectLine is a CONNECT that authenticates when auth is on and fits the
// small max_control_line.
func (s *fuzzSession) connectLine(verbose, headers bool) string {
	js := fmt.Sprintf(`{"verbose":%t,"pedantic":%t,"protocol":1,"headers":%t`, verbose, verbose, headers)
	if s.flags&fuzzFlagAuth != 0 {
		js += `,"auth_token":"` + fuzzToken + `"`
	}
	return "CONNECT " + js + "}\r\n"
}

// pump runs queued network events, failing if they never run out.
func (s *fuzzSession) pump() {
	for n := 0; len(s.w.net.events) > 0; n++ {
		if n > fuzzMaxEvents {
			s.t.Fatalf("more than %d network events in one pump: the server loops", fuzzMaxEvents)
		}
		ev := s.w.net.events[0]
		s.w.net.events = s.w.net.events[1:]
		ev()
	}
}

// play sends the input from every client in rounds of one chunk each,
// moving the clock between rounds, then waits for the timers.
func (s *fuzzSession) play(in []byte) {
	if s.flags&fuzzFlagTraceHangUp != 0 {
		s.clients[0].hangUpAt = len(in) / 2
	}
	unit, final := fuzzStepSlow, fuzzFinalWait
	if s.flags&fuzzFlagFastClock != 0 {
		unit, final = fuzzStepFast, fuzzFinalWaitFast
	}
	for sending := true; sending; {
		sending = false
		for _, fc := range s.clients {
			if fc.sendChunk(in) {
				sending = true
			}
		}
		s.pump()
		s.readOutputs()
		s.w.clock.Advance(time.Duration(s.rng.IntN(4)) * unit)
		s.pump()
		s.readOutputs()
	}
	s.w.clock.Advance(final)
	s.pump()
	s.readOutputs()
}

// sendChunk sends the client's next chunk; false once all is sent.
func (fc *fuzzClient) sendChunk(in []byte) bool {
	if fc.hungUp || fc.pos >= len(in) {
		return false
	}
	n := min(1+fc.cuts.IntN(fuzzMaxChunk), len(in)-fc.pos)
	fc.p.c.fromPeer(string(in[fc.pos : fc.pos+n]))
	fc.pos += n
	if fc.hangUpAt >= 0 && fc.pos >= fc.hangUpAt {
		fc.p.c.peerClose(errFuzzHangUp)
		fc.hungUp = true
	}
	return true
}

var errFuzzHangUp = fmt.Errorf("fuzz: client hung up")

// readOutputs consumes what the server wrote to each client and checks it.
func (s *fuzzSession) readOutputs() {
	for _, fc := range s.clients {
		out := fc.p.c.out
		if len(out) == 0 {
			continue
		}
		if err := fc.out.feed(out); err != nil {
			s.t.Fatalf("%s: bad server output: %v\noutput: %q", fc.name, err, out)
		}
		fc.p.c.consume(len(out))
	}
	s.pump()
}

// checkClients checks each connection against what it was told: a closing
// -ERR is followed by the close with the matching reason, a close without
// -ERR has one of the reasons nats-server closes silently for, and an open
// connection is still registered.
func (s *fuzzSession) checkClients() {
	for _, fc := range s.clients {
		c := fc.p.c.handler.(*client)
		if fc.hungUp {
			if c.registered || !c.closing {
				s.t.Fatalf("%s hung up but is still registered", fc.name)
			}
			continue
		}
		last := fc.out.closingErr
		switch {
		case !fc.p.closed() && last != "":
			s.t.Fatalf("%s got -ERR '%s' but is still open", fc.name, last)
		case !fc.p.closed():
			if c.closing || !c.registered {
				s.t.Fatalf("%s: connection open but client closing=%v registered=%v", fc.name, c.closing, c.registered)
			}
		case last != "":
			if want := closingErrTexts[last]; c.closeReason != want {
				s.t.Fatalf("%s: -ERR '%s' closed with %v, want %v", fc.name, last, c.closeReason, want)
			}
		case c.closeReason != ProtocolViolation && c.closeReason != ParseError:
			s.t.Fatalf("%s closed without -ERR, reason %v", fc.name, c.closeReason)
		}
		if c.closing && (len(c.subs) > 0 || c.authTimer != nil || c.pingTimer != nil || c.stallTimer != nil) {
			s.t.Fatalf("%s closed with %d subs or a live timer", fc.name, len(c.subs))
		}
	}
}

// checkServer compares the server's counts with the connections still
// open and the index with the open clients' subscriptions.
func (s *fuzzSession) checkServer() {
	srv := s.w.srv
	open, subs, async := 0, 0, 0
	for _, fc := range s.clients {
		c := fc.p.c.handler.(*client)
		if !fc.p.c.ended {
			open++
		}
		if c.registered {
			subs += len(c.subs)
			if c.connectReceived && c.opts.Protocol >= clientProtoInfo {
				async++
			}
		}
	}
	if srv.NumClients() != open || srv.open != open {
		s.t.Fatalf("server reports %d clients (%d open), %d connections are open", srv.NumClients(), srv.open, open)
	}
	if srv.asyncInfoClients != async {
		s.t.Fatalf("asyncInfoClients = %d, %d registered clients declared protocol 1", srv.asyncInfoClients, async)
	}
	if got := srv.NumSubscriptions() - srv.InternalStats().Subscriptions; got != subs {
		s.t.Fatalf("index holds %d client subscriptions, open clients hold %d", got, subs)
	}
	for _, acc := range srv.accountsInOrder() {
		acc.index.ForEach(func(subj, queue string, sub *subscription) {
			if sub.shadowOf != nil {
				sub = sub.shadowOf
			}
			if sub.client.closing || sub.removed || sub.client.subs[sub.sid] != sub {
				s.t.Fatalf("index entry %q %q sid %q is stale", subj, queue, sub.sid)
			}
		})
	}
}

// checkFreshClient checks the server still serves a well-behaved client.
func (s *fuzzSession) checkFreshClient() {
	p := s.w.dial()
	p.send(`CONNECT {"verbose":false,"pedantic":false,"auth_token":"` + fuzzToken + `"}` + "\r\n" +
		"SUB fresh.check 1\r\nPUB fresh.check 2\r\nhi\r\nPING\r\n")
	p.expectAll("MSG fresh.check 1 2\r\nhi\r\nPONG\r\n")
	p.expectOpen()
}

// nats-server's -ERR texts (server/client.go, parser.go and errors.go of
// v2.15.2), with the reason of the close that follows each closing one.
var closingErrTexts = map[string]ClosedState{
	"Unknown Protocol Operation":             ProtocolViolation,
	"maximum control line exceeded":          MaxControlLineExceeded,
	"Maximum Payload Violation":              MaxPayloadExceeded,
	"Authorization Violation":                AuthenticationViolation,
	"Authentication Timeout":                 AuthenticationTimeout,
	"Stale Connection":                       StaleConnection,
	"maximum connections exceeded":           MaxConnectionsExceeded,
	"invalid client protocol":                BadClientProtocolVersion,
	"no responders requires headers support": NoRespondersRequiresHeaders,
}

// openErrTexts are the -ERR texts after which the connection stays open.
var openErrTexts = map[string]bool{
	"Invalid Subject":                true,
	"Invalid Publish Subject":        true,
	"maximum subscriptions exceeded": true,
}

// openErrPrefixes start the permission -ERR texts, which end with a
// quoted subject (and queue).
var openErrPrefixes = []string{
	"Permissions Violation for Publish to \"",
	"Permissions Violation for Publish with Reply of \"",
	"Permissions Violation for Subscription to \"",
}

// outputCheck parses one connection's server output with the client
// parser and checks every op.
type outputCheck struct {
	parser     *proto.ClientParser
	closingErr string // text of a closing -ERR; nothing may follow it
	scratch    []byte
}

func newOutputCheck() *outputCheck {
	return &outputCheck{parser: proto.NewClientParser(proto.Limits{MaxControlLine: fuzzOutputLineMax, MaxPayload: -1})}
}

// feed checks out, which holds whole ops (the server writes whole ops
// within one event). A CR not followed by LF can only come from a reply
// subject the client published (nats-server relays it verbatim, and a
// parser splitting on CR would miscount the MSG arguments), so it is
// replaced before parsing; CRLF line ends are untouched.
func (o *outputCheck) feed(out []byte) error {
	if !strings.HasSuffix(string(out), "\r\n") {
		return fmt.Errorf("output does not end with CRLF")
	}
	o.scratch = append(o.scratch[:0], out...)
	for i := 0; i+1 < len(o.scratch); i++ {
		if o.scratch[i] == '\r' && o.scratch[i+1] != '\n' {
			o.scratch[i] = '_'
		}
	}
	return o.parser.Feed(o.scratch, o)
}

func (o *outputCheck) afterClosingErr(op string) error {
	if o.closingErr != "" {
		return fmt.Errorf("%s after -ERR '%s'", op, o.closingErr)
	}
	return nil
}

func (o *outputCheck) Info(arg []byte) error {
	if !json.Valid(arg) {
		return fmt.Errorf("INFO is not JSON: %q", arg)
	}
	return o.afterClosingErr("INFO")
}

func (o *outputCheck) Msg(subject, sid, _ []byte, _ int, _ []byte) error {
	if len(subject) == 0 || len(sid) == 0 {
		return fmt.Errorf("MSG without subject or sid")
	}
	return o.afterClosingErr("MSG")
}

func (o *outputCheck) Ping() error { return o.afterClosingErr("PING") }
func (o *outputCheck) Pong() error { return o.afterClosingErr("PONG") }
func (o *outputCheck) OK() error   { return o.afterClosingErr("+OK") }

func (o *outputCheck) Err(text []byte) error {
	if err := o.afterClosingErr("-ERR"); err != nil {
		return err
	}
	t := string(text)
	if _, ok := closingErrTexts[t]; ok {
		o.closingErr = t
		return nil
	}
	if openErrTexts[t] {
		return nil
	}
	for _, p := range openErrPrefixes {
		if strings.HasPrefix(t, p) && strings.HasSuffix(t, "\"") {
			return nil
		}
	}
	return fmt.Errorf("-ERR '%s' is not a nats-server text", t)
}
