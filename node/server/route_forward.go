package server

import (
	"jsnode/net"
	"jsnode/node/mutant"
	"jsnode/node/proto"
	"jsnode/node/subject"
)

// Message routing in a cluster (nats-server's processMsgResults):
//
//   - a message from a client goes to every local plain subscription and
//     to every route whose peer has plain interest, once per route;
//   - for each queue group one member is picked across the cluster, at
//     random weighted by members: a local subscription, or a route whose
//     peer has that many members (its RS+ weight); the route's RMSG then
//     lists the group, and the peer delivers to one of its members;
//   - a message from a route is delivered to local subscriptions only
//     (never to another route: the mesh is full, one hop reaches every
//     server), and to local queue members only for the groups its RMSG
//     lists.

// forwardScratch holds buffers reused from one message to the next.
type forwardScratch struct {
	targets []routeTarget // targets[:n] are in use
	n       int
	proto   []byte // RS+/RS- lines
}

// routeTarget is one route a message goes to, with the queue groups it
// was picked for (blank-separated names).
type routeTarget struct {
	route  *client
	queues []byte
}

// target returns the entry for route rc, adding it if needed.
func (f *forwardScratch) target(rc *client) *routeTarget {
	for i := 0; i < f.n; i++ {
		if f.targets[i].route == rc {
			return &f.targets[i]
		}
	}
	if f.n == len(f.targets) {
		f.targets = append(f.targets, routeTarget{})
	}
	t := &f.targets[f.n]
	f.n++
	t.route, t.queues = rc, t.queues[:0]
	return t
}

// addQueue records that rc was picked for queue group name.
func (f *forwardScratch) addQueue(rc *client, name string) {
	t := f.target(rc)
	if len(t.queues) > 0 {
		t.queues = append(t.queues, ' ')
	}
	t.queues = append(t.queues, name...)
}

// routeClustered is Account.route when the server is in a cluster. It
// reports whether the message was delivered or forwarded at all.
func (a *Account) routeClustered(src *client, subj, reply []byte, hdrLen int, msg []byte) bool {
	s := a.srv
	if s.env.buggify(siteCacheEvict) {
		a.index.EvictBytes(subj)
	}
	r := a.index.MatchBytes(subj)
	delivered := s.deliverPlain(src, r.Plain, subj, reply, hdrLen, msg)
	if src.route != nil {
		return s.deliverRoutedQueues(src, r, subj, reply, hdrLen, msg) || delivered
	}
	rr := a.remote.MatchBytes(subj)
	if len(r.Queues) == 0 && rr.Empty() {
		return delivered
	}
	f := &s.cluster.fwd
	f.n = 0
	for _, rs := range rr.Plain {
		f.target(rs.route)
	}
	if s.pickQueueMembers(src, r.Queues, rr.Queues, subj, reply, hdrLen, msg) {
		delivered = true
	}
	if s.sendToRoutes(src, a, subj, reply, hdrLen, msg) {
		delivered = true
	}
	return delivered
}

// pickQueueMembers picks one member per queue group across the local and
// the remote groups (both sorted by name): local members are delivered
// to at once, routes are recorded as targets.
func (s *Server) pickQueueMembers(src *client, local []subject.QueueGroup[*subscription],
	remote []subject.QueueGroup[*remoteSub], subj, reply []byte, hdrLen int, msg []byte) bool {
	f := &s.cluster.fwd
	delivered := false
	i, j := 0, 0
	for i < len(local) || j < len(remote) {
		var lq []*subscription
		var rq []*remoteSub
		var name string
		switch {
		case j == len(remote) || i < len(local) && local[i].Name < remote[j].Name:
			lq, name = local[i].Members, local[i].Name
			i++
		case i == len(local) || remote[j].Name < local[i].Name:
			rq, name = remote[j].Members, remote[j].Name
			j++
		default:
			lq, rq, name = local[i].Members, remote[j].Members, local[i].Name
			i++
			j++
		}
		w := totalWeight(rq)
		pick := s.randBelow(len(lq) + w)
		if pick < len(lq) {
			if s.deliverToQueue(src, lq, pick, subj, reply, hdrLen, msg) {
				delivered = true
				continue
			}
			if w == 0 {
				continue
			}
			pick = len(lq) + s.randBelow(w)
		}
		f.addQueue(weightedRoute(rq, pick-len(lq)), name)
	}
	return delivered
}

// randBelow draws in [0, n), without touching the random stream when
// there is no choice.
func (s *Server) randBelow(n int) int {
	if n <= 1 {
		return 0
	}
	return s.env.Rand.IntN(n)
}

// totalWeight sums the members the remote entries stand for.
func totalWeight(rq []*remoteSub) int {
	w := 0
	for _, rs := range rq {
		w += rs.weight
	}
	return w
}

// weightedRoute returns the route of the entry covering position n of
// the members the entries stand for.
func weightedRoute(rq []*remoteSub, n int) *client {
	for _, rs := range rq {
		if n < rs.weight {
			return rs.route
		}
		n -= rs.weight
	}
	return rq[len(rq)-1].route
}

// deliverToQueue offers the message to the members from start on, in
// order, until one takes it (a member may refuse: echo off, closing,
// auto-unsubscribed).
func (s *Server) deliverToQueue(src *client, members []*subscription, start int, subj, reply []byte, hdrLen int, msg []byte) bool {
	n := len(members)
	for j := 0; j < n; j++ {
		if s.deliver(src, members[(start+j)%n], subj, reply, hdrLen, msg) {
			if mutant.Every(mutant.QueueDoubleDelivery, 20) {
				s.deliverAgain(src, members, start+j, subj, reply, hdrLen, msg)
			}
			return true
		}
	}
	return false
}

// deliverRoutedQueues delivers a routed message to one local member of
// each queue group the sending server picked this one for.
func (s *Server) deliverRoutedQueues(src *client, r *subject.Result[*subscription], subj, reply []byte, hdrLen int, msg []byte) bool {
	qs := src.route.inQueues
	if len(qs) == 0 {
		return false
	}
	delivered := false
	for i := range r.Queues {
		g := &r.Queues[i]
		if !proto.QueueListContains(qs, g.Name) {
			continue
		}
		if s.deliverToQueue(src, g.Members, s.randBelow(len(g.Members)), subj, reply, hdrLen, msg) {
			delivered = true
		}
	}
	return delivered
}

// sendToRoutes writes the message once to every target route, as RMSG
// (or HMSG when it has headers and the peer takes them).
func (s *Server) sendToRoutes(src *client, a *Account, subj, reply []byte, hdrLen int, msg []byte) bool {
	accName := a.nameB
	f := &s.cluster.fwd
	sent := false
	for i := 0; i < f.n; i++ {
		t := &f.targets[i]
		dst := t.route
		t.route = nil
		if dst.closing {
			continue
		}
		h, m := hdrLen, msg
		if h > 0 && !dst.headers {
			m, h = msg[h:], 0
		}
		if h > 0 {
			s.scratch = proto.AppendRHMsgLine(s.scratch[:0], accName, subj, reply, t.queues, h, len(m))
		} else {
			s.scratch = proto.AppendRMsgLine(s.scratch[:0], accName, subj, reply, t.queues, len(m))
		}
		line := s.scratch
		if mutant.Every(mutant.RouteDropMsg, 50) {
			continue // lost on the way to the route
		}
		if !dst.reserveOutput(len(line) + len(m) + len(crlf)) {
			continue
		}
		if s.opts.Trace {
			dst.tracef("->> [%s]", line[:len(line)-len(crlf)])
			dst.tracePayload(traceOut, h, m)
		}
		s.writeMsg(dst, line, m)
		dst.stats.OutMsgs++
		dst.stats.OutBytes += int64(len(m))
		a.routeOut.add(len(m))
		s.stats.OutMsgs++
		s.stats.OutBytes += int64(len(m))
		sent = true
		if dst.conn.Buffered() > net.HighWaterBytes {
			src.waitFor(dst)
		}
	}
	f.n = 0
	return sent
}

// RMsg handles RMSG and routed HMSG: deliver to local subscriptions.
func (r *routeConn) RMsg(m *proto.RoutedMsg) error {
	c := r.client()
	s := c.srv
	if s.opts.Trace {
		c.tracef("<<- [RMSG %s %s %s %d]", m.Account, m.Subject, m.Reply, len(m.Msg))
		c.tracePayload(traceIn, m.HdrLen, m.Msg)
	}
	c.activity = true
	c.stats.InMsgs++
	c.stats.InBytes += int64(len(m.Msg))
	s.stats.InMsgs++
	s.stats.InBytes += int64(len(m.Msg))
	acc := s.accounts[string(m.Account)]
	if acc == nil {
		c.debugf("Unknown account %q for routed message on subject: %q", m.Account, m.Subject)
		return nil
	}
	acc.routeIn.add(len(m.Msg))
	c.route.inQueues = m.Queues
	acc.routeClustered(c, m.Subject, m.Reply, max(m.HdrLen, 0), m.Msg)
	c.route.inQueues = nil
	s.runInternal()
	c.yieldIfSpent()
	return nil
}
