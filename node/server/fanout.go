package server

// A fan-out too big for one turn (turn.go): one message to more
// subscriptions than the budget allows is delivered in slices. The
// subscriptions not yet served, and copies of the message, wait on the
// publishing connection; its reading is paused and the event that
// serves the next slice is queued behind whatever is waiting, exactly
// like a backlog (backlog.go), and runs before the backlog, so the
// publisher's next message still reaches every subscription after this
// one.
//
// Only the plain subscriptions of a local match are sliced: queue groups
// and routes get the message in the first slice (the order of one
// message's destinations is of no consequence). The match result is
// read-only and the subscriptions in it are checked again when served
// (removed, closing), so holding it across events is safe.

// pendingFanout is the rest of one message's local fan-out.
type pendingFanout struct {
	subs   []*subscription // the subscriptions still to serve, in order
	subj   []byte
	reply  []byte
	hdrLen int
	msg    []byte
}

// deliverPlain delivers to each of subs in order. When the turn's budget
// runs out before the end, or src must wait for a destination that is
// behind, and src is a connection that can wait, the rest is kept for a
// later event and counted as delivered.
func (s *Server) deliverPlain(src *client, subs []*subscription, subj, reply []byte, hdrLen int, msg []byte) bool {
	delivered := false
	for i, sub := range subs {
		if s.deliver(src, sub, subj, reply, hdrLen, msg) {
			delivered = true
		}
		if i+1 < len(subs) && (s.turnSpent() || src.backpressured()) && src.canDefer() {
			src.deferFanout(subs[i+1:], subj, reply, hdrLen, msg)
			return true
		}
	}
	return delivered
}

// canDefer reports whether the rest of a fan-out published by c may wait
// on c: it must be a connection (internal publishers have none) with no
// other fan-out waiting.
func (c *client) canDefer() bool {
	return c != nil && c.conn != nil && !c.closing && c.fanout == nil
}

// deferFanout keeps the rest of a fan-out on c, pauses its reading and
// queues the event that serves it.
func (c *client) deferFanout(subs []*subscription, subj, reply []byte, hdrLen int, msg []byte) {
	f := &pendingFanout{subs: subs, hdrLen: hdrLen}
	f.subj = append([]byte(nil), subj...)
	f.reply = append([]byte(nil), reply...)
	f.msg = append([]byte(nil), msg...)
	c.fanout = f
	c.conn.PauseReading()
	c.scheduleResume()
}

// continueFanout serves the next slice of c's pending fan-out and reports
// whether it is finished.
func (c *client) continueFanout() bool {
	f := c.fanout
	c.fanout = nil
	s := c.srv
	for i, sub := range f.subs {
		s.deliver(c, sub, f.subj, f.reply, f.hdrLen, f.msg)
		if i+1 < len(f.subs) && (s.turnSpent() || c.backpressured() && !c.closing) {
			f.subs = f.subs[i+1:]
			c.fanout = f
			return false
		}
	}
	return true
}
