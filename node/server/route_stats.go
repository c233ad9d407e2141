package server

import "time"

// RouteStat describes one registered route, with the fields nats-server's
// /routez reports (for monitoring, tests and the simulator's checks).
type RouteStat struct {
	CID        uint64 // connection id: a new connection gets a new one
	RemoteID   string
	RemoteName string
	Addr       string // the peer's "host:port"
	DidSolicit bool   // this server dialled it
	Since      time.Time
	InMsgs     int64
	OutMsgs    int64
	InBytes    int64
	OutBytes   int64
	Subs       int // the peer's interests registered here
}

// Routes lists the registered routes in registration order; nil when not
// clustered.
func (s *Server) Routes() []RouteStat {
	if s.cluster == nil {
		return nil
	}
	out := make([]RouteStat, 0, len(s.cluster.routes))
	for _, c := range s.cluster.routes {
		out = append(out, RouteStat{
			CID:        c.cid,
			RemoteID:   c.route.remoteID,
			RemoteName: c.route.remoteName,
			Addr:       c.conn.RemoteAddr(),
			DidSolicit: c.route.didSolicit,
			Since:      c.start,
			InMsgs:     c.stats.InMsgs,
			OutMsgs:    c.stats.OutMsgs,
			InBytes:    c.stats.InBytes,
			OutBytes:   c.stats.OutBytes,
			Subs:       len(c.route.subs),
		})
	}
	return out
}

// NumRoutes is the number of registered routes.
func (s *Server) NumRoutes() int {
	if s.cluster == nil {
		return 0
	}
	return len(s.cluster.routes)
}

// ClusterName is the cluster's name ("" when not clustered); a generated
// name may change to a peer's.
func (s *Server) ClusterName() string {
	if s.cluster == nil {
		return ""
	}
	return s.cluster.name
}

// ClusterAddr is the bound "host:port" of the route listener ("" when not
// clustered).
func (s *Server) ClusterAddr() string {
	if s.cluster == nil || s.cluster.listener == nil {
		return ""
	}
	return joinHostPort(s.opts.Cluster.Host, s.cluster.port)
}

// ConnectURLs is the connect_urls clients are given.
func (s *Server) ConnectURLs() []string { return append([]string(nil), s.info.ConnectURLs...) }
