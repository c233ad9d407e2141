package monitor

import "time"

// The system account's event and reply types ($SYS.SERVER.*, $SYS.ACCOUNT.*,
// $SYS.REQ.*). Peers and tools (nats server ping/list/info/report) decode
// them into nats-server's structs.

// Advisory type names (TypedEvent.Type).
const (
	ConnectEventMsgType    = "io.nats.server.advisory.v1.client_connect"
	DisconnectEventMsgType = "io.nats.server.advisory.v1.client_disconnect"
	AccountNumConnsMsgType = "io.nats.server.advisory.v1.account_connections"
)

// ServerCapability is the ServerInfo "flags" bit set.
type ServerCapability uint64

// Capability bits.
const (
	CapJetStream            ServerCapability = 1 << iota // JetStream is enabled
	CapBinaryStreamSnapshot                              // binary stream snapshots
	CapAccountNRG                                        // RAFT traffic in the asset's account
)

// ServerInfo identifies the server that sent an event or reply. Seq
// numbers this server's messages; JetStream repeats the JetStream flag.
type ServerInfo struct {
	Name         string            `json:"name"`
	Host         string            `json:"host"`
	ID           string            `json:"id"`
	Cluster      string            `json:"cluster,omitempty"`
	Domain       string            `json:"domain,omitempty"`
	Version      string            `json:"ver"`
	Tags         []string          `json:"tags,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
	FeatureFlags map[string]bool   `json:"feature_flags,omitempty"`
	JetStream    bool              `json:"jetstream"`
	Flags        ServerCapability  `json:"flags"`
	Seq          uint64            `json:"seq"`
	Time         time.Time         `json:"time"`
}

// Idz is the IDZ reply: who a server is.
type Idz struct {
	Name string `json:"name"`
	Host string `json:"host"`
	ID   string `json:"id"`
}

// ServerStatsMsg is the STATSZ event and reply (never wrapped in
// ServerAPIResponse).
type ServerStatsMsg struct {
	Server ServerInfo  `json:"server"`
	Stats  ServerStats `json:"statsz"`
}

// ServerStats are a server's periodic statistics. ActiveServers counts
// the servers this one knows, itself included.
type ServerStats struct {
	Start                time.Time             `json:"start"`
	Mem                  int64                 `json:"mem"`
	Cores                int                   `json:"cores"`
	CPU                  float64               `json:"cpu"`
	Connections          int                   `json:"connections"`
	TotalConnections     uint64                `json:"total_connections"`
	ActiveAccounts       int                   `json:"active_accounts"`
	NumSubs              uint32                `json:"subscriptions"`
	Sent                 DataStats             `json:"sent"`
	SentToClients        DataStats             `json:"sent_to_clients"`
	Received             DataStats             `json:"received"`
	ReceivedFromClients  DataStats             `json:"received_from_clients"`
	SlowConsumers        int64                 `json:"slow_consumers"`
	SlowConsumersStats   *SlowConsumersStats   `json:"slow_consumer_stats,omitempty"`
	StaleConnections     int64                 `json:"stale_connections,omitempty"`
	StaleConnectionStats *StaleConnectionStats `json:"stale_connection_stats,omitempty"`
	StalledClients       int64                 `json:"stalled_clients,omitempty"`
	Routes               []*RouteStat          `json:"routes,omitempty"`
	Gateways             []*GatewayStat        `json:"gateways,omitempty"`
	ActiveServers        int                   `json:"active_servers,omitempty"`
	JetStream            *JetStreamVarz        `json:"jetstream,omitempty"`
	MemLimit             int64                 `json:"gomemlimit,omitempty"`
	MaxProcs             int                   `json:"gomaxprocs,omitempty"`
}

// RouteStat is one route's traffic in ServerStats.
type RouteStat struct {
	ID       uint64    `json:"rid"`
	Name     string    `json:"name,omitempty"`
	Sent     DataStats `json:"sent"`
	Received DataStats `json:"received"`
	Pending  int       `json:"pending"`
}

// GatewayStat is one gateway's traffic in ServerStats.
type GatewayStat struct {
	ID         uint64    `json:"gwid"`
	Name       string    `json:"name"`
	Sent       DataStats `json:"sent"`
	Received   DataStats `json:"received"`
	NumInbound int       `json:"inbound_connections"`
}

// TypedEvent starts every advisory: its type, a unique id and when it
// happened.
type TypedEvent struct {
	Type string    `json:"type"`
	ID   string    `json:"id"`
	Time time.Time `json:"timestamp"`
}

// ClientInfo describes a client in events. RTT is in nanoseconds.
type ClientInfo struct {
	Start      *time.Time    `json:"start,omitempty"`
	Host       string        `json:"host,omitempty"`
	ID         uint64        `json:"id,omitempty"`
	Account    string        `json:"acc,omitempty"`
	Service    string        `json:"svc,omitempty"`
	User       string        `json:"user,omitempty"`
	Name       string        `json:"name,omitempty"`
	Lang       string        `json:"lang,omitempty"`
	Version    string        `json:"ver,omitempty"`
	RTT        time.Duration `json:"rtt,omitempty"`
	Server     string        `json:"server,omitempty"`
	Cluster    string        `json:"cluster,omitempty"`
	Alternates []string      `json:"alts,omitempty"`
	Stop       *time.Time    `json:"stop,omitempty"`
	Jwt        string        `json:"jwt,omitempty"`
	IssuerKey  string        `json:"issuer_key,omitempty"`
	NameTag    string        `json:"name_tag,omitempty"`
	Tags       []string      `json:"tags,omitempty"`
	Kind       string        `json:"kind,omitempty"`
	ClientType string        `json:"client_type,omitempty"`
	MQTTClient string        `json:"client_id,omitempty"`
	Nonce      string        `json:"nonce,omitempty"`
	Reply      string        `json:"reply,omitempty"`
}

// ConnectEventMsg is published on $SYS.ACCOUNT.<acc>.CONNECT.
type ConnectEventMsg struct {
	TypedEvent
	Server ServerInfo `json:"server"`
	Client ClientInfo `json:"client"`
}

// DisconnectEventMsg is published on $SYS.ACCOUNT.<acc>.DISCONNECT. Sent
// is what the client sent (the server's in counters), Received what it
// was sent; Reason is the closed-state text.
type DisconnectEventMsg struct {
	TypedEvent
	Server   ServerInfo `json:"server"`
	Client   ClientInfo `json:"client"`
	Sent     DataStats  `json:"sent"`
	Received DataStats  `json:"received"`
	Reason   string     `json:"reason"`
}

// AccountNumConns is published on $SYS.ACCOUNT.<acc>.SERVER.CONNS when an
// account's connection count changes, and as a heartbeat.
type AccountNumConns struct {
	TypedEvent
	Server ServerInfo `json:"server"`
	AccountStat
}

// ServerAPIResponse is the envelope of the Z replies ($SYS.REQ.SERVER.*.VARZ
// and friends): Data is the endpoint's document, Error is set instead on
// failure (400 for a bad request body, 500 for a handler error).
type ServerAPIResponse struct {
	Server *ServerInfo `json:"server"`
	Data   any         `json:"data,omitempty"`
	Error  *APIError   `json:"error,omitempty"`
}

// APIError is an error in a ServerAPIResponse.
type APIError struct {
	Code        int    `json:"code"`
	ErrCode     uint16 `json:"err_code,omitempty"`
	Description string `json:"description,omitempty"`
}

// UserInfo is the $SYS.REQ.USER.INFO reply's data. Expires is the time
// left before the user's credentials expire, in nanoseconds.
type UserInfo struct {
	UserID      string        `json:"user"`
	Account     string        `json:"account"`
	AccountName string        `json:"account_name,omitempty"`
	UserName    string        `json:"user_name,omitempty"`
	Permissions *Permissions  `json:"permissions,omitempty"`
	Expires     time.Duration `json:"expires,omitempty"`
}

// Permissions are a user's publish and subscribe rules.
type Permissions struct {
	Publish   *SubjectPermission  `json:"publish"`
	Subscribe *SubjectPermission  `json:"subscribe"`
	Response  *ResponsePermission `json:"responses,omitempty"`
}

// ResponsePermission is allow_responses: at most MaxMsgs replies within
// Expires (nanoseconds).
type ResponsePermission struct {
	MaxMsgs int           `json:"max"`
	Expires time.Duration `json:"ttl"`
}
