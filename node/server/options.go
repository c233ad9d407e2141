// Package server is the NATS node: client connections, the protocol,
// authentication, permissions and message routing. It runs on one event
// loop and touches the world only through Env.
package server

import (
	"time"

	"jsnode/node/auth"
)

// Defaults, as nats-server has them.
const (
	DefaultHost           = "0.0.0.0"
	DefaultPort           = 4222
	DefaultMaxConnections = 64 * 1024
	DefaultMaxPayload     = 1 << 20
	DefaultMaxControlLine = 4096
	DefaultMaxPending     = 64 << 20
	DefaultPingInterval   = 2 * time.Minute
	DefaultMaxPingsOut    = 2
	DefaultAuthTimeout    = 2 * time.Second
	DefaultWriteDeadline  = 10 * time.Second
	DefaultLameDuckDur    = 2 * time.Minute
	DefaultLameDuckGrace  = 10 * time.Second
	DefaultMaxSubsPerConn = 0 // unlimited
	// DefaultConnectErrorReports and DefaultReconnectErrorReports are
	// nats-server's DEFAULT_CONNECT_ERROR_REPORTS and
	// DEFAULT_RECONNECT_ERROR_REPORTS.
	DefaultConnectErrorReports   = 3600
	DefaultReconnectErrorReports = 1
	DefaultServerNamespace       = "jsnode"
	// RandomPort (-1) as a port asks for any free port, as in nats-server.
	RandomPort = -1
)

// Options configure one node. Zero values mean "the default" after
// SetDefaults; cmd/jsnode fills them from flags and the config file.
type Options struct {
	ServerName string
	Host       string
	Port       int // -1 picks a random port (tests)
	// ClientAdvertise is the host:port given to other nodes' clients.
	ClientAdvertise string

	MaxConn        int
	MaxSubs        int // per connection; 0 = unlimited
	MaxPayload     int32
	MaxControlLine int32
	// MaxPending bounds the output queued for one client; past it the
	// client is a slow consumer, cut off and its queue dropped. What one
	// connection can make the process hold is therefore max_pending plus
	// a fixed overhead: one message (the check comes before it is
	// queued), less than one 16 KiB output buffer (net/tcp: buffers never
	// grow), up to 4 read buffers of 64 KiB in flight (net/tcp
	// readCredits), one held read buffer of unparsed input and one copy of
	// a message whose fan-out waits (backlog.go, fanout.go), and the
	// parser's split-op buffer (max_control_line plus max_payload at
	// most). All of it is released when the connection closes.
	MaxPending      int64
	PingInterval    time.Duration
	MaxPingsOut     int
	WriteDeadline   time.Duration
	NoHeaderSupport bool

	// Auth holds token, users, nkeys and the auth timeout.
	Auth auth.Config

	// Cluster configures routes to the other servers of a cluster.
	Cluster ClusterOpts

	// JetStream is the jetstream {} block (-js, -sd).
	JetStream JetStreamOptions

	// Accounts are the accounts {} block, in config order. $G always
	// exists besides them; users not bound to an account are in $G.
	Accounts []*AccountOpts
	// Mappings are the top-level mappings {} (they apply to $G).
	Mappings []MappingOpts
	// SystemAccount names the system account (default $SYS, created if
	// not configured) unless NoSystemAccount is set.
	SystemAccount   string
	NoSystemAccount bool

	// Monitoring over HTTP (served by the host, computed on the loop):
	// HTTPPort 0 means off, -1 a random port.
	HTTPHost     string
	HTTPPort     int
	HTTPBasePath string
	// MaxClosedClients bounds the closed connections /connz remembers
	// (max_closed_clients; 0: DefaultMaxClosedClients).
	MaxClosedClients int

	LameDuckDuration    time.Duration
	LameDuckGracePeriod time.Duration

	Debug bool
	Trace bool
	// TraceHeaders traces only the header block of message payloads;
	// MaxTracedMsgLen (0: unlimited) cuts traced payloads to that many
	// bytes, as nats-server's trace_headers and max_traced_msg_len.
	TraceHeaders    bool
	MaxTracedMsgLen int

	// ConnectErrorReports and ReconnectErrorReports say how often a route
	// that keeps failing to connect is logged as an error (every Nth
	// attempt; the others go to debug): the first connect and a reconnect
	// after losing a route count separately, as in nats-server.
	ConnectErrorReports   int
	ReconnectErrorReports int
	// NoFastProducerStall: a producer is never paused for a consumer that
	// is over its high-water mark; the message to that consumer is dropped
	// instead (nats-server's no_fast_producer_stall).
	NoFastProducerStall bool
	// NoSublistCache is accepted for compatibility: jsnode's subscription
	// index has no result cache to turn off.
	NoSublistCache bool

	// ConfigFile is where the options came from, for INFO/varz and errors.
	ConfigFile string
	// ConfigDigest ("sha256:<hex>") identifies the file's contents; the
	// host computes it, a reload logs it.
	ConfigDigest string
}

// SetDefaults fills unset options with nats-server's defaults.
func (o *Options) SetDefaults() {
	if o.Host == "" {
		o.Host = DefaultHost
	}
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	if o.MaxConn == 0 {
		o.MaxConn = DefaultMaxConnections
	}
	if o.MaxPayload == 0 {
		o.MaxPayload = DefaultMaxPayload
	}
	if o.MaxControlLine == 0 {
		o.MaxControlLine = DefaultMaxControlLine
	}
	if o.MaxPending == 0 {
		o.MaxPending = DefaultMaxPending
	}
	if o.PingInterval == 0 {
		o.PingInterval = DefaultPingInterval
	}
	if o.MaxPingsOut == 0 {
		o.MaxPingsOut = DefaultMaxPingsOut
	}
	if o.WriteDeadline == 0 {
		o.WriteDeadline = DefaultWriteDeadline
	}
	if o.Auth.Timeout == 0 {
		o.Auth.Timeout = DefaultAuthTimeout
	}
	if o.LameDuckDuration == 0 {
		o.LameDuckDuration = DefaultLameDuckDur
	}
	if o.LameDuckGracePeriod == 0 {
		o.LameDuckGracePeriod = DefaultLameDuckGrace
	}
	if o.ConnectErrorReports <= 0 {
		o.ConnectErrorReports = DefaultConnectErrorReports
	}
	if o.ReconnectErrorReports <= 0 {
		o.ReconnectErrorReports = DefaultReconnectErrorReports
	}
	o.Cluster.setDefaults()
}
