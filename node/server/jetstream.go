package server

import (
	"time"

	"jsnode/node/monitor"
)

// JetStreamOptions are the server's jetstream {} settings (-js, -sd).
type JetStreamOptions struct {
	Enabled  bool
	StoreDir string
	// MaxMemory and MaxStore bound what all streams may hold (0: the
	// host's defaults, see node/jetstream).
	MaxMemory int64
	MaxStore  int64
	Domain    string
	// SyncInterval > 0 is the relaxed mode: file stores acknowledge a
	// publish once written and fsync every interval, so a power loss
	// can lose acknowledged messages. 0 (and sync_interval: always, which
	// sets SyncAlways) is the default: durable before the ack.
	SyncInterval time.Duration
	SyncAlways   bool
	// Cipher ("chachapoly" or "aes") and Key encrypt file streams at
	// rest: each stream's key is derived from Key and the stream's name.
	Cipher string
	Key    string
}

// JetStreamAccountOpts is an account's jetstream {} (or jetstream:
// enabled, which leaves every limit -1).
type JetStreamAccountOpts struct {
	MaxMemory            int64
	MaxStore             int64
	MaxStreams           int
	MaxConsumers         int
	MaxAckPending        int
	MemoryMaxStreamBytes int64
	StoreMaxStreamBytes  int64
	MaxBytesRequired     bool
}

// JetStreamUnlimited is jetstream: enabled.
var JetStreamUnlimited = JetStreamAccountOpts{MaxMemory: -1, MaxStore: -1, MaxStreams: -1, MaxConsumers: -1,
	MaxAckPending: -1, MemoryMaxStreamBytes: -1, StoreMaxStreamBytes: -1}

// JetStreamService is the JetStream a node runs (node/jetstream),
// attached once the server has started. The server asks it for the
// monitoring documents and stops it when it shuts down.
type JetStreamService interface {
	Jsz(opts *monitor.JszOptions) (*monitor.JSInfo, error)
	// JszAccount is one account's part of /jsz ($SYS.REQ.ACCOUNT.<a>.JSZ).
	JszAccount(opts *monitor.JszOptions) (*monitor.AccountDetail, error)
	Varz() *monitor.JetStreamVarz
	// Unhealthy returns why JetStream is not healthy ("" when it is).
	Unhealthy() string
	// Enabled reports whether account name has JetStream.
	Enabled(account string) bool
	Shutdown()
}

// AttachJetStream makes js the server's JetStream.
func (s *Server) AttachJetStream(js JetStreamService) { s.js = js }

// JetStream returns the attached JetStream, or nil.
func (s *Server) JetStream() JetStreamService { return s.js }

// JetStreamOptions returns the jetstream {} settings in effect.
func (s *Server) JetStreamOptions() JetStreamOptions { return s.opts.JetStream }

// AccountJetStream returns the JetStream settings of account name: nil
// when the account does not have JetStream. With JetStream on and no
// accounts configured, the global account has it unlimited.
func (s *Server) AccountJetStream(name string) *JetStreamAccountOpts {
	if !s.opts.JetStream.Enabled {
		return nil
	}
	for _, a := range s.opts.Accounts {
		if a.Name == name {
			return a.JetStream
		}
	}
	if name == GlobalAccount && len(s.opts.Accounts) == 0 {
		lim := JetStreamUnlimited
		return &lim
	}
	return nil
}

// Env returns the node's environment (for services such as JetStream
// that run on the same loop).
func (s *Server) Env() Env { return s.env }

// Logger returns the node's logger.
func (s *Server) Logger() Logger { return s.log }

// MaxPending is max_pending: what one client may have queued.
func (s *Server) MaxPending() int64 { return s.opts.MaxPending }

// Clustered reports whether the server runs with routes (a cluster {}).
func (s *Server) Clustered() bool { return s.opts.Cluster.enabled() }
