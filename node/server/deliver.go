package server

import (
	"jsnode/net"
	"jsnode/node/mutant"
	"jsnode/node/proto"
	"jsnode/node/subject"
)

// crlf ends every message payload.
var crlf = []byte("\r\n")

// processPub routes one published message (PUB when hdrLen is 0, else
// HPUB whose first hdrLen bytes of msg are the header block).
//
// This is the hot path: one index lookup, then per destination one control
// line built into the server's scratch buffer and one copy of the message
// into the destination's output. Nothing here allocates unless permissions,
// pedantic mode or tracing are on.
func (c *client) processPub(subj, reply []byte, hdrLen int, msg []byte) error {
	if !c.checkFirstOp() {
		return errConnClosed
	}
	s := c.srv
	c.activity = true
	c.stats.InMsgs++
	c.stats.InBytes += int64(len(msg))
	s.stats.InMsgs++
	s.stats.InBytes += int64(len(msg))
	c.acc.stats.InMsgs++
	c.acc.stats.InBytes += int64(len(msg))

	if c.opts.Pedantic && !subject.ValidPublish(string(subj)) {
		c.sendErr(errTextInvalidPubSubject)
	}
	acc := c.acc
	subj, keep := acc.mapSubject(subj)
	if !keep {
		return nil
	}
	if !c.publishAllowed(subj, reply) {
		return nil
	}
	if c.opts.Verbose {
		c.sendOK()
	}
	delivered := acc.route(c, subj, reply, hdrLen, msg)
	if im := acc.serviceImports.find(subj); im != nil {
		if s.processServiceImport(c, im, subj, reply, hdrLen, msg) {
			delivered = true
		}
	}
	if !delivered && len(reply) > 0 && c.opts.NoResponders {
		c.sendNoResponders(subj, reply)
	}
	s.runInternal()
	c.yieldIfSpent()
	return nil
}

// publishAllowed applies the reserved-prefix rules and the client's publish
// permissions, answering a violation (without closing) when refused.
func (c *client) publishAllowed(subj, reply []byte) bool {
	if hasPrefix(subj, gwReplyPrefix) || hasPrefix(subj, oldGWReplyPrefix) || hasPrefix(subj, nrgPrefix) {
		c.pubPermissionViolation(string(subj))
		return false
	}
	if c.perms != nil && !c.perms.CanPublish(string(subj), c.srv.env.monoNow()) {
		c.pubPermissionViolation(string(subj))
		return false
	}
	if len(reply) > 0 && isReservedReply(reply) {
		c.errorf("Publish Violation - Reply %q", reply)
		c.sendErr(replyViolationText(string(reply)))
		return false
	}
	return true
}

// pubPermissionViolation answers a denied PUB without closing.
func (c *client) pubPermissionViolation(subj string) {
	c.errorf("Publish Violation - Subject %q", subj)
	c.sendErr(pubViolationText(subj))
}

// isReservedReply reports reply subjects only the server may create.
func isReservedReply(reply []byte) bool {
	return hasPrefix(reply, serviceReplyPref) || hasPrefix(reply, jsAckPrefix) ||
		hasPrefix(reply, gwReplyPrefix) || hasPrefix(reply, oldGWReplyPrefix)
}

func hasPrefix(b []byte, prefix string) bool {
	return len(b) > len(prefix) && string(b[:len(prefix)]) == prefix
}

// route delivers a message published in account a to every matching plain
// subscription and to one member of every matching queue group. It
// reports whether anyone took it.
func (a *Account) route(src *client, subj, reply []byte, hdrLen int, msg []byte) bool {
	s := a.srv
	if s.cluster != nil {
		return a.routeClustered(src, subj, reply, hdrLen, msg)
	}
	if s.env.buggify(siteCacheEvict) {
		a.index.EvictBytes(subj)
	}
	r := a.index.MatchBytes(subj)
	delivered := s.deliverPlain(src, r.Plain, subj, reply, hdrLen, msg)
	for i := range r.Queues {
		members := r.Queues[i].Members
		n := len(members)
		start := 0
		if n > 1 {
			start = s.env.Rand.IntN(n)
		}
		// Walk from a random member so a member that cannot take the
		// message (echo off, closing, auto-unsubscribed) passes it on.
		for j := 0; j < n; j++ {
			if s.deliver(src, members[(start+j)%n], subj, reply, hdrLen, msg) {
				if mutant.Every(mutant.QueueDoubleDelivery, 20) {
					s.deliverAgain(src, members, start+j, subj, reply, hdrLen, msg)
				}
				delivered = true
				break
			}
		}
	}
	return delivered
}

// deliver sends one message to one subscription. It reports whether the
// message was queued for the subscriber.
func (s *Server) deliver(src *client, sub *subscription, subj, reply []byte, hdrLen int, msg []byte) bool {
	if sub.im != nil {
		var ok bool
		if sub, subj, ok = resolveShadow(sub, subj); !ok {
			return false
		}
	}
	if sub.handler != nil {
		return s.queueInternal(src, sub, subj, reply, hdrLen, msg)
	}
	dst := sub.client
	if sub.removed || dst.closing || (dst == src && !src.opts.Echo) || internalOnly(subj) {
		return false
	}
	if dst.perms != nil && dst.perms.DeliverDenied(string(subj)) {
		return false
	}
	if s.dropForNoStall(src, dst) {
		return false
	}
	sub.delivered++
	if sub.max > 0 && sub.delivered > sub.max {
		dst.removeSub(sub)
		return false
	}
	if hdrLen > 0 && !dst.headers {
		msg, hdrLen = msg[hdrLen:], 0
	}
	if mutant.On(mutant.ReplyWrongRequester) {
		reply = s.staleReply(reply)
	}
	line := s.appendMsgLine(sub, subj, reply, hdrLen, len(msg))
	s.spend(len(line) + len(msg))
	if !dst.reserveOutput(len(line) + len(msg) + len(crlf)) {
		return false
	}
	s.writeMsg(dst, line, msg)
	dst.stats.OutMsgs++
	dst.stats.OutBytes += int64(len(msg))
	dst.acc.stats.OutMsgs++
	dst.acc.stats.OutBytes += int64(len(msg))
	s.stats.OutMsgs++
	s.stats.OutBytes += int64(len(msg))
	if dst.perms != nil && len(reply) > 0 {
		dst.perms.NoteReply(string(reply), s.env.monoNow())
	}
	if s.opts.Trace {
		dst.tracef("->> [%s]", line[:len(line)-len(crlf)])
		dst.tracePayload(traceOut, hdrLen, msg)
	}
	if sub.max > 0 && sub.delivered == sub.max {
		dst.debugf("Auto-unsubscribe limit of %d reached for sid '%s'", sub.max, sub.sid)
		dst.removeSub(sub)
	}
	if dst.conn.Buffered() > net.HighWaterBytes {
		if !s.opts.NoFastProducerStall {
			src.waitFor(dst)
		}
		src.noteStall(dst)
	} else if s.env.buggify(siteStallEarly) {
		src.pauseEarly()
	}
	return true
}

// appendMsgLine builds the MSG or HMSG control line into the scratch buffer.
func (s *Server) appendMsgLine(sub *subscription, subj, reply []byte, hdrLen, size int) []byte {
	if hdrLen > 0 {
		s.scratch = proto.AppendHMsgLine(s.scratch[:0], subj, sub.sidBytes, reply, hdrLen, size)
	} else {
		s.scratch = proto.AppendMsgLine(s.scratch[:0], subj, sub.sidBytes, reply, size)
	}
	return s.scratch
}

// writeMsg queues line, msg and the closing CRLF: a small message is
// copied next to its line so the connection sees one Write.
func (s *Server) writeMsg(dst *client, line, msg []byte) {
	if len(msg) <= inlinePayloadMax && !s.env.buggify(siteWriteSplitMsg) {
		s.scratch = append(append(line, msg...), crlf...)
		dst.conn.Write(s.scratch)
		return
	}
	dst.conn.Write(line)
	dst.conn.Write(msg)
	dst.conn.Write(crlf)
}

// reserveOutput applies the max_pending rule before n more bytes are
// queued: a client that has fallen that far behind is a slow consumer and
// is closed. It reports whether the bytes may be queued. Routes are exempt,
// as in nats-server: cutting one would drop every message queued on it, so
// a stuck route is left to the write deadline and its producers to the
// stall rules.
func (c *client) reserveOutput(n int) bool {
	if c.route != nil {
		return true
	}
	limit := c.srv.opts.MaxPending
	if int64(c.conn.Buffered()+n) <= limit {
		return true
	}
	c.srv.slowConsumers++
	c.acc.slow++
	c.noticef("Slow Consumer Detected: MaxPending of %d Exceeded", limit)
	c.closeConnection(SlowConsumerPendingBytes)
	return false
}

// sendNoResponders answers a request nobody received with a 503 status
// message on the requester's own subscription to the reply subject, as
// nats-server does for clients that asked for no_responders.
func (c *client) sendNoResponders(subj, reply []byte) {
	r := c.acc.index.MatchBytes(reply)
	for _, sub := range r.Plain {
		if sub.client != c || sub.removed {
			continue
		}
		hdr := noRespondersHeader(subj)
		s := c.srv
		s.scratch = proto.AppendHMsgLine(s.scratch[:0], reply, sub.sidBytes, nil, len(hdr), len(hdr))
		s.scratch = append(append(s.scratch, hdr...), crlf...)
		c.write(s.scratch)
		return
	}
}

// noRespondersHeader is "NATS/1.0 503\r\nNats-Subject: <subject>\r\n\r\n".
func noRespondersHeader(subj []byte) []byte {
	h := make([]byte, 0, 32+len(subj))
	h = append(h, "NATS/1.0 503\r\nNats-Subject: "...)
	h = append(h, subj...)
	return append(h, "\r\n\r\n"...)
}

// waitFor pauses this producer until dst drains (the server's internal
// publisher, which has no connection, never pauses). A producer is listed at
// most once per destination and each destination's list is bounded; past
// the bound the producer keeps reading and max_pending decides.
func (c *client) waitFor(dst *client) {
	if c.conn == nil || c.closing || dst.closing || len(dst.waiters) >= maxWaitersPerConn {
		return
	}
	for _, w := range dst.waiters {
		if w == c {
			return
		}
	}
	dst.waiters = append(dst.waiters, c)
	c.waitingOn++
	if len(c.stallMarks) < stallMarksMax {
		c.stallMarks = append(c.stallMarks, stallMark{dst: dst, queued: dst.conn.Buffered()})
	}
	if c.waitingOn == 1 {
		c.conn.PauseReading()
		c.stallTimer = c.srv.env.Clock.AfterFunc(stallCheck, c.checkStall)
	}
}

// stallMark is a destination a producer waits for and the bytes it had
// queued when last looked at.
type stallMark struct {
	dst    *client
	queued int
}

// checkStall keeps a paused producer paused while any destination it
// waits for is draining, and resumes it once all of them have been stuck
// for stallStuckChecks checks.
func (c *client) checkStall() {
	c.stallTimer = nil
	if c.waitingOn == 0 || c.closing {
		return
	}
	progress, checks := false, stallStuckChecks
	for i := range c.stallMarks {
		m := &c.stallMarks[i]
		if now := m.dst.conn.Buffered(); !m.dst.closing && now < m.queued {
			progress = true
			m.queued = now
		}
		if m.dst.drainedOnce {
			checks = stallReaderChecks
		}
	}
	if progress {
		c.stallIdle = 0
	} else {
		c.stallIdle++
	}
	if c.stallIdle < checks {
		c.stallTimer = c.srv.env.Clock.AfterFunc(stallCheck, c.checkStall)
		return
	}
	c.stallExpired = true
	c.resumeInput()
}

// releaseWaiters resumes, in the order they paused, the producers waiting
// on this connection (which has drained or is going away).
func (c *client) releaseWaiters() {
	waiters := c.waiters
	c.waiters = nil
	for _, w := range waiters {
		w.waitingOn--
		if w.waitingOn > 0 {
			continue
		}
		if w.stallTimer != nil {
			w.stallTimer.Stop()
			w.stallTimer = nil
		}
		w.stallExpired = false
		w.stallIdle = 0
		clear(w.stallMarks)
		w.stallMarks = w.stallMarks[:0]
		w.resumeInput()
	}
}

// dropForNoStall: with no_fast_producer_stall a client's message to a
// consumer already over its high-water mark is dropped for that consumer
// instead of pausing the producer, as nats-server does (routes are never
// paused for it either way).
func (s *Server) dropForNoStall(src, dst *client) bool {
	return s.opts.NoFastProducerStall && src.route == nil && dst.conn.Buffered() > net.HighWaterBytes
}
