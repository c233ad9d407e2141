package server

import (
	"slices"
	"time"
)

// BUGGIFY sites (see Env.Buggify). Each is a rare path that a correct
// server may take and that correct clients and peers must tolerate, so
// every simulated scenario must still pass with any of them switched on.
// In production Env.Buggify is nil and every site costs one nil check:
// each call site tests it (through Env.buggify, which inlines) before any
// other work.
const (
	// A read buffer reaches the parser in small random pieces instead of
	// one Feed: a TCP stream may be cut anywhere, and the parsers must
	// carry partial operations over. (The simulator also cuts reads, but
	// at most once per delivery.)
	siteClientSplitRead = "server.client.split-read"
	siteRouteSplitRead  = "server.route.split-read"
	// A small message goes out as three writes (control line, payload,
	// CRLF) instead of one: the bytes on the wire are the same.
	siteWriteSplitMsg = "server.write.split-msg"
	// The keep-alive timer of a client or a route fires late by up to a
	// tenth of the ping interval (never early: a dead peer would then be
	// found sooner than the configured ping_interval*ping_max allows). A
	// late PING only finds a dead peer up to 10% later; nothing requires
	// PINGs at a minimum rate, and nats-server skips client PINGs on
	// recent traffic anyway.
	sitePingLate      = "server.ping.late"
	siteRoutePingLate = "server.route.ping-late"
	// An extra PING right after the PONG that completes a client's
	// handshake (not before it: nats.go expects that PONG as the first
	// reply to its CONNECT). The server may PING at any time.
	sitePingExtra = "server.ping.extra"
	// A route connection is closed right after this server sent its INFO
	// on accepting it, or right after it received the dialler's CONNECT,
	// as if the connection had broken there. Routes tolerate resets: the
	// dialler redials and the mesh re-forms.
	siteRouteCloseAfterInfo    = "server.route.close-after-info"
	siteRouteCloseAfterConnect = "server.route.close-after-connect"
	// The subject's cached match result is dropped before the lookup, as
	// the cache's own eviction may do at any time, so the trie walk runs
	// on hot subjects too.
	siteCacheEvict = "server.subject.cache-evict"
	// A producer is paused for one stall check although its destination
	// is below the high-water mark, as if the destination had been
	// behind; backpressure only delays.
	siteStallEarly = "server.stall.pause-early"
	// An event's work budget (turn.go) is a handful of deliveries instead
	// of thousands, so connections yield, keep backlogs and slice their
	// fan-outs all the time, not only under huge fan-outs.
	siteTurnTiny = "server.turn.tiny-budget"
)

// BuggifySites lists every BUGGIFY site of the server, sorted, for
// coverage reports (a site that never fired is as telling as one that
// did).
func BuggifySites() []string {
	sites := []string{
		siteClientSplitRead, siteRouteSplitRead, siteWriteSplitMsg,
		sitePingLate, siteRoutePingLate, sitePingExtra,
		siteRouteCloseAfterInfo, siteRouteCloseAfterConnect,
		siteCacheEvict, siteStallEarly, siteTurnTiny,
	}
	slices.Sort(sites)
	return sites
}

// BuggifyFaultSites lists the sites whose rare path is a fault the
// cluster must tolerate (a connection that breaks) rather than an unusual
// way of doing the same thing. A simulator should stop them once it stops
// injecting faults: a scenario's liveness phase promises that every fault
// has healed, and a route broken then costs the mesh a redial delay.
func BuggifyFaultSites() []string {
	return []string{siteRouteCloseAfterConnect, siteRouteCloseAfterInfo}
}

const (
	// splitReadMaxPiece bounds the pieces of a split read: small enough
	// to cut most control lines and payloads several times.
	splitReadMaxPiece = 16
	// lateTimerDivisor: a late keep-alive fires at most interval/10 late.
	lateTimerDivisor = 10
	// earlyPauseSpacing stall checks must pass between the end of one
	// early pause of a producer and the start of the next, so that early
	// pauses never add up: a message waits at most one stall check for
	// them. (Clients' request timeouts and the simulator's delivery
	// windows allow that much, not a stall's worth.)
	earlyPauseSpacing = 10
)

// feedPieces is Data's parser feed under siteClientSplitRead and
// siteRouteSplitRead.
func (c *client) feedPieces(b []byte) (int, error) {
	return feedPieces(b, &c.srv.env, c.feedSome, func() bool { return c.closing || c.yielded })
}

// feedPieces feeds b in random pieces of 1 to splitReadMaxPiece bytes,
// stopping as one feed of b would: at an error, a piece not consumed
// whole, or once stop says so (the connection is closing, or its parser
// yielded: a yield at the very end of a piece must stop the feed too, or
// the next piece would be parsed ahead of a waiting fan-out). It returns
// the bytes consumed.
func feedPieces(b []byte, e *Env, feed func([]byte) (int, error), stop func() bool) (int, error) {
	done := 0
	for done < len(b) {
		piece := b[done : done+min(len(b)-done, 1+e.Rand.IntN(splitReadMaxPiece))]
		n, err := feed(piece)
		done += n
		if err != nil || stop() || n < len(piece) {
			return done, err
		}
	}
	return done, nil
}

// lateBy draws how much later than d a keep-alive timer fires when its
// site fires: up to d/lateTimerDivisor.
func (s *Server) lateBy(d time.Duration) time.Duration {
	return time.Duration(s.env.Rand.Int64N(int64(d/lateTimerDivisor) + 1))
}

// pauseEarly pauses producer c for one stall check (siteStallEarly),
// unless it has no connection, is closing, is already paused for a real
// destination or by an early pause, or had one too recently.
func (c *client) pauseEarly() {
	if c.conn == nil || c.closing || c.waitingOn > 0 || c.earlyPause != nil {
		return
	}
	now := c.srv.env.monoNow()
	if now.Before(c.earlyPauseNext) {
		return
	}
	c.conn.PauseReading()
	c.earlyPause = c.srv.env.Clock.AfterFunc(stallCheck, c.endEarlyPause)
}

// endEarlyPause resumes reading unless a real pause began meanwhile (its
// own release resumes then). A real release during the early pause may
// have resumed reading already; that only ends the early pause sooner.
func (c *client) endEarlyPause() {
	c.earlyPause = nil
	c.earlyPauseNext = c.srv.env.monoNow().Add(earlyPauseSpacing * stallCheck)
	c.resumeInput()
}
