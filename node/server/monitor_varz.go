package server

import "jsnode/node/monitor"

// defaultTLSTimeout is the TLS handshake timeout nats-server reports in
// seconds when none is configured; jsnode has no TLS but reports it so
// that /varz reads the same.
const defaultTLSTimeout = 2.0

// Varz answers /varz: the server's identity, configuration summary and
// counters, as a fresh value the caller may keep.
func (s *Server) Varz() *monitor.Varz {
	o := &s.opts
	now := s.env.Clock.Now()
	p := &s.mon.proc
	v := &monitor.Varz{
		ID: s.id, Name: s.info.Name, Version: s.info.Version, Proto: s.info.Proto, GoVersion: s.info.GoVersion,
		Host: s.info.Host, Port: s.info.Port, AuthRequired: s.info.AuthRequired,
		ClientConnectURLs: s.ConnectURLs(),
		MaxConn:           o.MaxConn, MaxSubs: o.MaxSubs,
		PingInterval: o.PingInterval, MaxPingsOut: o.MaxPingsOut,
		HTTPHost: o.HTTPHost, HTTPPort: o.HTTPPort, HTTPBasePath: o.HTTPBasePath,
		AuthTimeout:    o.Auth.Timeout.Seconds(),
		MaxControlLine: o.MaxControlLine, MaxPayload: int(o.MaxPayload), MaxPending: o.MaxPending,
		Cluster:    s.clusterVarz(),
		Gateway:    monitor.GatewayOptsVarz{WriteDeadline: o.Cluster.WriteDeadline},
		LeafNode:   monitor.LeafNodeOptsVarz{WriteDeadline: o.Cluster.WriteDeadline},
		TLSTimeout: defaultTLSTimeout, WriteDeadline: o.WriteDeadline,
		Start: s.mon.start.UTC(), Now: now.UTC(), Uptime: monitor.MyUptime(now.Sub(s.mon.start)),
		Mem: p.rss, Cores: p.cores, MaxProcs: p.maxProcs, MemLimit: p.memLimit, CPU: p.cpu,
		Connections: len(s.clients), TotalConnections: uint64(s.totalConns),
		Routes: s.NumRoutes(), Remotes: s.NumRoutes(),
		SystemAccount:  s.systemAccountName(),
		ConfigLoadTime: s.mon.configLoad.UTC(),
		HTTPReqStats:   s.httpReqStats(),
	}
	if v.HTTPHost == "" {
		v.HTTPHost = o.Host // nats-server's default: the client host
	}
	s.varzCounters(v)
	if s.js != nil {
		v.JetStream = *s.js.Varz()
	}
	return v
}

// varzCounters fills the traffic, slow-consumer, stale and subscription
// counters.
func (s *Server) varzCounters(v *monitor.Varz) {
	m := &s.mon
	v.InMsgs, v.InBytes, v.OutMsgs, v.OutBytes = s.stats.InMsgs, s.stats.InBytes, s.stats.OutMsgs, s.stats.OutBytes
	v.SlowConsumers = s.slowConsumers
	v.StalledClients = s.stalledClients
	v.SlowConsumersStats = &monitor.SlowConsumersStats{Clients: m.slow.clients, Routes: m.slow.routes}
	v.StaleConnections = int64(m.stale.clients + m.stale.routes)
	v.StaleConnectionStats = &monitor.StaleConnectionStats{Clients: m.stale.clients, Routes: m.stale.routes}
	v.DiskIOWaitStats = &monitor.DiskIOWaitStats{}
	// Clients' traffic is counted per account (Account.stats); Server.stats
	// counts every kind of connection.
	for _, a := range s.accounts {
		v.Subscriptions += a.sublistStats().NumSubs
		v.InClientMsgs += a.stats.InMsgs
		v.InClientBytes += a.stats.InBytes
		v.OutClientMsgs += a.stats.OutMsgs
		v.OutClientBytes += a.stats.OutBytes
	}
	if v.HTTPReqStats == nil {
		v.HTTPReqStats = map[string]uint64{}
	}
}

// clusterVarz summarises the cluster options ({} when not clustered).
func (s *Server) clusterVarz() monitor.ClusterOptsVarz {
	o := &s.opts.Cluster
	if !o.enabled() {
		return monitor.ClusterOptsVarz{}
	}
	cv := monitor.ClusterOptsVarz{
		Name: s.ClusterName(), Host: o.Host, Port: o.Port,
		AuthTimeout: o.AuthTimeout.Seconds(), TLSTimeout: defaultTLSTimeout,
		PoolSize: o.PoolSize, WriteDeadline: o.WriteDeadline,
	}
	if s.cluster != nil && s.cluster.port != 0 {
		cv.Port = s.cluster.port
	}
	for _, r := range o.Routes {
		if u, err := parseRouteURL(r); err == nil {
			cv.URLs = append(cv.URLs, u.hostPort)
		}
	}
	return cv
}
