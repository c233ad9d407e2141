package server

import "time"

// Account names nats-server reserves.
const (
	// GlobalAccount holds every user that is not bound to an account.
	GlobalAccount = "$G"
	// DefaultSystemAccount is the system account's name unless
	// system_account says otherwise.
	DefaultSystemAccount = "$SYS"
)

// DefaultResponseThreshold is how long a streamed or chunked service
// import's response mapping lives without traffic (nats-server's
// DEFAULT_SERVICE_EXPORT_RESPONSE_THRESHOLD).
const DefaultResponseThreshold = 2 * time.Minute

// AccountOpts is one account of the accounts {} block. Its users are in
// Options.Auth (auth.User.Account / auth.NkeyUser.Account name it), so
// authentication has one list and duplicate names are caught across
// accounts.
type AccountOpts struct {
	Name     string
	Exports  []ExportOpts
	Imports  []ImportOpts
	Mappings []MappingOpts
	Limits   AccountLimits
	// Nkey is the account's public nkey ("A..."), if given.
	Nkey string
	// JetStream is the account's jetstream {} (nil: no JetStream).
	JetStream *JetStreamAccountOpts
}

// AccountLimits are an account's limits {}; -1 means unlimited.
type AccountLimits struct {
	MaxConnections   int
	MaxSubscriptions int
	MaxPayload       int32
	MaxLeafNodes     int
}

// UnlimitedAccount are the limits of an account with no limits {} block.
var UnlimitedAccount = AccountLimits{MaxConnections: -1, MaxSubscriptions: -1, MaxPayload: -1, MaxLeafNodes: -1}

// ResponseType says how many replies a service import's request may get.
type ResponseType uint8

// The response types of service exports.
const (
	Singleton ResponseType = iota // exactly one reply (default)
	Streamed                      // any number of replies until the threshold
	Chunked                       // like Streamed; the reply is one message in pieces
)

// String is the /accountz spelling.
func (t ResponseType) String() string {
	switch t {
	case Streamed:
		return "Streamed"
	case Chunked:
		return "Chunked"
	}
	return "Singleton"
}

// ExportOpts is one entry of an account's exports: a stream or a
// service subject (wildcards allowed), public when Accounts is nil.
type ExportOpts struct {
	Service bool // a service export; otherwise a stream export
	Subject string
	// Accounts, when not nil, are the only accounts that may import.
	Accounts []string
	// Service exports only.
	ResponseType      ResponseType
	ResponseThreshold time.Duration // 0: DefaultResponseThreshold
	Latency           *LatencyOpts
	AllowTrace        bool
	// AccountTokenPosition, when > 0, is the 1-based token of Subject
	// (a '*') that must equal the importing account's name.
	AccountTokenPosition int
	// Line and Col locate the entry in the config file (0 if unknown).
	Line, Col int
}

// LatencyOpts is a service export's latency tracking.
type LatencyOpts struct {
	Sampling int // 1..100 percent; 0: triggered by headers
	Subject  string
}

// ImportOpts is one entry of an account's imports.
type ImportOpts struct {
	Service bool // a service import; otherwise a stream import
	// Account and Subject name what is imported (the exporter's side).
	Account string
	Subject string
	// To is the local subject: for a stream import, where messages are
	// delivered (a transform of Subject); for a service import, what
	// local clients publish to. Empty means Subject.
	To string
	// Prefix (stream imports only) is prepended to Subject to form the
	// local subject; it ends in '.'.
	Prefix     string
	Share      bool
	AllowTrace bool
	Line, Col  int
}

// MappingOpts is one subject mapping: messages published to Source (a
// subject, wildcards allowed) are delivered to one of Dests instead.
type MappingOpts struct {
	Source string
	Dests  []MapDest
	// Line and Col locate the mapping in the config file (0 if unknown).
	Line, Col int
}

// MapDest is one destination of a mapping. Weight is a percentage
// (1..100); the weights of the destinations of one cluster add up to at
// most 100.
type MapDest struct {
	Subject string
	Weight  uint8
	Cluster string
}
