package server

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// buggifySwitch is an Env.Buggify for tests: the sites in on fire every
// time they are asked (or only the first limit times when limit > 0),
// and every question is counted.
type buggifySwitch struct {
	on    map[string]bool
	limit int
	fired int
	asked map[string]int
}

func fireAt(sites ...string) *buggifySwitch {
	b := &buggifySwitch{on: make(map[string]bool), asked: make(map[string]int)}
	for _, s := range sites {
		b.on[s] = true
	}
	return b
}

func (b *buggifySwitch) ask(site string) bool {
	b.asked[site]++
	if !b.on[site] || (b.limit > 0 && b.fired >= b.limit) {
		return false
	}
	b.fired++
	return true
}

// buggified starts a world whose server takes the given sites.
func buggified(t *testing.T, opts *Options, sites ...string) (*world, *buggifySwitch) {
	w := newWorld(t, opts)
	b := fireAt(sites...)
	w.srv.env.Buggify = b.ask
	return w, b
}

// countingSource counts the draws from a server's random stream, which
// shows whether a path that draws (the split reads) ran.
type countingSource struct {
	src   rand.Source
	draws int
}

func (c *countingSource) Uint64() uint64 { c.draws++; return c.src.Uint64() }

// countDraws replaces s's random stream with a counted one.
func countDraws(s *Server) *countingSource {
	cs := &countingSource{src: rand.NewPCG(5, 6)}
	s.env.Rand = rand.New(cs)
	return cs
}

// expectAsked fails unless the server consulted site.
func (b *buggifySwitch) expectAsked(t *testing.T, site string) {
	t.Helper()
	if b.asked[site] == 0 {
		t.Fatalf("site %s was never consulted (asked: %v)", site, b.asked)
	}
}

func TestBuggifySitesAreNamedAndSorted(t *testing.T) {
	sites := BuggifySites()
	if len(sites) < 8 {
		t.Fatalf("%d sites, want at least 8", len(sites))
	}
	if !slices.IsSorted(sites) || len(slices.Compact(slices.Clone(sites))) != len(sites) {
		t.Fatalf("sites not sorted or not unique: %v", sites)
	}
	for _, f := range BuggifyFaultSites() {
		if !slices.Contains(sites, f) {
			t.Errorf("fault site %q is not among BuggifySites", f)
		}
	}
	for _, s := range sites {
		if parts := strings.Split(s, "."); len(parts) != 3 || parts[0] != "server" || parts[1] == "" || parts[2] == "" {
			t.Errorf("site %q is not named server.<area>.<what>", s)
		}
	}
}

func TestFeedPiecesCoversTheBufferInSmallPieces(t *testing.T) {
	env := &Env{Rand: rand.New(rand.NewPCG(3, 4))}
	b := []byte(strings.Repeat("0123456789", 30))
	var got []byte
	pieces := 0
	n, err := feedPieces(b, env, func(p []byte) (int, error) {
		if len(p) < 1 || len(p) > splitReadMaxPiece {
			t.Fatalf("piece of %d bytes", len(p))
		}
		pieces++
		got = append(got, p...)
		return len(p), nil
	}, func() bool { return false })
	if err != nil || n != len(b) || string(got) != string(b) {
		t.Fatalf("fed %q (err %v), want the whole buffer", got, err)
	}
	if pieces < len(b)/splitReadMaxPiece {
		t.Fatalf("%d pieces for %d bytes", pieces, len(b))
	}

	// An error or a close stops the feed, as one Feed would stop.
	boom := errors.New("boom")
	calls := 0
	_, err = feedPieces(b, env, func([]byte) (int, error) { calls++; return 0, boom }, func() bool { return false })
	if err != boom || calls != 1 {
		t.Fatalf("after an error: err %v, %d calls; want boom after 1", err, calls)
	}
	calls = 0
	_, err = feedPieces(b, env, func(p []byte) (int, error) { calls++; return len(p), nil }, func() bool { return calls == 2 })
	if err != nil || calls != 2 {
		t.Fatalf("after closing: err %v, %d calls; want nil after 2", err, calls)
	}

	// A yield (a piece the parser did not finish) stops the feed and
	// reports what was consumed up to it.
	calls, fed := 0, 0
	n, err = feedPieces(b, env, func(p []byte) (int, error) {
		calls++
		if calls == 3 {
			fed++
			return 1, nil
		}
		fed += len(p)
		return len(p), nil
	}, func() bool { return false })
	if err != nil || calls != 3 || n != fed {
		t.Fatalf("after a yield: consumed %d (err %v) in %d calls; want %d in 3", n, err, calls, fed)
	}

	// A yield that falls exactly at the end of a piece stops it as well.
	calls, fed = 0, 0
	yielded := false
	n, err = feedPieces(b, env, func(p []byte) (int, error) {
		calls++
		fed += len(p)
		yielded = calls == 2
		return len(p), nil
	}, func() bool { return yielded })
	if err != nil || calls != 2 || n != fed {
		t.Fatalf("after a yield at a piece's end: consumed %d (err %v) in %d calls; want %d in 2", n, err, calls, fed)
	}
}

func TestBuggifyClientSplitReadKeepsTheProtocol(t *testing.T) {
	w, b := buggified(t, nil, siteClientSplitRead)
	sub := w.connect("")
	pub := w.connect("")
	sub.send("SUB foo.* 1\r\nSUB foo.bar q 2\r\nPING\r\n")
	sub.expectAll("PONG\r\n")
	payload := strings.Repeat("x", 100)
	in := "PUB foo.bar r.1 100\r\n" + payload + "\r\nHPUB foo.baz 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\n"
	draws := countDraws(w.srv)
	pub.send(in)
	if draws.draws < len(in)/splitReadMaxPiece {
		t.Fatalf("%d pieces drawn for %d bytes: the read was not split", draws.draws, len(in))
	}
	pub.expectAll("PONG\r\n")
	sub.expectAll("MSG foo.bar 1 r.1 100\r\n" + payload + "\r\n" +
		"MSG foo.bar 2 r.1 100\r\n" + payload + "\r\n" +
		"HMSG foo.baz 1 12 14\r\nNATS/1.0\r\n\r\nhi\r\n")
	b.expectAsked(t, siteClientSplitRead)

	// A protocol error cut into pieces is still the same error.
	pub.send("FOO bar\r\n")
	pub.expectAll("-ERR 'Unknown Protocol Operation'\r\n")
	pub.expectClosed()
}

func TestBuggifySplitWriteSendsTheSameBytesInThreeWrites(t *testing.T) {
	w, b := buggified(t, nil, siteWriteSplitMsg)
	sub := w.connect("")
	pub := w.connect("")
	sub.send("SUB foo 1\r\nPING\r\n")
	sub.expectAll("PONG\r\n")
	before := sub.c.writes
	pub.send("PUB foo 5\r\nhello\r\n")
	sub.expectAll("MSG foo 1 5\r\nhello\r\n")
	if got := sub.c.writes - before; got != 3 {
		t.Fatalf("MSG went out in %d writes, want 3 (line, payload, CRLF)", got)
	}
	b.expectAsked(t, siteWriteSplitMsg)
}

func TestBuggifyExtraPingComesAfterTheHandshakePong(t *testing.T) {
	w, b := buggified(t, nil, sitePingExtra)
	p := w.dial()
	p.sendConnect("")
	p.send("PING\r\n")
	p.expect("PONG\r\n")
	info := p.readLine()
	if !strings.HasPrefix(info, "INFO {") || !strings.Contains(info, `"connect_info":true`) {
		t.Fatalf("after the PONG: %q, want the connect INFO", info)
	}
	p.expectAll("PING\r\n")
	b.expectAsked(t, sitePingExtra)
	// The PONG answers it; only the first PONG of the connection is
	// followed by an extra PING.
	w.advance(5 * time.Millisecond)
	p.send("PONG\r\nPING\r\n")
	p.expectAll("PONG\r\n")
	if c := w.srv.clients[1]; c.pingsOut != 0 || c.rtt != 5*time.Millisecond {
		t.Fatalf("after the client's PONG: pingsOut %d, rtt %v; want 0 and 5ms", c.pingsOut, c.rtt)
	}
}

// pingGaps advances the clock in steps for total, answering every PING
// with PONG, and returns the gaps between the PINGs that followed the
// first one (sendPing stamps rttStart with the exact firing time).
func pingGaps(w *world, p *peer, c *client, total time.Duration) []time.Duration {
	var times []time.Time
	for elapsed := time.Duration(0); elapsed < total; elapsed += 100 * time.Millisecond {
		w.advance(100 * time.Millisecond)
		if out := p.output(); strings.Contains(out, "PING\r\n") {
			times = append(times, c.rttStart)
			p.send("PONG\r\n")
		}
	}
	var gaps []time.Duration
	for i := 1; i < len(times); i++ {
		gaps = append(gaps, times[i].Sub(times[i-1]))
	}
	return gaps
}

// expectLate checks every gap is the interval or up to a tenth later, and
// that some are later (the site moved the timer).
func expectLate(t *testing.T, gaps []time.Duration, interval time.Duration, n int) {
	t.Helper()
	if len(gaps) < n {
		t.Fatalf("%d PING gaps, want %d: %v", len(gaps), n, gaps)
	}
	late := 0
	for _, g := range gaps {
		if g < interval || g > interval+interval/lateTimerDivisor {
			t.Fatalf("PING gap %v outside [%v, %v]: %v", g, interval, interval+interval/lateTimerDivisor, gaps)
		}
		if g > interval {
			late++
		}
	}
	if late == 0 {
		t.Fatalf("no PING was late: %v", gaps)
	}
}

func TestBuggifyClientPingLateByAtMostATenth(t *testing.T) {
	const interval = 10 * time.Second
	w, b := buggified(t, &Options{PingInterval: interval}, sitePingLate)
	p := w.connect("")
	gaps := pingGaps(w, p, w.srv.clients[1], 8*interval)
	expectLate(t, gaps, interval, 5)
	b.expectAsked(t, sitePingLate)
	p.expectOpen()
}

func TestBuggifyStallPausesOneCheckThenSpacesPauses(t *testing.T) {
	w, b := buggified(t, nil, siteStallEarly)
	sub := w.connect("")
	pub := w.connect("")
	sub.send("SUB foo 1\r\nPING\r\n")
	sub.expectAll("PONG\r\n")
	pub.send("PUB foo 1\r\na\r\n")
	sub.expectAll("MSG foo 1 1\r\na\r\n")
	if !pub.c.paused {
		t.Fatal("publisher not paused by the early pause")
	}
	pub.send("PUB foo 1\r\nb\r\nPING\r\n")
	sub.expectNothing() // held while paused
	w.advance(stallCheck)
	if pub.c.paused {
		t.Fatal("publisher still paused after one stall check")
	}
	sub.expectAll("MSG foo 1 1\r\nb\r\n")
	pub.expectAll("PONG\r\n")
	// Within the spacing no new early pause starts; after it one may.
	pub.send("PUB foo 1\r\nc\r\n")
	sub.expectAll("MSG foo 1 1\r\nc\r\n")
	if pub.c.paused {
		t.Fatal("a second early pause within the spacing")
	}
	w.advance(earlyPauseSpacing * stallCheck)
	pub.send("PUB foo 1\r\nd\r\n")
	sub.expectAll("MSG foo 1 1\r\nd\r\n")
	if !pub.c.paused {
		t.Fatal("no early pause after the spacing")
	}
	b.expectAsked(t, siteStallEarly)
}

func TestBuggifyStallEarlyPauseLeavesARealPauseAlone(t *testing.T) {
	w, _ := buggified(t, nil, siteStallEarly)
	sub := w.connect("")
	pub := w.connect("")
	sub.send("SUB foo 1\r\nPING\r\n")
	sub.expectAll("PONG\r\n")
	pub.send("PUB foo 1\r\na\r\n")
	c := w.srv.clients[2]
	if c.earlyPause == nil {
		t.Fatal("no early pause")
	}
	c.waitingOn++ // a real destination pause began meanwhile
	w.advance(stallCheck)
	if !pub.c.paused {
		t.Fatal("the early pause's end resumed a producer that a real pause holds")
	}
	c.waitingOn--
}

func TestBuggifyCacheEvictKeepsDeliveriesExact(t *testing.T) {
	// No system account: its CONNECT advisories are publishes too.
	w, b := buggified(t, &Options{NoSystemAccount: true}, siteCacheEvict)
	sub := w.connect("")
	pub := w.connect("")
	sub.send("SUB foo.* 1\r\nPING\r\n")
	sub.expectAll("PONG\r\n")
	idx := w.srv.GlobalAccount().index
	cached := idx.MatchBytes([]byte("foo.a"))
	pub.send("PUB foo.a 1\r\n1\r\nPUB foo.a 1\r\n2\r\n")
	sub.expectAll("MSG foo.a 1 1\r\n1\r\nMSG foo.a 1 1\r\n2\r\n")
	if idx.MatchBytes([]byte("foo.a")) == cached {
		t.Fatal("the cached match result survived the publishes: never evicted")
	}
	sub.send("SUB foo.a 2\r\nUNSUB 1\r\nPING\r\n")
	sub.expectAll("PONG\r\n")
	pub.send("PUB foo.a 1\r\n3\r\n")
	sub.expectAll("MSG foo.a 2 1\r\n3\r\n")
	if got := b.asked[siteCacheEvict]; got != 3 {
		t.Fatalf("site asked %d times, want once per publish (3)", got)
	}
}

// meshBuggify starts host with the given sites switched on (limit > 0:
// only the first limit times), before any route reaches it.
func meshBuggify(m *mesh, host string, opts *Options, limit int, sites ...string) *buggifySwitch {
	s := m.start(host, opts)
	b := fireAt(sites...)
	b.limit = limit
	s.env.Buggify = b.ask
	return b
}

func TestBuggifyRouteCloseAfterInfoRedialsAndReforms(t *testing.T) {
	for _, site := range []string{siteRouteCloseAfterInfo, siteRouteCloseAfterConnect} {
		t.Run(site, func(t *testing.T) {
			m := newMesh(t)
			b := meshBuggify(m, "n2", clusterOpts("n2"), 1, site)
			m.start("n1", clusterOpts("n1", "n2"))
			m.expectRoutes(0, "n1", "n2")
			m.expectLog("n2", "Route connection closed: Read Error")
			m.advance(routeReconnectDelay + routeReconnectJitter)
			m.expectRoutes(1, "n1", "n2")
			if b.fired != 1 {
				t.Fatalf("site fired %d times, want 1", b.fired)
			}
			sub := m.client("n2")
			sub.send("SUB foo 1\r\nPING\r\n")
			sub.take()
			m.client("n1").send("PUB foo 2\r\nhi\r\n")
			if got := sub.msgs(); len(got) != 1 || got[0] != "foo 1  hi" {
				t.Fatalf("over the re-formed route: %q", got)
			}
		})
	}
}

func TestBuggifyRouteAlwaysClosedNeverRegistersButKeepsDialling(t *testing.T) {
	m := newMesh(t)
	meshBuggify(m, "n2", clusterOpts("n2"), 0, siteRouteCloseAfterConnect)
	m.start("n1", clusterOpts("n1", "n2"))
	m.advance(5 * (routeReconnectDelay + routeReconnectJitter))
	m.expectRoutes(0, "n2")
	dials := 0
	for _, l := range m.logs["n1"].lines {
		if strings.Contains(l, "Route connection created") {
			dials++
		}
	}
	if dials < 4 {
		t.Fatalf("n1 dialled %d times in 5 reconnect delays, want it to keep retrying", dials)
	}
}

func TestBuggifyRouteSplitReadKeepsRoutedMessagesExact(t *testing.T) {
	m := newMesh(t)
	b := meshBuggify(m, "n2", clusterOpts("n2"), 0, siteRouteSplitRead)
	m.start("n1", clusterOpts("n1", "n2"))
	m.expectRoutes(1, "n1", "n2")
	sub := m.client("n2")
	sub.send("SUB foo.> 1\r\nSUB foo.> q 2\r\nPING\r\n")
	sub.take()
	pub := m.client("n1")
	draws := countDraws(m.servers["n2"])
	pub.pub("foo.x", 20)
	if draws.draws < 20*len("RMSG $G foo.x + q 1\r\n1\r\n")/splitReadMaxPiece {
		t.Fatalf("%d pieces drawn for 20 routed messages: the reads were not split", draws.draws)
	}
	got := sub.msgs()
	var want []string
	for i := 1; i <= 20; i++ {
		n := strconv.Itoa(i)
		want = append(want, "foo.x 1  "+n, "foo.x 2  "+n)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("routed deliveries:\n got %q\nwant %q", got, want)
	}
	b.expectAsked(t, siteRouteSplitRead)
}

func TestBuggifyRoutePingLateByAtMostATenth(t *testing.T) {
	const interval = 10 * time.Second
	m := newMesh(t)
	o := clusterOpts("n2")
	o.Cluster.PingInterval = interval
	b := meshBuggify(m, "n2", o, 0, siteRoutePingLate)
	o1 := clusterOpts("n1", "n2")
	o1.Cluster.PingInterval = interval
	m.start("n1", o1)
	m.expectRoutes(1, "n1", "n2")
	r := routeTo(m.servers["n2"], "n1")
	var times []time.Time
	for elapsed := time.Duration(0); elapsed < 8*interval; elapsed += 100 * time.Millisecond {
		m.advance(100 * time.Millisecond)
		if n := len(times); n == 0 || !r.rttStart.Equal(times[n-1]) {
			if !r.rttStart.IsZero() {
				times = append(times, r.rttStart)
			}
		}
	}
	var gaps []time.Duration
	for i := 1; i < len(times); i++ {
		gaps = append(gaps, times[i].Sub(times[i-1]))
	}
	expectLate(t, gaps, interval, 5)
	b.expectAsked(t, siteRoutePingLate)
	m.expectRoutes(1, "n1", "n2")
}
