package monitor

import "time"

// Varz is the /varz document: the server's identity, its configuration
// summary and its runtime counters.
//
// The nested option summaries (Cluster, Gateway, LeafNode, MQTT,
// Websocket, JetStream) are values, not pointers: encoding/json's
// omitempty never drops a struct, so they always appear, as "{}" when the
// feature is off, which tools rely on.
type Varz struct {
	ID                string   `json:"server_id"`
	Name              string   `json:"server_name"`
	Version           string   `json:"version"`
	Proto             int      `json:"proto"`
	GitCommit         string   `json:"git_commit,omitempty"`
	GoVersion         string   `json:"go"`
	Host              string   `json:"host"`
	Port              int      `json:"port"`
	AuthRequired      bool     `json:"auth_required,omitempty"`
	TLSRequired       bool     `json:"tls_required,omitempty"`
	TLSVerify         bool     `json:"tls_verify,omitempty"`
	TLSOCSPPeerVerify bool     `json:"tls_ocsp_peer_verify,omitempty"`
	IP                string   `json:"ip,omitempty"`
	ClientConnectURLs []string `json:"connect_urls,omitempty"`
	WSConnectURLs     []string `json:"ws_connect_urls,omitempty"`
	MaxConn           int      `json:"max_connections"`
	MaxSubs           int      `json:"max_subscriptions,omitempty"`
	// PingInterval is in nanoseconds, as every Duration here.
	PingInterval time.Duration `json:"ping_interval"`
	MaxPingsOut  int           `json:"ping_max"`
	HTTPHost     string        `json:"http_host"`
	HTTPPort     int           `json:"http_port"`
	HTTPBasePath string        `json:"http_base_path"`
	HTTPSPort    int           `json:"https_port"`
	// AuthTimeout and TLSTimeout are seconds (fractions allowed).
	AuthTimeout    float64 `json:"auth_timeout"`
	MaxControlLine int32   `json:"max_control_line"`
	MaxPayload     int     `json:"max_payload"`
	MaxPending     int64   `json:"max_pending"`

	Cluster   ClusterOptsVarz   `json:"cluster,omitempty"`
	Gateway   GatewayOptsVarz   `json:"gateway,omitempty"`
	LeafNode  LeafNodeOptsVarz  `json:"leaf,omitempty"`
	MQTT      MQTTOptsVarz      `json:"mqtt,omitempty"`
	Websocket WebsocketOptsVarz `json:"websocket,omitempty"`
	JetStream JetStreamVarz     `json:"jetstream,omitempty"`

	TLSTimeout    float64       `json:"tls_timeout"`
	WriteDeadline time.Duration `json:"write_deadline"`
	// WriteTimeout is the write-deadline policy; the default prints as
	// "" and is left out.
	WriteTimeout string    `json:"write_timeout,omitempty"`
	Start        time.Time `json:"start"`
	Now          time.Time `json:"now"`
	// Uptime is in MyUptime's format.
	Uptime string `json:"uptime"`
	// Mem is the resident set size in bytes.
	Mem      int64 `json:"mem"`
	Cores    int   `json:"cores"`
	MaxProcs int   `json:"gomaxprocs"`
	MemLimit int64 `json:"gomemlimit,omitempty"`
	// CPU is the process's CPU use in percent (above 100 on several cores).
	CPU              float64 `json:"cpu"`
	Connections      int     `json:"connections"`
	TotalConnections uint64  `json:"total_connections"`
	Routes           int     `json:"routes"`
	Remotes          int     `json:"remotes"`
	Leafs            int     `json:"leafnodes"`
	// In/Out count every kind of connection; the Client variants only
	// client connections.
	InMsgs           int64             `json:"in_msgs"`
	InBytes          int64             `json:"in_bytes"`
	InClientMsgs     int64             `json:"in_client_msgs"`
	InClientBytes    int64             `json:"in_client_bytes"`
	OutMsgs          int64             `json:"out_msgs"`
	OutBytes         int64             `json:"out_bytes"`
	OutClientMsgs    int64             `json:"out_client_msgs"`
	OutClientBytes   int64             `json:"out_client_bytes"`
	SlowConsumers    int64             `json:"slow_consumers"`
	StaleConnections int64             `json:"stale_connections"`
	StalledClients   int64             `json:"stalled_clients"`
	Subscriptions    uint32            `json:"subscriptions"`
	HTTPReqStats     map[string]uint64 `json:"http_req_stats"`
	ConfigLoadTime   time.Time         `json:"config_load_time"`
	ConfigDigest     string            `json:"config_digest"`
	Tags             []string          `json:"tags,omitempty"`
	Metadata         map[string]string `json:"metadata,omitempty"`
	FeatureFlags     map[string]bool   `json:"feature_flags,omitempty"`
	// TrustedOperatorsJwt and TrustedOperatorsClaim are operator mode's
	// JWTs and their decoded claims (kept undecoded here).
	TrustedOperatorsJwt   []string               `json:"trusted_operators_jwt,omitempty"`
	TrustedOperatorsClaim []RawJSON              `json:"trusted_operators_claim,omitempty"`
	SystemAccount         string                 `json:"system_account,omitempty"`
	PinnedAccountFail     uint64                 `json:"pinned_account_fails,omitempty"`
	OCSPResponseCache     *OCSPResponseCacheVarz `json:"ocsp_peer_cache,omitempty"`
	SlowConsumersStats    *SlowConsumersStats    `json:"slow_consumer_stats"`
	StaleConnectionStats  *StaleConnectionStats  `json:"stale_connection_stats,omitempty"`
	DiskIOWaitStats       *DiskIOWaitStats       `json:"disk_io_wait_stats"`
	Proxies               *ProxiesOptsVarz       `json:"proxies,omitempty"`
	TLSCertNotAfter       time.Time              `json:"tls_cert_not_after,omitzero"`
}

// ClusterOptsVarz summarises the cluster {} block.
type ClusterOptsVarz struct {
	Name        string   `json:"name,omitempty"`
	Host        string   `json:"addr,omitempty"`
	Port        int      `json:"cluster_port,omitempty"`
	AuthTimeout float64  `json:"auth_timeout,omitempty"`
	URLs        []string `json:"urls,omitempty"`
	TLSTimeout  float64  `json:"tls_timeout,omitempty"`
	TLSRequired bool     `json:"tls_required,omitempty"`
	TLSVerify   bool     `json:"tls_verify,omitempty"`
	PoolSize    int      `json:"pool_size,omitempty"`
	// WriteDeadline and WriteTimeout are the route overrides.
	WriteDeadline   time.Duration `json:"write_deadline,omitempty"`
	WriteTimeout    string        `json:"write_timeout,omitempty"`
	TLSCertNotAfter time.Time     `json:"tls_cert_not_after,omitzero"`
}

// GatewayOptsVarz summarises the gateway {} block. nats-server copies
// WriteDeadline and WriteTimeout from the cluster options.
type GatewayOptsVarz struct {
	Name            string                  `json:"name,omitempty"`
	Host            string                  `json:"host,omitempty"`
	Port            int                     `json:"port,omitempty"`
	AuthTimeout     float64                 `json:"auth_timeout,omitempty"`
	TLSTimeout      float64                 `json:"tls_timeout,omitempty"`
	TLSRequired     bool                    `json:"tls_required,omitempty"`
	TLSVerify       bool                    `json:"tls_verify,omitempty"`
	Advertise       string                  `json:"advertise,omitempty"`
	ConnectRetries  int                     `json:"connect_retries,omitempty"`
	Gateways        []RemoteGatewayOptsVarz `json:"gateways,omitempty"`
	RejectUnknown   bool                    `json:"reject_unknown,omitempty"`
	WriteDeadline   time.Duration           `json:"write_deadline,omitempty"`
	WriteTimeout    string                  `json:"write_timeout,omitempty"`
	TLSCertNotAfter time.Time               `json:"tls_cert_not_after,omitzero"`
}

// RemoteGatewayOptsVarz is one configured remote gateway.
type RemoteGatewayOptsVarz struct {
	Name       string   `json:"name"`
	TLSTimeout float64  `json:"tls_timeout,omitempty"`
	URLs       []string `json:"urls,omitempty"`
}

// LeafNodeOptsVarz summarises the leafnodes {} block. nats-server copies
// WriteDeadline and WriteTimeout from the cluster options.
type LeafNodeOptsVarz struct {
	Host              string               `json:"host,omitempty"`
	Port              int                  `json:"port,omitempty"`
	AuthTimeout       float64              `json:"auth_timeout,omitempty"`
	TLSTimeout        float64              `json:"tls_timeout,omitempty"`
	TLSRequired       bool                 `json:"tls_required,omitempty"`
	TLSVerify         bool                 `json:"tls_verify,omitempty"`
	Remotes           []RemoteLeafOptsVarz `json:"remotes,omitempty"`
	TLSOCSPPeerVerify bool                 `json:"tls_ocsp_peer_verify,omitempty"`
	WriteDeadline     time.Duration        `json:"write_deadline,omitempty"`
	WriteTimeout      string               `json:"write_timeout,omitempty"`
	TLSCertNotAfter   time.Time            `json:"tls_cert_not_after,omitzero"`
}

// DenyRules are the subjects a leaf remote may not import or export.
type DenyRules struct {
	Exports []string `json:"exports,omitempty"`
	Imports []string `json:"imports,omitempty"`
}

// RemoteLeafOptsVarz is one configured leaf remote.
type RemoteLeafOptsVarz struct {
	LocalAccount      string     `json:"local_account,omitempty"`
	TLSTimeout        float64    `json:"tls_timeout,omitempty"`
	URLs              []string   `json:"urls,omitempty"`
	Deny              *DenyRules `json:"deny,omitempty"`
	TLSOCSPPeerVerify bool       `json:"tls_ocsp_peer_verify,omitempty"`
}

// MQTTOptsVarz summarises the mqtt {} block.
type MQTTOptsVarz struct {
	Host              string        `json:"host,omitempty"`
	Port              int           `json:"port,omitempty"`
	NoAuthUser        string        `json:"no_auth_user,omitempty"`
	AuthTimeout       float64       `json:"auth_timeout,omitempty"`
	TLSMap            bool          `json:"tls_map,omitempty"`
	TLSTimeout        float64       `json:"tls_timeout,omitempty"`
	TLSPinnedCerts    []string      `json:"tls_pinned_certs,omitempty"`
	JsDomain          string        `json:"js_domain,omitempty"`
	AckWait           time.Duration `json:"ack_wait,omitempty"`
	MaxAckPending     uint16        `json:"max_ack_pending,omitempty"`
	TLSOCSPPeerVerify bool          `json:"tls_ocsp_peer_verify,omitempty"`
	TLSCertNotAfter   time.Time     `json:"tls_cert_not_after,omitzero"`
}

// WebsocketOptsVarz summarises the websocket {} block.
type WebsocketOptsVarz struct {
	Host              string        `json:"host,omitempty"`
	Port              int           `json:"port,omitempty"`
	Advertise         string        `json:"advertise,omitempty"`
	NoAuthUser        string        `json:"no_auth_user,omitempty"`
	JWTCookie         string        `json:"jwt_cookie,omitempty"`
	HandshakeTimeout  time.Duration `json:"handshake_timeout,omitempty"`
	AuthTimeout       float64       `json:"auth_timeout,omitempty"`
	NoTLS             bool          `json:"no_tls,omitempty"`
	TLSMap            bool          `json:"tls_map,omitempty"`
	TLSPinnedCerts    []string      `json:"tls_pinned_certs,omitempty"`
	SameOrigin        bool          `json:"same_origin,omitempty"`
	AllowedOrigins    []string      `json:"allowed_origins,omitempty"`
	Compression       bool          `json:"compression,omitempty"`
	TLSOCSPPeerVerify bool          `json:"tls_ocsp_peer_verify,omitempty"`
	TLSCertNotAfter   time.Time     `json:"tls_cert_not_after,omitzero"`
}

// OCSPResponseCacheVarz is the OCSP peer cache's state.
type OCSPResponseCacheVarz struct {
	Type      string `json:"cache_type,omitempty"`
	Hits      int64  `json:"cache_hits,omitempty"`
	Misses    int64  `json:"cache_misses,omitempty"`
	Responses int64  `json:"cached_responses,omitempty"`
	Revokes   int64  `json:"cached_revoked_responses,omitempty"`
	Goods     int64  `json:"cached_good_responses,omitempty"`
	Unknowns  int64  `json:"cached_unknown_responses,omitempty"`
}

// ProxiesOptsVarz lists the trusted proxies.
type ProxiesOptsVarz struct {
	Trusted []*ProxyOptsVarz `json:"trusted,omitempty"`
}

// ProxyOptsVarz is one trusted proxy.
type ProxyOptsVarz struct {
	Key string `json:"key"`
}

// SlowConsumersStats counts slow consumers by connection kind.
type SlowConsumersStats struct {
	Clients  uint64 `json:"clients"`
	Routes   uint64 `json:"routes"`
	Gateways uint64 `json:"gateways"`
	Leafs    uint64 `json:"leafs"`
}

// StaleConnectionStats counts stale connections by connection kind.
type StaleConnectionStats struct {
	Clients  uint64 `json:"clients"`
	Routes   uint64 `json:"routes"`
	Gateways uint64 `json:"gateways"`
	Leafs    uint64 `json:"leafs"`
}

// DiskIOWaitStats describes waits for the disk I/O semaphore (times in
// nanoseconds).
type DiskIOWaitStats struct {
	Waiters     int64  `json:"waiters"`
	Waits       uint64 `json:"waits"`
	WaitTime    uint64 `json:"wait_time"`
	MaxWaitTime uint64 `json:"max_wait_time"`
}
