package server

import (
	"cmp"
	"slices"
	"time"
)

// Limits on reload apply to the connections that are already there, as
// with nats-server: max_connections closes the excess (the newest
// connections, so the outcome does not depend on map order where
// nats-server picks at random), max_payload and max_control_line (and an
// account's max_payload) change every client's parser (routes keep
// theirs, as with nats-server), write_deadline every connection. ping_interval and ping_max are read when the ping timer
// fires, so they need nothing here.

// applyLimits brings the connections in line with s.opts; prev are the
// options they were set up with.
func (s *Server) applyLimits(prev *Options) {
	s.enforceMaxConn()
	for _, c := range s.sortedClients() {
		lim := s.parserLimits()
		lim.MaxPayload = int(c.maxPayload())
		c.parser.SetLimits(lim)
		if s.opts.WriteDeadline != prev.WriteDeadline {
			c.conn.SetWriteDeadline(s.opts.WriteDeadline)
		}
	}
	if s.cluster == nil || s.routeWriteDeadline() == routeWriteDeadlineOf(prev) {
		return
	}
	for _, r := range s.sortedRouteConns() {
		r.conn.SetWriteDeadline(s.routeWriteDeadline())
	}
}

// routeWriteDeadlineOf is routeWriteDeadline for other options.
func routeWriteDeadlineOf(o *Options) time.Duration {
	if d := o.Cluster.WriteDeadline; d > 0 {
		return d
	}
	return o.WriteDeadline
}

// enforceMaxConn closes the newest clients past max_connections.
func (s *Server) enforceMaxConn() {
	max := s.opts.MaxConn
	if max <= 0 || len(s.clients) <= max {
		return
	}
	clients := s.sortedClients()
	slices.SortFunc(clients, func(a, b *client) int { return cmp.Compare(b.cid, a.cid) })
	excess := clients[:len(clients)-max]
	for _, c := range excess {
		c.errorf("%s", errTextMaxConnections)
		c.sendErr(errTextMaxConnections)
		c.closeConnection(MaxConnectionsExceeded)
	}
	s.log.Noticef("Closed %d connections to fall within max_connections", len(excess))
}
