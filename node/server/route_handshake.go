package server

import (
	"encoding/json"
	"fmt"

	"jsnode/node/auth"
	"jsnode/node/proto"
	"jsnode/node/redact"
)

// routeConn is a route connection's net.Handler and proto.RouteHandler.
// It is the route's *client under another name, so a route has the
// client's output path and close logic but its own protocol.
type routeConn client

func (r *routeConn) client() *client { return (*client)(r) }

// Data feeds the peer's bytes to the route parser.
func (r *routeConn) Data(b []byte) { r.client().input(b, siteRouteSplitRead) }

// Drained resumes the producers that paused on this route.
func (r *routeConn) Drained() {
	r.client().drainedOnce = true
	r.client().releaseWaiters()
}

// Closed is the connection's last event.
func (r *routeConn) Closed(err error) { r.client().Closed(err) }

// Route error texts and log lines, as nats-server has them.
const (
	errTextRoutePort     = "attempted to connect to route port"
	errTextUnknownOp     = "Unknown Protocol Operation"
	clusterNameMismatchF = "Rejecting connection, cluster name %q does not match %q"
	errTextAccountRouteF = "Not possible to have a dedicated route for account %q between those servers"
)

// routeProtocolError answers a parse error on a route and closes it.
func (c *client) routeProtocolError(err error) {
	pe, ok := err.(*proto.ProtoError)
	if !ok {
		c.errorf("%v", err)
		c.closeConnection(ProtocolViolation)
		return
	}
	switch pe {
	case proto.ErrAuthViolation:
		c.routeAuthViolation()
		return
	case proto.ErrMaxControlLine:
		c.errorf("%s", pe.Text)
		c.sendErr(pe.Text)
		c.closeConnection(MaxControlLineExceeded)
		return
	case proto.ErrUnknownOp:
		c.sendErr(errTextUnknownOp)
		c.errorf("Route parser ERROR: %s", errTextUnknownOp)
		c.closeConnection(ProtocolViolation)
		return
	}
	c.errorf("%s", pe.Error())
	if pe.Text != "" {
		c.sendErr(pe.Text)
	}
	c.closeConnection(ProtocolViolation)
}

// routeAuthViolation answers a peer that failed cluster authorization.
func (c *client) routeAuthViolation() {
	if u := c.opts.Username; u != "" {
		c.errorf("%s - User %q", logTextAuthError, u)
	} else {
		c.errorf("%s", logTextAuthError)
	}
	c.sendErr(errTextAuthViolation)
	c.route.noReconnect = true
	c.closeConnection(AuthenticationViolation)
}

// sendRouteConnect queues the CONNECT of a route this server dialled,
// with the credentials of the route URL.
func (c *client) sendRouteConnect() {
	s := c.srv
	rc := routeConnect{
		Echo:    true,
		Headers: !s.opts.NoHeaderSupport,
		Name:    s.id,
		Cluster: s.cluster.name,
		Dynamic: s.cluster.dynamic,
	}
	if u := c.route.url; u != nil {
		rc.User, rc.Pass = u.user, u.pass
	}
	js, err := json.Marshal(&rc)
	if err != nil {
		c.errorf("Error marshaling CONNECT to route: %v", err)
		return
	}
	c.write(proto.AppendConnect(nil, js))
}

// Connect handles the CONNECT of a server that dialled this one:
// authorization, a client on the wrong port, the cluster name.
func (r *routeConn) Connect(arg []byte) error {
	c := r.client()
	s := c.srv
	if s.opts.Trace {
		c.tracef("<<- [CONNECT %s]", redact.Connect(arg))
	}
	c.activity = true
	link := c.route
	if link.didSolicit || link.connectReceived {
		return nil
	}
	c.stopAuthTimer()
	var rc routeConnect
	if err := json.Unmarshal(arg, &rc); err != nil {
		c.errorf("CONNECT parse error: %v", err)
		c.closeConnection(ProtocolViolation)
		return errConnClosed
	}
	link.connectReceived = true
	link.parser.SetAwaitingConnect(false)
	c.opts.Username = rc.User
	link.pass = rc.Pass
	cfg, cr := s.routeAuthConfig(), auth.Credentials{User: rc.User, Pass: rc.Pass}
	if cfg.Costly(cr) {
		r.authorizeOffLoop(cfg, cr, rc)
		return nil
	}
	if _, ok := cfg.Authenticate(cr, nil); !ok {
		c.routeAuthViolation()
		return errConnClosed
	}
	return r.connectAuthorized(rc)
}

// authorizeOffLoop checks a bcrypt cluster password through Env.Offload,
// holding the route's later input meanwhile, as a client's CONNECT does
// (connect.go, authenticateOffLoop).
func (r *routeConn) authorizeOffLoop(cfg auth.Config, cr auth.Credentials, rc routeConnect) {
	c := r.client()
	var ok bool
	c.authPending = true
	c.conn.PauseReading()
	c.yield()
	c.srv.env.offload(func() { _, ok = cfg.Authenticate(cr, nil) }, func() {
		c.authPending = false
		switch {
		case c.closing:
		case !ok:
			c.routeAuthViolation()
		case r.connectAuthorized(rc) == nil:
			c.resumeInput()
		}
	})
}

// connectAuthorized is the rest of an authorized peer's CONNECT.
func (r *routeConn) connectAuthorized(rc routeConnect) error {
	c := r.client()
	s := c.srv
	link := c.route
	if rc.Lang != "" {
		c.errorf("%s", errTextRoutePort)
		c.sendErr(errTextRoutePort)
		c.closeConnection(WrongPort)
		return errConnClosed
	}
	if !s.acceptClusterName(c, rc.Cluster, rc.Dynamic, rc.Name) {
		text := fmt.Sprintf(clusterNameMismatchF, rc.Cluster, s.cluster.name)
		c.errorf("%s", text)
		c.sendErr(text)
		c.closeConnection(ClusterNameConflict)
		return errConnClosed
	}
	link.remoteID = rc.Name
	link.dialedBy = rc.Name
	c.headers = !s.opts.NoHeaderSupport && rc.Headers
	if s.env.buggify(siteRouteCloseAfterConnect) {
		c.closeConnection(ReadError) // as if it broke after the CONNECT
		return errConnClosed
	}
	return nil
}

// routeAuthConfig is the cluster authorization as an auth.Config (plain
// or bcrypt password; none: every peer is authorized).
func (s *Server) routeAuthConfig() auth.Config {
	o := &s.opts.Cluster
	return auth.Config{Username: o.Username, Password: o.Password}
}

// acceptClusterName compares a peer's cluster name with ours. A generated
// name gives way to a configured one, or to a larger generated one, as
// nats-server's dynamic names do; then routes to other servers, which
// carry the old name, are closed.
func (s *Server) acceptClusterName(c *client, name string, dynamic bool, remoteID string) bool {
	cl := s.cluster
	if name == cl.name {
		return true
	}
	if name == "" || name == leafNoOriginCluster || !cl.dynamic || (dynamic && name < cl.name) {
		return false
	}
	cl.name = name
	cl.dynamic = dynamic
	s.info.Cluster = name
	for _, r := range s.sortedRouteConns() {
		if r != c && r.route.remoteID != remoteID {
			r.closeConnection(ClusterNameConflict)
		}
	}
	return true
}

// Info handles a peer's INFO: the first one completes the handshake and
// registers the route; later ones announce other servers (gossip) or the
// peer's lame-duck mode.
func (r *routeConn) Info(arg []byte) error {
	c := r.client()
	s := c.srv
	if s.opts.Trace {
		c.tracef("<<- [INFO %s]", arg)
	}
	c.activity = true
	var ri routeInfo
	if err := json.Unmarshal(arg, &ri); err != nil {
		c.errorf("INFO parse error: %v", err)
		c.closeConnection(ProtocolViolation)
		return errConnClosed
	}
	link := c.route
	if !link.infoReceived {
		return c.processFirstRouteInfo(&ri)
	}
	switch {
	case ri.ID != link.remoteID:
		s.processImplicitRoute(&ri)
	case ri.LameDuckMode && link.registered:
		urls := link.connectURLs
		link.connectURLs = nil
		s.peerURLsChanged(urls, false)
	}
	return nil
}

// processFirstRouteInfo checks the peer (not ourselves, same cluster,
// not our name) and registers the route.
func (c *client) processFirstRouteInfo(ri *routeInfo) error {
	s := c.srv
	link := c.route
	if ri.ID == s.id {
		link.remoteID = ri.ID
		link.noReconnect = true
		if link.url != nil {
			s.cluster.self[link.url.hostPort] = true
			s.debugf("Detected route to self, ignoring %q", *link.url)
		}
		c.closeConnection(DuplicateRoute)
		return errConnClosed
	}
	if ri.Cluster != "" && !s.acceptClusterName(c, ri.Cluster, ri.Dynamic, ri.ID) {
		c.closeConnection(ClusterNameConflict)
		return errConnClosed
	}
	if !link.didSolicit && ri.Name == s.info.Name {
		c.errorf("Remote server has a duplicate name: %q", ri.Name)
		c.closeConnection(DuplicateServerName)
		return errConnClosed
	}
	if !link.didSolicit && !link.connectReceived {
		c.routeAuthViolation()
		return errConnClosed
	}
	if ri.RouteAccount != "" {
		c.refuseAccountRoute(ri.RouteAccount)
		return errConnClosed
	}
	link.infoReceived = true
	link.remoteID = ri.ID
	link.remoteName = ri.Name
	c.headers = !s.opts.NoHeaderSupport && ri.Headers
	if link.didSolicit {
		link.dialedBy = s.id
	}
	if ri.IP == "" {
		ri.IP = "nats-route://" + joinHostPort(c.host, ri.Port) + "/"
	}
	ri.Nonce = ""
	link.remoteInfo = *ri
	link.connectURLs = ri.ConnectURLs
	s.addRoute(c)
	if c.closing {
		return errConnClosed
	}
	return nil
}

// addRoute registers a route whose handshake is complete. With two
// connections to one server (both dialled each other) both servers keep
// the one dialled by the server with the smaller id, so they agree
// without talking; the other is closed as a duplicate. A peer that
// pools routes (it advertises a pool size; jsnode does not) treats this
// server as one without pooling and keeps the connection it registered
// first, so with such a peer the existing connection stays too.
func (s *Server) addRoute(c *client) {
	cl := s.cluster
	link := c.route
	id := link.remoteID
	existing := cl.byID[id]
	if existing != nil && (link.remoteInfo.PoolSize > 0 || !routeWins(c, existing)) {
		adoptReconnectDuty(existing, c)
		c.debugf("Detected duplicate remote route %q", id)
		link.noReconnect = true
		c.closeConnection(DuplicateRoute)
		return
	}
	c.debugf("Registering remote route %q", id)
	link.registered = true
	cl.routes = append(cl.routes, c)
	cl.byID[id] = c
	if existing != nil {
		adoptReconnectDuty(c, existing)
		s.peerURLsChanged(link.connectURLs, true)
		s.peerURLsChanged(existing.route.connectURLs, false)
		existing.debugf("Detected duplicate remote route %q", id)
		existing.route.noReconnect = true
		existing.closeConnection(DuplicateRoute)
	} else {
		s.peerURLsChanged(link.connectURLs, true)
		if !link.fromGossip {
			s.forwardRouteInfo(c)
		}
	}
	s.sendAllInterest(c)
}

// refuseAccountRoute closes a peer's dedicated route for one account:
// this server keeps one route per peer, and a peer that sees it
// advertise no pool size sends that account's traffic over it instead.
func (c *client) refuseAccountRoute(account string) {
	text := fmt.Sprintf(errTextAccountRouteF, account)
	c.errorf("%s", text)
	c.sendErr(text)
	c.route.noReconnect = true
	c.closeConnection(ProtocolViolation)
}

// routeWins reports whether the new connection c replaces old, both to
// the same server: the one dialled by the smaller server id wins; from
// the same dialler, the older one stays.
func routeWins(c, old *client) bool {
	a, b := c.route.dialedBy, old.route.dialedBy
	return a != b && a < b
}

// adoptReconnectDuty hands a dropped connection's redial duty to the
// surviving one, so a configured route is redialled when it goes away
// even if the connection that survived was dialled by the peer.
func adoptReconnectDuty(keep, drop *client) {
	k, d := keep.route, drop.route
	if d.url != nil && (k.url == nil || d.explicit && !k.explicit) {
		u := *d.url
		k.url = &u
		k.retry = true
	}
	k.explicit = k.explicit || d.explicit
}

// forwardRouteInfo tells the other routes about a new peer, so they
// connect to it too (gossip makes the mesh full).
func (s *Server) forwardRouteInfo(c *client) {
	ri := c.route.remoteInfo
	for _, r := range s.cluster.routes {
		if r != c && r.route.remoteID != ri.ID {
			r.sendRouteInfo(&ri)
		}
	}
}

// processImplicitRoute dials a server a peer told us about, unless it is
// us, already connected, or one of the configured routes.
func (s *Server) processImplicitRoute(ri *routeInfo) {
	cl := s.cluster
	if ri.ID == s.id || cl.byID[ri.ID] != nil || !s.clusterRunning() {
		return
	}
	if s.routeConfigured(joinHostPort(ri.Host, ri.Port)) {
		return
	}
	u, err := parseRouteURL(ri.IP)
	if err != nil {
		s.log.Errorf("Error parsing URL from INFO: %v", err)
		return
	}
	if s.routeConfigured(u.hostPort) {
		return
	}
	if ri.AuthRequired {
		u.user, u.pass = s.opts.Cluster.Username, s.opts.Cluster.Password
	}
	s.solicitRoute(u, false, true)
}

// Ping answers the peer's PING.
func (r *routeConn) Ping() error {
	c := r.client()
	if c.srv.opts.Trace {
		c.tracef("<<- [PING]")
	}
	c.activity = true
	c.write(pongLine)
	return nil
}

// Pong: the peer is alive.
func (r *routeConn) Pong() error {
	c := r.client()
	if c.srv.opts.Trace {
		c.tracef("<<- [PONG]")
	}
	c.activity = true
	c.pingsOut = 0
	if !c.rttStart.IsZero() {
		c.rtt = c.srv.env.monoNow().Sub(c.rttStart)
	}
	return nil
}

// OK is ignored (routes never ask for verbose mode).
func (r *routeConn) OK() error { return nil }

// Err logs the peer's -ERR and closes the route, as nats-server does.
func (r *routeConn) Err(text []byte) error {
	c := r.client()
	c.errorf("Route Error '%s'", text)
	c.closeConnection(ParseError)
	return errConnClosed
}

// routeAuthorized checks a peer's credentials inline; a reload's recheck
// of the routes already up uses it (a bcrypt there costs the loop once
// per route per reload).
func (s *Server) routeAuthorized(user, pass string) bool {
	cfg := s.routeAuthConfig()
	_, ok := cfg.Authenticate(auth.Credentials{User: user, Pass: pass}, nil)
	return ok
}
