package server

// Cluster changes on reload, as nats-server applies them: routes added
// to the config are dialled; a removed route's connection is closed
// ("Route Removed") and not redialled (the peer may still dial this
// server, if its own config lists it); a new cluster name is adopted;
// under a new cluster authorization, servers that dialled this one with
// credentials that no longer pass are cut with "Authorization Violation";
// advertise settings apply to what is advertised from now on. The
// listener cannot change (PrepareReload refuses a new host or port).

// applyCluster carries out the cluster part of a reload.
func (p *ReloadPlan) applyCluster() {
	s := p.s
	cl := s.cluster
	if cl == nil {
		return
	}
	if p.clusterChanged {
		s.reloadClusterName()
		s.recheckRouteAuth()
		p.reloadAdvertise()
	}
	if p.next.ClientAdvertise != p.prev.ClientAdvertise {
		cl.ownURLs = s.ownClientURLs()
		s.refreshConnectURLs()
		s.sendAsyncInfo(s.info)
	}
	for _, u := range p.routesRemove {
		s.removeRoute(u)
	}
	if s.clusterRunning() {
		for _, u := range p.routesAdd {
			s.solicitRoute(u, true, false)
		}
	}
}

// reloadClusterName adopts a configured name that differs from the
// current one (a generated name stays until a configured one comes).
func (s *Server) reloadClusterName() {
	cl := s.cluster
	name := s.opts.Cluster.Name
	if name == "" || name == cl.name {
		return
	}
	cl.name, cl.dynamic = name, false
	s.info.Cluster = name
	s.log.Noticef("Cluster name updated to %s", name)
}

// recheckRouteAuth cuts the routes other servers opened to this one whose
// credentials do not pass the cluster authorization any more. Routes this
// server dialled use the credentials of its own route URLs: nothing to
// check.
func (s *Server) recheckRouteAuth() {
	for _, r := range s.sortedRouteConns() {
		link := r.route
		if link.didSolicit || !link.connectReceived || r.closing {
			continue
		}
		if !s.routeAuthorized(r.opts.Username, link.pass) {
			r.routeAuthViolation()
		}
	}
}

// reloadAdvertise rebuilds the peers' client URLs in connect_urls when
// no_advertise changed.
func (p *ReloadPlan) reloadAdvertise() {
	s := p.s
	if p.prev.Cluster.NoAdvertise == p.next.Cluster.NoAdvertise {
		return
	}
	cl := s.cluster
	cl.peerURLs = urlSet{}
	if !s.opts.Cluster.NoAdvertise {
		for _, r := range cl.routes {
			if cl.byID[r.route.remoteID] == r {
				for _, u := range r.route.connectURLs {
					cl.peerURLs.add(u)
				}
			}
		}
	}
	s.refreshConnectURLs()
	s.sendAsyncInfo(s.info)
}

// removeRoute closes the connections this server dialled to a route that
// left the config, and stops dialling it.
func (s *Server) removeRoute(u routeURL) {
	var stale []*routeDialer
	for _, d := range s.cluster.dialers {
		if d.explicit && d.url.hostPort == u.hostPort && !s.routeConfigured(u.hostPort) {
			stale = append(stale, d)
		}
	}
	for _, d := range stale {
		s.dropDialer(d)
	}
	for _, r := range s.sortedRouteConns() {
		link := r.route
		if link.url == nil || !link.explicit || link.url.hostPort != u.hostPort || r.closing {
			continue
		}
		link.noReconnect = true
		r.closeConnection(RouteRemoved)
		s.log.Noticef("Removed route %v", u)
	}
}
