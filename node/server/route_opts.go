package server

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"jsnode/node/redact"
)

// ClusterOpts configure the routes to the other servers of a cluster, as
// nats-server's `cluster {}` block and --cluster/--routes flags do.
// Clustering is on when Port is not 0.
type ClusterOpts struct {
	// Name must match on every server of the cluster. Empty: a name is
	// generated and then adopted from the first named peer, as
	// nats-server's dynamic cluster names are.
	Name string
	Host string
	Port int // -1 picks a random port (tests)
	// Advertise is the "host:port" other servers should dial to reach
	// this one (cluster_advertise); default: the address they saw.
	Advertise string
	// NoAdvertise keeps peers' client URLs out of the connect_urls this
	// server gives its clients.
	NoAdvertise bool
	// Routes are the servers to connect to: "nats-route://[user:pass@]host:port"
	// (nats:// is accepted too). Listing this server itself is harmless.
	Routes []string
	// Username and Password are required from servers that connect to
	// this one (cluster authorization); AuthTimeout bounds their CONNECT.
	Username    string
	Password    string
	AuthTimeout time.Duration
	// ConnectRetries is how many times a route learned from gossip is
	// retried; configured routes are retried forever.
	ConnectRetries int
	// ConnectBackoff doubles the pause between failed attempts, up to
	// routeConnectMaxDelay.
	ConnectBackoff bool
	// PoolSize is the number of connections per pair of servers. jsnode
	// keeps one: 0, 1 and -1 (no pooling) are accepted, and its INFO
	// advertises no pool size, so nats-server peers keep one too.
	PoolSize int
	// PingInterval, MaxPingsOut and WriteDeadline override the server's
	// values for routes (0: use those).
	PingInterval  time.Duration
	MaxPingsOut   int
	WriteDeadline time.Duration
	// LocalIPs are this machine's non-loopback addresses, filled by the
	// host process (not by configuration): the client URLs advertised to
	// the cluster when the client listener is bound to 0.0.0.0 or ::.
	LocalIPs []string
}

// Route timing and limits, with nats-server's values where it has them.
const (
	// routeConnectDelay is the pause between failed connection attempts
	// (DEFAULT_ROUTE_CONNECT); with ConnectBackoff it doubles up to
	// routeConnectMaxDelay (DEFAULT_ROUTE_CONNECT_MAX).
	routeConnectDelay    = time.Second
	routeConnectMaxDelay = 30 * time.Second
	// routeReconnectDelay is the pause before redialling a configured
	// route that went away (DEFAULT_ROUTE_RECONNECT), plus a random
	// jitter below routeReconnectJitter so that two servers that lost
	// each other do not redial in lockstep.
	routeReconnectDelay  = time.Second
	routeReconnectJitter = 100 * time.Millisecond
	// routeMaxPingInterval caps the ping interval of routes, and
	// routeFirstPingInterval the first PING after a route connects.
	routeMaxPingInterval   = 30 * time.Second
	routeFirstPingInterval = time.Second
	// dynamicClusterNameLen is the length of a generated cluster name.
	dynamicClusterNameLen = 22
	// maxRouteDialers bounds the route dial loops in flight (configured
	// routes plus gossiped ones).
	maxRouteDialers = 1024
)

// enabled reports whether the server has a cluster listener.
func (o *ClusterOpts) enabled() bool { return o.Port != 0 }

// setDefaults fills what nats-server fills for an enabled cluster.
func (o *ClusterOpts) setDefaults() {
	if !o.enabled() {
		return
	}
	if o.Host == "" {
		o.Host = DefaultHost
	}
	if o.AuthTimeout == 0 {
		o.AuthTimeout = DefaultAuthTimeout
	}
}

// validate rejects cluster settings nats-server refuses or jsnode lacks.
func (o *ClusterOpts) validate() error {
	if strings.ContainsAny(o.Name, " \t\r\n") {
		return errors.New("cluster name cannot contain spaces")
	}
	if o.Name == leafNoOriginCluster {
		return errors.New("cluster name is reserved")
	}
	switch o.PoolSize {
	case -1, 0, 1:
	default:
		return fmt.Errorf("cluster pool_size %d is not supported by jsnode yet (one route per pair of servers: use 1)", o.PoolSize)
	}
	if len(o.Routes) > 0 && !o.enabled() {
		return errors.New("cluster routes need a cluster port (set cluster.listen or --cluster)")
	}
	if len(o.Routes) > maxRouteDialers {
		return fmt.Errorf("too many cluster routes (%d, at most %d)", len(o.Routes), maxRouteDialers)
	}
	for _, r := range o.Routes {
		if _, err := parseRouteURL(r); err != nil {
			return err
		}
	}
	if o.Advertise != "" {
		if _, _, err := parseHostPort(o.Advertise, o.Port); err != nil {
			return fmt.Errorf("Error setting route INFO with Cluster.Advertise value of %s, err=%v", o.Advertise, err)
		}
	}
	if o.Password != "" && o.Username == "" {
		return errors.New("cluster authorization needs a user with the password")
	}
	return nil
}

// leafNoOriginCluster is a cluster name reserved by the protocol.
const leafNoOriginCluster = "_"

// routeURL is a parsed route address.
type routeURL struct {
	raw        string // as configured (may hold a password: never log)
	hostPort   string // what to dial
	user, pass string
}

// String is the URL without its password, for logs.
func (u routeURL) String() string {
	if u.user == "" {
		return "nats-route://" + u.hostPort
	}
	return "nats-route://" + u.user + ":" + redact.URLPassword + "@" + u.hostPort
}

// parseRouteURL accepts "nats-route://[user:pass@]host:port[/]" and, as
// nats-server does, any other scheme with the same shape.
func parseRouteURL(s string) (routeURL, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return routeURL{}, fmt.Errorf("error parsing route url [%q]", redact.URL(s))
	}
	host, port, err := parseHostPort(u.Host, 0)
	if err != nil || port <= 0 {
		return routeURL{}, fmt.Errorf("error parsing route url [%q]: needs host:port", redact.URL(s))
	}
	r := routeURL{raw: s, hostPort: joinHostPort(host, port)}
	if u.User != nil {
		r.user = u.User.Username()
		r.pass, _ = u.User.Password()
	}
	return r, nil
}

// parseHostPort splits "host:port", "[v6]:port" or a bare host (then the
// port is defPort).
func parseHostPort(hp string, defPort int) (string, int, error) {
	hp = strings.TrimSpace(hp)
	host, portStr := hp, ""
	switch {
	case strings.HasPrefix(hp, "["):
		end := strings.IndexByte(hp, ']')
		if end < 0 {
			return "", 0, errors.New("missing ']'")
		}
		host = hp[1:end]
		if rest := hp[end+1:]; rest != "" {
			if rest[0] != ':' {
				return "", 0, errors.New("junk after ']'")
			}
			portStr = rest[1:]
		}
	case strings.Count(hp, ":") == 1:
		i := strings.IndexByte(hp, ':')
		host, portStr = hp[:i], hp[i+1:]
	case strings.Count(hp, ":") > 1:
		// An IPv6 address needs brackets to carry a port; Go's
		// net.SplitHostPort, which nats-server uses, says so this way.
		return "", 0, fmt.Errorf("address %s: too many colons in address", hp)
	}
	if host == "" {
		return "", 0, errors.New("missing host")
	}
	port := defPort
	if portStr != "" {
		p, err := strconv.Atoi(portStr)
		if err != nil || p < -1 || p > 65535 {
			return "", 0, fmt.Errorf("bad port %q", portStr)
		}
		port = p
	}
	return host, port, nil
}

// routePingInterval is the ping interval of routes: the cluster's if
// set, else the server's, capped at routeMaxPingInterval.
func (s *Server) routePingInterval() time.Duration {
	d := s.opts.PingInterval
	if c := s.opts.Cluster.PingInterval; c > 0 {
		d = c
	}
	return min(d, routeMaxPingInterval)
}

// routeMaxPingsOut is how many unanswered PINGs make a route stale.
func (s *Server) routeMaxPingsOut() int {
	if n := s.opts.Cluster.MaxPingsOut; n > 0 {
		return n
	}
	return s.opts.MaxPingsOut
}

// routeWriteDeadline bounds how long a route's output may make no
// progress before the route is cut off as a slow consumer.
func (s *Server) routeWriteDeadline() time.Duration {
	if d := s.opts.Cluster.WriteDeadline; d > 0 {
		return d
	}
	return s.opts.WriteDeadline
}

// Reasons a route connection closes, after the client ones (limits.go).
const (
	DuplicateRoute ClosedState = Kicked + 1 + iota
	ClusterNameConflict
	DuplicateServerName
	WrongPort
	RouteRemoved
)

// clusterClosedStateString names the route close reasons as nats-server
// does (connz/routez "reason").
func clusterClosedStateString(r ClosedState) string {
	switch r {
	case DuplicateRoute:
		return "Duplicate Route"
	case ClusterNameConflict:
		return "Cluster Name Conflict"
	case DuplicateServerName:
		return "Duplicate Server Name"
	case WrongPort:
		return "Incorrect Port"
	case RouteRemoved:
		return "Route Removed"
	}
	return "Unknown State"
}
