package server

import "time"

// Yielding connections (turn.go): a client or route whose event used its
// budget keeps the unparsed rest of its read buffer here and is fed again
// by an event of its own, queued behind whatever is waiting.

// input is a client's or route's Data: it parses b with a fresh budget
// and keeps what is left unparsed when the budget runs out as the
// backlog. split is the BUGGIFY site that feeds b in small pieces.
func (c *client) input(b []byte, split string) {
	if c.closing {
		return
	}
	if c.hasBacklog() {
		// Reading is paused while a backlog waits, but data the
		// network had already queued may still come: it goes after.
		c.backlog = append(c.backlog, b...)
		return
	}
	c.srv.beginTurn()
	c.stalledInRead = 0
	var n int
	var err error
	if c.srv.env.buggify(split) {
		n, err = c.feedPieces(b)
	} else {
		n, err = c.feedSome(b)
	}
	c.noteActivity()
	if err != nil {
		c.inputError(err)
		return
	}
	if !c.closing && (n < len(b) || c.stallPending()) {
		c.holdBacklog(b[n:])
	}
}

// lastActivity is lastIn as a wall time, given the wall time now: now
// less the monotonic time since (the connection's start if it never had
// any activity).
func (c *client) lastActivity(now time.Time) time.Time {
	if c.lastIn.IsZero() {
		return c.start
	}
	return now.Add(-c.srv.env.monoNow().Sub(c.lastIn))
}

// noteActivity records that the ops just parsed showed the peer alive.
func (c *client) noteActivity() {
	if c.activity {
		c.activity = false
		c.lastIn = c.srv.env.monoNow()
	}
}

// inputError answers a parse or handler error unless the connection is
// already going away.
func (c *client) inputError(err error) {
	if err == errConnClosed || c.closing {
		return
	}
	if c.route != nil {
		c.routeProtocolError(err)
	} else {
		c.protocolError(err)
	}
}

// feedSome runs the connection's parser over b until it yields; yielded
// then says whether it did (it may have at the very end of b).
func (c *client) feedSome(b []byte) (int, error) {
	c.yielded = false
	if c.route != nil {
		return c.route.parser.FeedSome(b, (*routeConn)(c))
	}
	return c.parser.FeedSome(b, c)
}

// yieldIfSpent asks the connection's parser to stop after the current op
// once the event's budget is used, or once the connection is paused
// because a destination of its messages is behind: the rest of its input
// then waits for the destination as unread bytes would.
func (c *client) yieldIfSpent() {
	if !c.srv.turnSpent() && !c.backpressured() && !c.stallPending() {
		return
	}
	c.yield()
}

// yield asks the connection's parser to stop after the current op and
// records that it did (feedPieces must not feed it more).
func (c *client) yield() {
	c.yielded = true
	if c.route != nil {
		c.route.parser.Yield()
	} else if c.parser != nil {
		c.parser.Yield()
	}
}

// holdBacklog keeps rest (which the caller's buffer owns) for a later
// event and pauses reading until it is parsed. Reading is paused first:
// nothing may be parsed ahead of the backlog.
func (c *client) holdBacklog(rest []byte) {
	c.backlog = append(c.backlog[:0], rest...)
	c.conn.PauseReading()
	c.scheduleResume()
}

// scheduleResume queues the event that goes on with a pending fan-out and
// the backlog, unless it is queued already: at once, or after the stall
// the last op asked for (stall.go).
func (c *client) scheduleResume() {
	if c.backlogTimer != nil {
		return
	}
	var d time.Duration
	if c.stallPending() {
		d = c.takeStall()
	}
	c.backlogTimer = c.srv.env.Clock.AfterFunc(d, c.resumeBacklog)
}

// resumeBacklog is the event that goes on, with a fresh budget, first
// with a pending fan-out, then with parsing the backlog. A fan-out is
// finished even once the publisher has closed: its message was accepted.
func (c *client) resumeBacklog() {
	c.backlogTimer = nil
	if (c.backpressured() || c.authPending) && !c.closing {
		return // resumeInput schedules it again
	}
	c.srv.beginTurn()
	if c.fanout != nil && !c.continueFanout() {
		c.scheduleResume()
		return
	}
	if c.closing {
		return
	}
	b := c.backlog
	n, err := c.feedSome(b)
	c.noteActivity()
	switch {
	case err != nil:
		c.dropBacklog()
		c.inputError(err)
	case c.closing:
		c.dropBacklog()
	case n < len(b) || c.stallPending():
		// Keep the same storage: move the rest to its front.
		c.backlog = c.backlog[:copy(c.backlog, b[n:])]
		c.scheduleResume()
	default:
		c.dropBacklog()
		c.resumeIfFree()
	}
}

// dropBacklog forgets unparsed input, releasing its storage unless it is
// small enough to keep for the next yield. Its event is cancelled unless a
// fan-out still needs it.
func (c *client) dropBacklog() {
	if cap(c.backlog) > backlogKeepMax {
		c.backlog = nil
	} else {
		c.backlog = c.backlog[:0]
	}
	if c.backlogTimer != nil && c.fanout == nil {
		c.backlogTimer.Stop()
		c.backlogTimer = nil
	}
}

// backlogKeepMax is the largest backlog buffer kept after use.
const backlogKeepMax = 8 << 10

// hasBacklog reports whether a fan-out or unparsed input is waiting.
func (c *client) hasBacklog() bool {
	return c.backlogTimer != nil || c.fanout != nil || len(c.backlog) > 0
}

// backpressured reports whether this producer waits for a destination
// that is behind (deliver.go).
func (c *client) backpressured() bool { return c.waitingOn > 0 && !c.stallExpired }

// readingHeld reports whether anything still needs this connection's
// reading paused: a backlog, a destination it waits for, an early pause.
func (c *client) readingHeld() bool {
	return c.hasBacklog() || c.backpressured() || c.earlyPause != nil || c.authPending
}

// resumeInput goes on with this connection's input once a pause ends:
// with its backlog if it has one, else by reading again.
func (c *client) resumeInput() {
	if c.closing {
		return
	}
	if c.hasBacklog() {
		if !c.backpressured() && !c.authPending {
			c.scheduleResume()
		}
		return
	}
	c.resumeIfFree()
}

// resumeIfFree resumes reading once nothing holds it.
func (c *client) resumeIfFree() {
	if !c.closing && !c.readingHeld() {
		c.conn.ResumeReading()
	}
}
