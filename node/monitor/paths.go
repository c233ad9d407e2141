package monitor

import "path"

// The HTTP endpoints, relative to the base path. http_req_stats is keyed
// by these (without the base path).
const (
	RootPath          = "/"
	VarzPath          = "/varz"
	ConnzPath         = "/connz"
	RoutezPath        = "/routez"
	GatewayzPath      = "/gatewayz"
	LeafzPath         = "/leafz"
	SubszPath         = "/subsz"
	SubscriptionsPath = "/subscriptionsz" // old alias of /subsz
	AccountzPath      = "/accountz"
	AccountStatzPath  = "/accstatz"
	JszPath           = "/jsz"
	HealthzPath       = "/healthz"
)

// NormalizeBasePath turns http_base_path into the prefix the endpoints
// are served under: a leading '/' is added and the path is cleaned, so
// "" and "/" are the root and "nats/" is "/nats".
func NormalizeBasePath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	return path.Clean(p)
}

// JoinBasePath is where endpoint p is served under base (a normalized
// base path); the root is base itself.
func JoinBasePath(base, p string) string { return path.Join(base, p) }
