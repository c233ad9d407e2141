package server

import (
	"encoding/json"
	"slices"

	"jsnode/node/proto"
)

// routeInfo is the INFO two servers exchange on a route, with
// nats-server's field names and order. A server also forwards a new
// peer's INFO to its other routes (gossip), so that they connect to it.
type routeInfo struct {
	ID           string   `json:"server_id"`
	Name         string   `json:"server_name"`
	Version      string   `json:"version"`
	Proto        int      `json:"proto"`
	GoVersion    string   `json:"go"`
	Host         string   `json:"host"`
	Port         int      `json:"port"`
	Headers      bool     `json:"headers"`
	AuthRequired bool     `json:"auth_required,omitempty"`
	MaxPayload   int32    `json:"max_payload"`
	IP           string   `json:"ip,omitempty"` // "nats-route://host:port/" to dial
	Nonce        string   `json:"nonce,omitempty"`
	Cluster      string   `json:"cluster,omitempty"`
	Dynamic      bool     `json:"cluster_dynamic,omitempty"`
	ConnectURLs  []string `json:"connect_urls,omitempty"` // the server's client URLs
	LameDuckMode bool     `json:"ldm,omitempty"`
	// PoolSize is what a pooling peer (nats-server 2.10+) advertises;
	// this server leaves it out so that such a peer falls back to one
	// route carrying every account (see baseRouteInfo).
	PoolSize int `json:"route_pool_size,omitempty"`
	// RouteAccount names the account of a peer's dedicated route
	// (nats-server's per-account routes, e.g. $SYS); such routes are
	// refused, the account's traffic then goes over the single route.
	RouteAccount string `json:"route_account,omitempty"`
}

// routeConnect is the CONNECT a server sends on a route it dialled.
// Lang is never set by servers: a client that dials the route port is
// recognised by it.
type routeConnect struct {
	Echo     bool   `json:"echo"`
	Verbose  bool   `json:"verbose"`
	Pedantic bool   `json:"pedantic"`
	User     string `json:"user,omitempty"`
	Pass     string `json:"pass,omitempty"`
	TLS      bool   `json:"tls_required"`
	Headers  bool   `json:"headers"`
	Name     string `json:"name"` // the server id
	Cluster  string `json:"cluster"`
	Dynamic  bool   `json:"cluster_dynamic,omitempty"`
	Lang     string `json:"lang,omitempty"`
}

// baseRouteInfo is the INFO this server sends on every new route.
func (s *Server) baseRouteInfo() routeInfo {
	o := &s.opts.Cluster
	ri := routeInfo{
		ID:           s.id,
		Name:         s.info.Name,
		Version:      ServerVersion,
		Proto:        protoVersion,
		GoVersion:    s.info.GoVersion,
		Host:         o.Host,
		Port:         s.cluster.port,
		Headers:      !s.opts.NoHeaderSupport,
		AuthRequired: o.Username != "",
		MaxPayload:   s.opts.MaxPayload,
		Cluster:      s.cluster.name,
		Dynamic:      s.cluster.dynamic,
		// No route_pool_size: nats-server then treats this server as one
		// without pooling, opens a single connection and sends every
		// account's interest and messages over it. Advertising a size
		// makes it open max(its size, ours) connections and pin each
		// account to one of them by hash.
	}
	if o.Advertise != "" {
		host, port, _ := parseHostPort(o.Advertise, s.cluster.port)
		ri.Host, ri.Port = host, port
		ri.IP = "nats-route://" + joinHostPort(host, port) + "/"
	}
	if !o.NoAdvertise {
		ri.ConnectURLs = slices.Clone(s.cluster.ownURLs)
	}
	return ri
}

// sendRouteInfo queues an INFO line on a route.
func (c *client) sendRouteInfo(ri *routeInfo) {
	js, err := json.Marshal(ri)
	if err != nil {
		c.errorf("INFO encoding failed: %v", err)
		return
	}
	if c.srv.opts.Trace {
		c.tracef("->> [INFO %s]", js)
	}
	c.write(proto.AppendInfo(nil, js))
}

// ownClientURLs are the "host:port" client URLs this server gives the
// cluster: client_advertise if set, else the bound client address, with
// a wildcard host replaced by the machine's addresses.
func (s *Server) ownClientURLs() []string {
	_, port := splitHostPort(s.addr)
	if adv := s.opts.ClientAdvertise; adv != "" {
		host, p, err := parseHostPort(adv, port)
		if err == nil {
			return []string{joinHostPort(host, p)}
		}
	}
	host, _ := splitHostPort(s.addr)
	if host != "0.0.0.0" && host != "::" && host != "" {
		return []string{joinHostPort(host, port)}
	}
	var urls []string
	for _, ip := range s.opts.Cluster.LocalIPs {
		urls = append(urls, joinHostPort(ip, port))
	}
	if len(urls) == 0 {
		s.log.Errorf("Address %q can not be resolved properly", host)
	}
	return urls
}

// urlSet is an insertion-ordered set of URLs with reference counts: two
// routes to the same server (or two servers behind one address) may
// report the same URL.
type urlSet struct {
	list   []string
	counts map[string]int
}

// add counts u and reports whether it is new.
func (u *urlSet) add(url string) bool {
	if u.counts == nil {
		u.counts = make(map[string]int)
	}
	u.counts[url]++
	if u.counts[url] > 1 {
		return false
	}
	u.list = append(u.list, url)
	return true
}

// remove uncounts u and reports whether it is gone.
func (u *urlSet) remove(url string) bool {
	n, ok := u.counts[url]
	if !ok {
		return false
	}
	if n > 1 {
		u.counts[url] = n - 1
		return false
	}
	delete(u.counts, url)
	u.list = slices.DeleteFunc(u.list, func(x string) bool { return x == url })
	return true
}

// peerURLsChanged adds or removes a peer's client URLs from the INFO
// connect_urls and, if that changed anything, tells the clients that take
// async INFO.
func (s *Server) peerURLsChanged(urls []string, add bool) {
	cl := s.cluster
	if s.opts.Cluster.NoAdvertise || len(urls) == 0 {
		return
	}
	changed := false
	for _, u := range urls {
		if add && cl.peerURLs.add(u) || !add && cl.peerURLs.remove(u) {
			changed = true
		}
	}
	if !changed {
		return
	}
	s.refreshConnectURLs()
	// A server going down tells its clients nothing: they would forget
	// the other servers just when they need them to reconnect.
	if s.state != stateShuttingDown && s.state != stateStopped {
		s.sendAsyncInfo(s.info)
	}
}

// refreshConnectURLs rebuilds the INFO connect_urls: this server's own
// URLs first (not once it is in lame-duck mode), then its peers'.
func (s *Server) refreshConnectURLs() {
	cl := s.cluster
	urls := make([]string, 0, len(cl.ownURLs)+len(cl.peerURLs.list))
	if s.state != stateLameDuck {
		urls = append(urls, cl.ownURLs...)
	}
	s.info.ConnectURLs = append(urls, cl.peerURLs.list...)
}

// clusterLameDuck tells the peers this server is going away, so they
// stop giving its URLs to their clients, and drops its own URLs from the
// connect_urls its clients are about to receive.
func (s *Server) clusterLameDuck() {
	cl := s.cluster
	if cl == nil {
		return
	}
	ri := s.baseRouteInfo()
	ri.LameDuckMode = true
	for _, r := range cl.routes {
		r.sendRouteInfo(&ri)
	}
	if len(cl.routes) > 0 || len(s.info.ConnectURLs) > 0 {
		s.refreshConnectURLs()
	}
}
