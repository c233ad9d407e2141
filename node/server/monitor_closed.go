package server

import (
	"jsnode/node/monitor"
)

// closedConn is what /connz remembers of a closed client connection: its
// last ConnInfo (Stop and Reason set) and what auth and subs queries may
// add later.
type closedConn struct {
	info    monitor.ConnInfo
	subs    []monitor.SubDetail
	user    string
	account string
}

// closedRing keeps the last max closed connections, oldest first. It
// grows to max and then overwrites the oldest, so an idle server does not
// hold max empty slots.
type closedRing struct {
	max     int
	entries []*closedConn
	next    int // when full, the slot of the oldest entry
	total   uint64
}

func (r *closedRing) add(cc *closedConn) {
	r.total++
	if len(r.entries) < r.max {
		r.entries = append(r.entries, cc)
		return
	}
	r.entries[r.next] = cc
	r.next = (r.next + 1) % r.max
}

// list returns the entries oldest first (a new slice; entries are shared).
func (r *closedRing) list() []*closedConn {
	out := make([]*closedConn, 0, len(r.entries))
	out = append(out, r.entries[r.next:]...)
	return append(out, r.entries[:r.next]...)
}

// recordClosed notes a connection that is closing, before its
// subscriptions are removed: slow-consumer and stale counts by kind for
// every connection, and for a client its final state in the closed ring.
func (s *Server) recordClosed(c *client, reason ClosedState) {
	kind := &s.mon.slow
	switch reason {
	case SlowConsumerPendingBytes, SlowConsumerWriteDeadline:
	case StaleConnection:
		kind = &s.mon.stale
	default:
		kind = nil
	}
	if kind != nil {
		if c.route != nil {
			kind.routes++
		} else {
			kind.clients++
		}
	}
	if c.route != nil || c.conn == nil {
		return
	}
	now := s.env.Clock.Now()
	cc := &closedConn{user: monitorUser(c), account: monitorAccount(c)}
	cc.info = *s.connInfo(c, now)
	cc.info.Stop = &now
	cc.info.Reason = reason.String()
	for _, sub := range c.subsInOrder() {
		cc.subs = append(cc.subs, subDetail(sub, true))
	}
	s.mon.closed.add(cc)
}

// monitorUser is the user /connz reports and filters on: what CONNECT
// presented (nkey, then user name; a token is never shown), as nats-server
// reports it even when authentication failed, else the identity the
// client was given (no_auth_user).
func monitorUser(c *client) string {
	switch {
	case c.opts.Nkey != "":
		return c.opts.Nkey
	case c.opts.Username != "":
		return c.opts.Username
	case c.opts.Token != "":
		return "[REDACTED]"
	}
	return c.user
}

// monitorAccount names the account of a client for monitoring.
func monitorAccount(c *client) string { return c.acc.name }

// subDetail describes one subscription; withAccount adds the account (as
// nats-server does in /subsz and for closed connections, not for open
// ones).
func subDetail(sub *subscription, withAccount bool) monitor.SubDetail {
	d := monitor.SubDetail{Subject: sub.subject, Queue: sub.queue, Sid: sub.sid,
		Msgs: sub.delivered, Max: sub.max, Cid: sub.client.cid}
	if withAccount {
		d.Account = monitorAccount(sub.client)
		d.AccountTag = d.Account
	}
	return d
}
