package server

import (
	"maps"
	"slices"
	"strings"
	"time"

	"jsnode/node/mutant"
	"jsnode/node/proto"
	"jsnode/node/subject"
)

// Interest propagation, as nats-server's route subscription map does it:
// a peer learns of plain interest in a subject when the first local
// subscription on it appears (RS+) and when the last one goes (RS-); for
// a queue group it learns the number of local members (RS+ with weight)
// on every change, and RS- when none is left. A new route receives the
// whole local interest at once.

// interestKey identifies one interest: the subject, plus " queue".
func interestKey(subj, queue string) string {
	if queue == "" {
		return subj
	}
	return subj + " " + queue
}

// splitInterestKey is the inverse of interestKey (subjects and queue
// names never contain blanks).
func splitInterestKey(key string) (subj, queue string) {
	subj, queue, _ = strings.Cut(key, " ")
	return subj, queue
}

// localSubAdded counts a new local subscription of account a and tells
// the routes if that changes what they know.
func (a *Account) localSubAdded(sub *subscription) {
	if a.srv.cluster == nil || sub.local {
		return
	}
	key := interestKey(sub.subject, sub.queue)
	n := a.local[key] + 1
	a.local[key] = n
	if sub.queue == "" && n > 1 {
		return
	}
	a.broadcastInterest(sub.subject, sub.queue, int(n))
}

// localSubRemoved uncounts a local subscription and tells the routes if
// that changes what they know. Nothing is sent while shutting down: the
// routes are going away too.
func (a *Account) localSubRemoved(sub *subscription) {
	s := a.srv
	if s.cluster == nil || sub.local {
		return
	}
	key := interestKey(sub.subject, sub.queue)
	n, ok := a.local[key]
	if !ok {
		return
	}
	n--
	if n <= 0 {
		delete(a.local, key)
	} else {
		a.local[key] = n
		if sub.queue == "" {
			return
		}
	}
	if s.state == stateShuttingDown || s.state == stateStopped {
		return
	}
	a.broadcastInterest(sub.subject, sub.queue, int(n))
}

// broadcastInterest sends RS+ (n > 0) or RS- to every registered route.
func (a *Account) broadcastInterest(subj, queue string, n int) {
	s := a.srv
	cl := s.cluster
	if len(cl.routes) == 0 {
		return
	}
	buf := cl.fwd.proto[:0]
	if n > 0 {
		buf = proto.AppendRSub(buf, a.nameB, []byte(subj), []byte(queue), n)
	} else {
		buf = proto.AppendRUnsub(buf, a.nameB, []byte(subj), []byte(queue))
	}
	cl.fwd.proto = buf
	for _, r := range cl.routes {
		if s.opts.Trace {
			r.tracef("->> [%s]", buf[:len(buf)-len(crlf)])
		}
		r.write(buf)
	}
}

// sendAllInterest sends the whole local interest of every account to a
// new route, in a fixed (sorted) order.
func (s *Server) sendAllInterest(c *client) {
	var buf []byte
	for _, a := range s.accountsInOrder() {
		if len(a.local) == 0 {
			continue
		}
		keys := slices.Sorted(maps.Keys(a.local))
		if mutant.On(mutant.MapOrderRouteInterest) {
			keys = slices.Collect(maps.Keys(a.local))
		}
		for _, k := range keys {
			subj, queue := splitInterestKey(k)
			buf = proto.AppendRSub(buf, a.nameB, []byte(subj), []byte(queue), int(a.local[k]))
		}
	}
	if len(buf) == 0 {
		return
	}
	c.write(buf)
	c.debugf("Sent local subscriptions to route")
}

// announceInternalInterest counts the subscriptions made before the
// cluster started (internal ones, and their shadows) as local interest,
// in creation order, so new routes learn of them.
func (s *Server) announceInternalInterest() {
	for _, a := range s.accountsInOrder() {
		for _, sub := range a.internal.subsInOrder() {
			announceWithShadows(sub)
		}
	}
}

func announceWithShadows(sub *subscription) {
	sub.acc.localSubAdded(sub)
	for _, sh := range sub.shadows {
		announceWithShadows(sh)
	}
}

// RSub handles RS+: the peer has interest in subject (queue members).
func (r *routeConn) RSub(account, subj, queue []byte, weight int) error {
	c := r.client()
	s := c.srv
	if s.opts.Trace {
		c.tracef("<<- [RS+ %s]", traceArgs(account, subj, queue, weightArg(queue, weight)))
	}
	c.activity = true
	link := c.route
	if !link.registered {
		return nil
	}
	acc := s.accounts[string(account)]
	if acc == nil {
		c.debugf("Unknown account %q for remote subject %q", account, subj)
		key := string(account) + " " + interestKey(string(subj), string(queue))
		link.keepOrphan(key, orphanSub{account: string(account), subject: string(subj), queue: string(queue), weight: max(weight, 1)})
		return nil
	}
	key := acc.name + " " + interestKey(string(subj), string(queue))
	if rs := link.subs[key]; rs != nil {
		rs.weight = max(weight, 1)
		return nil
	}
	rs := &remoteSub{route: c, acc: acc, subject: string(subj), queue: string(queue), weight: max(weight, 1)}
	if err := acc.remote.Insert(rs.subject, rs.queue, rs); err != nil {
		c.errorf("Could not insert subscription: %v", err)
		c.sendErr("Invalid Subscription")
		return nil
	}
	link.subs[key] = rs
	return nil
}

func weightArg(queue []byte, weight int) []byte {
	if len(queue) == 0 {
		return nil
	}
	return itoa(weight)
}

// RUnsub handles RS-: the peer's interest is gone.
func (r *routeConn) RUnsub(account, subj, queue []byte) error {
	c := r.client()
	s := c.srv
	if s.opts.Trace {
		c.tracef("<<- [RS- %s]", traceArgs(account, subj, queue))
	}
	c.activity = true
	link := c.route
	key := string(account) + " " + interestKey(string(subj), string(queue))
	rs := link.subs[key]
	if rs == nil {
		delete(link.orphans, key)
		return nil
	}
	delete(link.subs, key)
	rs.acc.remote.Remove(rs.subject, rs.queue, rs)
	return nil
}

// removeRemoteSubs forgets all of a closing route's interest.
func (s *Server) removeRemoteSubs(c *client) {
	link := c.route
	link.orphans = nil
	if len(link.subs) == 0 {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(link.subs)) {
		rs := link.subs[k]
		rs.acc.remote.Remove(rs.subject, rs.queue, rs)
	}
	clear(link.subs)
}

// NumRemoteSubscriptions is how many RS+ the peers have registered here.
func (s *Server) NumRemoteSubscriptions() int {
	n := 0
	for _, a := range s.accounts {
		n += a.remote.Count()
	}
	return n
}

// remoteIndex is the peers' interest in $G (for tests in this package).
func (s *Server) remoteIndex() *subject.Index[*remoteSub] { return s.gacc.remote }

// setRoutePingTimer arms a route's keep-alive: the first PING comes soon
// (at most routeFirstPingInterval, plus up to a fifth of it at random),
// the later ones every route ping interval.
func (c *client) setRoutePingTimer(first bool) {
	s := c.srv
	d := s.routePingInterval()
	if first {
		d = min(d, routeFirstPingInterval)
		if jitter := int64(d / firstPingJitterDivisor); jitter > 0 {
			d += time.Duration(s.env.Rand.Int64N(jitter))
		}
	}
	if s.env.buggify(siteRoutePingLate) {
		d += s.lateBy(d)
	}
	c.stopPingTimer()
	c.pingTimer = s.env.Clock.AfterFunc(d, c.processRoutePingTimer)
}

// processRoutePingTimer always PINGs (nats-server does not skip route
// PINGs for recent traffic) and closes a route that left MaxPingsOut
// PINGs unanswered.
func (c *client) processRoutePingTimer() {
	c.pingTimer = nil
	if c.closing {
		return
	}
	s := c.srv
	if c.pingsOut+1 > s.routeMaxPingsOut() {
		c.debugf("Stale Client Connection - Closing")
		c.sendErr(errTextStaleConnection)
		c.closeConnection(StaleConnection)
		return
	}
	c.sendPing(s.env.monoNow())
	c.setRoutePingTimer(false)
}
