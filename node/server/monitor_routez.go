package server

import (
	"cmp"
	"slices"
	"time"

	"jsnode/node/monitor"
)

// routeCompression is what /routez reports for jsnode's routes, which
// never compress.
const routeCompression = "off"

// Routez answers /routez: every registered route, in registration order,
// with the peer's interest when opts ask for it.
func (s *Server) Routez(opts *monitor.RoutezOptions) (*monitor.Routez, error) {
	var o monitor.RoutezOptions
	if opts != nil {
		o = *opts
	}
	now := s.env.Clock.Now().UTC()
	rz := &monitor.Routez{ID: s.id, Name: s.info.Name, Now: now, Routes: []*monitor.RouteInfo{}}
	if s.cluster == nil {
		return rz, nil
	}
	for _, c := range s.cluster.routes {
		rz.Routes = append(rz.Routes, s.routeInfo(c, now, &o))
	}
	rz.NumRoutes = len(rz.Routes)
	return rz, nil
}

// routeInfo describes one route connection.
func (s *Server) routeInfo(c *client, now time.Time, o *monitor.RoutezOptions) *monitor.RouteInfo {
	link := c.route
	last := c.lastActivity(now)
	ri := &monitor.RouteInfo{
		Rid: c.cid, RemoteID: link.remoteID, RemoteName: link.remoteName,
		DidSolicit: link.didSolicit, IsConfigured: link.explicit,
		Start: c.start, LastActivity: last, RTT: monitor.RTTString(c.rtt),
		Uptime: monitor.MyUptime(now.Sub(c.start)), Idle: monitor.MyUptime(now.Sub(last)),
		Pending: c.conn.Buffered(),
		InMsgs:  c.stats.InMsgs, OutMsgs: c.stats.OutMsgs, InBytes: c.stats.InBytes, OutBytes: c.stats.OutBytes,
		NumSubs:     uint32(len(link.subs)),
		Compression: routeCompression,
	}
	ri.IP, ri.Port = splitHostPort(c.conn.RemoteAddr())
	if len(link.subs) > 0 && (o.Subscriptions || o.SubscriptionsDetail) {
		for _, rs := range routeSubsInOrder(link) {
			if o.SubscriptionsDetail {
				ri.SubsDetail = append(ri.SubsDetail, monitor.SubDetail{Subject: rs.subject, Queue: rs.queue,
					Sid: routeSubKey(rs), Cid: c.cid})
			} else {
				ri.Subs = append(ri.Subs, rs.subject)
			}
		}
	}
	return ri
}

// routeSubsInOrder lists a peer's interests by account, subject, then
// queue, so the answer does not depend on map order (the same subject may
// be interesting in several accounts).
func routeSubsInOrder(link *routeLink) []*remoteSub {
	subs := make([]*remoteSub, 0, len(link.subs))
	for _, rs := range link.subs {
		subs = append(subs, rs)
	}
	slices.SortFunc(subs, func(a, b *remoteSub) int {
		return cmp.Or(cmp.Compare(a.acc.name, b.acc.name), cmp.Compare(a.subject, b.subject), cmp.Compare(a.queue, b.queue))
	})
	return subs
}

// routeSubKey is the sid nats-server gives a routed subscription: "R",
// the subject and the queue, space separated.
func routeSubKey(rs *remoteSub) string {
	key := "R " + rs.subject
	if rs.queue != "" {
		key += " " + rs.queue
	}
	return key
}
