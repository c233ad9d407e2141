package server

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"jsnode/clock"
	"jsnode/net"
	"jsnode/node/proto"
)

// This file is the cluster's connection life cycle: the route listener,
// dialling configured and gossiped routes with retries, and tearing
// routes down. The handshake is in route_handshake.go, interest in
// route_interest.go, message forwarding in route_forward.go.
//
// A route is a *client with a routeLink: it shares the client's output,
// timers, backpressure and close path, and gets its own parser and
// handler (routeConn).

// cluster is the server's routing state. Every slice is in a fixed order
// (registration or creation) so nothing depends on map iteration.
type cluster struct {
	name     string
	dynamic  bool // name generated here; adopt a configured peer's
	listener net.Listener
	port     int // bound cluster port

	routes  []*client          // registered routes, in registration order
	byID    map[string]*client // registered routes by remote server id
	conns   map[uint64]*client // every route connection not yet closed
	dialers []*routeDialer     // dial loops in progress
	self    map[string]bool    // route addresses found to be this server

	ownURLs  []string // this server's client URLs
	peerURLs urlSet   // the peers' client URLs

	fwd forwardScratch
}

// routeLink is the route-specific state of a route connection.
type routeLink struct {
	parser     *proto.RouteParser
	didSolicit bool
	dialedBy   string // id of the server that dialled this connection
	// url is where to redial when the route goes away; explicit when it
	// is a configured route. retry redials a gossiped route too.
	url      *routeURL
	explicit bool
	retry    bool

	connectReceived bool
	// pass is the password the peer's CONNECT gave, for the check of a
	// reloaded cluster authorization.
	pass         string
	infoReceived bool
	registered   bool
	noReconnect  bool
	fromGossip   bool // dialled because a peer told us about it

	remoteID    string
	remoteName  string
	remoteInfo  routeInfo // the first INFO, as gossiped to other routes
	connectURLs []string  // the peer's client URLs

	subs map[string]*remoteSub // the peer's interest, by key
	// orphans is the peer's interest in accounts this server does not
	// have, kept for a reload that adds them (reload_accounts.go).
	orphans  map[string]orphanSub
	inQueues [][]byte // queue names of the message being delivered
}

// remoteSub is one RS+ of a peer: interest in subject (for queue, with
// weight members) that the peer wants routed to it.
type remoteSub struct {
	route   *client
	acc     *Account
	subject string
	queue   string
	weight  int
}

// routeDialer is one dial loop towards a route URL.
type routeDialer struct {
	url      routeURL
	explicit bool
	first    bool // never connected yet (error reporting)
	attempts int
	delay    time.Duration
	timer    clock.Timer
	gossip   bool
	done     bool
	// remoteID is the server a reconnect loop redials ("" if unknown).
	remoteID string
}

// startCluster opens the route listener and dials the configured routes.
func (s *Server) startCluster() error {
	o := &s.opts.Cluster
	if !o.enabled() {
		return nil
	}
	cl := &cluster{
		name:  o.Name,
		byID:  make(map[string]*client),
		conns: make(map[uint64]*client),
		self:  make(map[string]bool),
	}
	if cl.name == "" {
		cl.name, cl.dynamic = s.randomName(dynamicClusterNameLen), true
	}
	s.cluster = cl
	s.info.Cluster = cl.name
	s.announceInternalInterest()
	s.log.Noticef("Cluster name is %s", cl.name)
	if cl.dynamic {
		s.log.Warnf("Cluster name was dynamically generated, consider setting one")
	}
	port := max(o.Port, 0)
	l, err := s.env.Net.Listen(joinHostPort(o.Host, port), s.acceptRoute)
	if err != nil {
		s.log.Errorf("Error listening on router port: %d - %v", o.Port, err)
		s.cluster = nil
		return err
	}
	cl.listener = l
	_, cl.port = splitHostPort(l.Addr())
	cl.ownURLs = s.ownClientURLs()
	s.log.Noticef("Listening for route connections on %s", joinHostPort(o.Host, cl.port))
	for _, r := range o.Routes {
		u, _ := parseRouteURL(r) // validated in New
		s.solicitRoute(u, true, false)
	}
	return nil
}

// randomName draws a name from the node's seeded source.
func (s *Server) randomName(n int) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.env.Rand.IntN(len(alphabet))]
	}
	return string(b)
}

// clusterRunning reports whether routes may be created and kept.
func (s *Server) clusterRunning() bool {
	return s.cluster != nil && (s.state == stateRunning || s.state == stateLameDuck)
}

// acceptRoute sets up a connection another server opened to the cluster
// port: INFO first, then the peer must CONNECT.
func (s *Server) acceptRoute(conn net.Conn) net.Handler {
	c := s.newRouteClient(conn, &routeLink{})
	if !s.clusterRunning() {
		c.closeConnection(ServerShutdown)
		return (*routeConn)(c)
	}
	c.route.parser.SetAwaitingConnect(true)
	c.noticef("Route connection created")
	ri := s.baseRouteInfo()
	ri.Nonce = string(s.newNonce())
	c.sendRouteInfo(&ri)
	if s.opts.Cluster.Username != "" {
		c.authTimer = s.env.Clock.AfterFunc(s.opts.Cluster.AuthTimeout, c.authTimeout)
	}
	if s.env.buggify(siteRouteCloseAfterInfo) {
		c.closeConnection(ReadError) // as if it broke after our INFO
	}
	return (*routeConn)(c)
}

// newRouteClient builds the client half of a route connection.
func (s *Server) newRouteClient(conn net.Conn, link *routeLink) *client {
	s.lastCID++
	s.open++
	c := &client{
		srv:       s,
		conn:      conn,
		cid:       s.lastCID,
		start:     s.env.Clock.Now(),
		startMono: s.env.monoNow(),
		opts:      connectOpts{Echo: true},
		subs:      make(map[string]*subscription),
		route:     link,
	}
	link.subs = make(map[string]*remoteSub)
	lim := s.parserLimits()
	lim.MaxControlLine *= proto.RouteControlLineFactor
	lim.MaxPayload = -1 // nats-server does not limit routed payloads
	link.parser = proto.NewRouteParser(lim)
	remote := conn.RemoteAddr()
	c.host, _ = splitHostPort(remote)
	c.basePrefix = remote + " - rid:" + strconv.FormatUint(c.cid, 10)
	c.logPrefix = c.basePrefix
	if s.cluster != nil {
		s.cluster.conns[c.cid] = c
		conn.SetWriteDeadline(s.routeWriteDeadline())
		c.setRoutePingTimer(true)
	}
	return c
}

// solicitRoute starts a dial loop towards u unless one is running or the
// address is this server's own.
func (s *Server) solicitRoute(u routeURL, explicit, gossip bool) {
	cl := s.cluster
	if cl.self[u.hostPort] || len(cl.dialers) >= maxRouteDialers {
		return
	}
	for _, d := range cl.dialers {
		if d.url.hostPort == u.hostPort {
			return
		}
	}
	d := &routeDialer{url: u, explicit: explicit, first: true, delay: routeConnectDelay, gossip: gossip}
	cl.dialers = append(cl.dialers, d)
	s.dialRoute(d)
}

// dialRoute makes one attempt of d.
func (s *Server) dialRoute(d *routeDialer) {
	d.timer = nil
	if !s.clusterRunning() || d.done {
		s.dropDialer(d)
		return
	}
	if d.explicit && !s.routeConfigured(d.url.hostPort) {
		s.debugf("Not attempting to connect to explicit route %q, no longer part of configured routes", d.url)
		s.dropDialer(d)
		return
	}
	if c := s.routeAt(d); c != nil {
		// The peer dialled us meanwhile: a second connection would replace
		// (or be refused by) a working one, and a replaced route loses what
		// was in flight on it. The one we have takes over the redial duty.
		s.debugf("Not attempting reconnect for solicited route, already connected to %q", c.route.remoteID)
		adoptDialDuty(c, d)
		s.dropDialer(d)
		return
	}
	s.debugf("Trying to connect to route on %s", d.url.hostPort)
	s.env.Net.Dial(d.url.hostPort, func(conn net.Conn) net.Handler {
		return s.routeDialed(d, conn)
	}, func(err error) {
		s.routeDialFailed(d, err)
	})
}

// routeAt returns the registered route to the server d dials, if any:
// the server d redials, or one that advertises d's address.
func (s *Server) routeAt(d *routeDialer) *client {
	cl := s.cluster
	if d.remoteID != "" {
		if c := cl.byID[d.remoteID]; c != nil {
			return c
		}
	}
	for _, c := range cl.routes {
		if c.closing {
			continue
		}
		if u := c.route.url; u != nil && u.hostPort == d.url.hostPort {
			return c
		}
		if u, err := parseRouteURL(c.route.remoteInfo.IP); err == nil && u.hostPort == d.url.hostPort {
			return c
		}
	}
	return nil
}

// adoptDialDuty gives route c the redial duty of dial loop d, as
// adoptReconnectDuty does for a dropped duplicate.
func adoptDialDuty(c *client, d *routeDialer) {
	k := c.route
	if k.url == nil || d.explicit && !k.explicit {
		u := d.url
		k.url = &u
		k.retry = true
	}
	k.explicit = k.explicit || d.explicit
}

// routeConfigured reports whether hostPort is one of the configured routes.
func (s *Server) routeConfigured(hostPort string) bool {
	for _, r := range s.opts.Cluster.Routes {
		if u, err := parseRouteURL(r); err == nil && u.hostPort == hostPort {
			return true
		}
	}
	return false
}

// routeDialFailed logs the failure as nats-server does and schedules the
// next attempt, unless a gossiped route ran out of retries.
func (s *Server) routeDialFailed(d *routeDialer, err error) {
	if !s.clusterRunning() || d.done {
		s.dropDialer(d)
		return
	}
	d.attempts++
	err = dialErrorWithAddr(d.url.hostPort, err)
	if s.reportConnectErr(d.first, d.attempts) {
		s.log.Errorf("Error trying to connect to route (attempt %v): %v", d.attempts, err)
	} else {
		s.debugf("Error trying to connect to route (attempt %v): %v", d.attempts, err)
	}
	if !d.explicit {
		if retries := s.opts.Cluster.ConnectRetries; retries <= 0 || d.attempts > retries {
			s.dropDialer(d)
			return
		}
	}
	wait := d.delay
	if s.opts.Cluster.ConnectBackoff {
		d.delay = min(2*d.delay, routeConnectMaxDelay)
	}
	d.timer = s.env.Clock.AfterFunc(wait, func() { s.dialRoute(d) })
}

// routeDialed sets up a connection this server opened: CONNECT, then INFO.
func (s *Server) routeDialed(d *routeDialer, conn net.Conn) net.Handler {
	s.dropDialer(d)
	u := d.url
	link := &routeLink{didSolicit: true, dialedBy: s.id, url: &u, explicit: d.explicit, fromGossip: d.gossip}
	c := s.newRouteClient(conn, link)
	if !s.clusterRunning() {
		c.closeConnection(ServerShutdown)
		return (*routeConn)(c)
	}
	c.debugf("Route connect msg sent")
	c.sendRouteConnect()
	ri := s.baseRouteInfo()
	c.sendRouteInfo(&ri)
	c.noticef("Route connection created")
	return (*routeConn)(c)
}

// dropDialer forgets a finished dial loop.
func (s *Server) dropDialer(d *routeDialer) {
	d.done = true
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	if s.cluster != nil {
		s.cluster.dialers = slices.DeleteFunc(s.cluster.dialers, func(x *routeDialer) bool { return x == d })
	}
}

// routeClosing runs from closeConnection: the route stops being a
// destination at once, its peer's interest is forgotten, and a route this
// server is responsible for is redialled.
func (s *Server) routeClosing(c *client, reason ClosedState) {
	link := c.route
	if link.remoteName != "" {
		c.noticef("Route connection closed: %s - Remote: %s", reason, link.remoteName)
	} else {
		c.noticef("Route connection closed: %s", reason)
	}
	cl := s.cluster
	if cl == nil {
		return
	}
	delete(cl.conns, c.cid)
	if link.registered {
		s.unregisterRoute(c)
	}
	s.removeRemoteSubs(c)
	if reason == ServerShutdown || link.noReconnect || !s.clusterRunning() {
		return
	}
	s.maybeReconnectRoute(c)
}

// unregisterRoute removes a registered route and, if it was the last
// connection to its server, that server's client URLs.
func (s *Server) unregisterRoute(c *client) {
	cl := s.cluster
	link := c.route
	link.registered = false
	cl.routes = slices.DeleteFunc(cl.routes, func(x *client) bool { return x == c })
	if cl.byID[link.remoteID] == c {
		delete(cl.byID, link.remoteID)
		s.peerURLsChanged(link.connectURLs, false)
	}
}

// maybeReconnectRoute redials a route that went away, as nats-server
// does: solicited (or upgraded) routes only, not when another connection
// to that server exists, never to this server itself.
func (s *Server) maybeReconnectRoute(c *client) {
	link := c.route
	cl := s.cluster
	if link.url == nil || !(link.didSolicit || link.retry) {
		return
	}
	u := *link.url
	switch {
	case link.remoteID != "" && cl.byID[link.remoteID] != nil:
		s.debugf("Not attempting reconnect for solicited route, already connected to %q", link.remoteID)
		return
	case link.remoteID == s.id:
		s.debugf("Detected route to self, ignoring %q", u)
		return
	}
	s.debugf("Attempting reconnect for solicited route %q", u)
	delay := time.Duration(s.env.Rand.Int64N(int64(routeReconnectJitter)))
	if link.explicit {
		delay += routeReconnectDelay
	}
	explicit, gossip := link.explicit, !link.explicit
	if len(cl.dialers) >= maxRouteDialers {
		return
	}
	d := &routeDialer{url: u, explicit: explicit, delay: routeConnectDelay, gossip: gossip, remoteID: link.remoteID}
	cl.dialers = append(cl.dialers, d)
	d.timer = s.env.Clock.AfterFunc(delay, func() { s.dialRoute(d) })
}

// shutdownCluster closes the route listener, stops the dial loops and
// closes every route.
func (s *Server) shutdownCluster() {
	cl := s.cluster
	if cl == nil {
		return
	}
	if cl.listener != nil {
		cl.listener.Close()
		cl.listener = nil
	}
	for _, d := range slices.Clone(cl.dialers) {
		s.dropDialer(d)
	}
	for _, c := range s.sortedRouteConns() {
		c.closeConnection(ServerShutdown)
	}
}

// sortedRouteConns lists every open route connection by connection id.
func (s *Server) sortedRouteConns() []*client {
	out := make([]*client, 0, len(s.cluster.conns))
	for _, c := range s.cluster.conns {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *client) int { return cmp.Compare(a.cid, b.cid) })
	return out
}

// debugf logs a server-level debug line.
func (s *Server) debugf(format string, v ...any) {
	if s.opts.Debug {
		s.log.Debugf(format, v...)
	}
}

// reportConnectErr says whether a failed route dial is logged as an error
// (else as debug): the first failure always, then every
// connect_error_reports-th attempt while the route never connected, or
// every reconnect_error_reports-th after it was lost.
func (s *Server) reportConnectErr(first bool, attempts int) bool {
	every := s.opts.ReconnectErrorReports
	if first {
		every = s.opts.ConnectErrorReports
	}
	return attempts == 1 || every <= 1 || attempts%every == 0
}

// dialErrorWithAddr gives a dial failure the form of Go's net errors,
// "dial tcp <addr>: ...", which nats-server logs: the network layer may
// report a bare reason (connection refused) without the address.
func dialErrorWithAddr(hostPort string, err error) error {
	if strings.Contains(err.Error(), hostPort) {
		return err
	}
	if errors.Is(err, net.ErrRefused) {
		return fmt.Errorf("dial tcp %s: connect: %w", hostPort, err)
	}
	return fmt.Errorf("dial tcp %s: %w", hostPort, err)
}
