package monitor

import "time"

// Connz is the /connz document: one page of client and leaf connections.
// Total counts the connections before paging; NumConns those on the page.
type Connz struct {
	ID       string      `json:"server_id"`
	Now      time.Time   `json:"now"`
	NumConns int         `json:"num_connections"`
	Total    int         `json:"total"`
	Offset   int         `json:"offset"`
	Limit    int         `json:"limit"`
	Conns    []*ConnInfo `json:"connections"`
}

// Connection kinds and types as /connz spells them.
const (
	KindClient   = "Client"
	KindRouter   = "Router"
	KindLeafnode = "Leafnode"
	TypeNATS     = "nats"
)

// ConnInfo is one connection of /connz. For a closed connection Stop and
// Reason are set and the counters are those at the close.
type ConnInfo struct {
	Cid          uint64     `json:"cid"`
	Kind         string     `json:"kind,omitempty"`
	Type         string     `json:"type,omitempty"`
	IP           string     `json:"ip"`
	Port         int        `json:"port"`
	Start        time.Time  `json:"start"`
	LastActivity time.Time  `json:"last_activity"`
	Stop         *time.Time `json:"stop,omitempty"`
	Reason       string     `json:"reason,omitempty"`
	// RTT is a Go duration string ("1.5ms", "0s"); Uptime and Idle are
	// in MyUptime's format.
	RTT            string         `json:"rtt,omitempty"`
	Uptime         string         `json:"uptime"`
	Idle           string         `json:"idle"`
	Pending        int            `json:"pending_bytes"`
	InMsgs         int64          `json:"in_msgs"`
	OutMsgs        int64          `json:"out_msgs"`
	InBytes        int64          `json:"in_bytes"`
	OutBytes       int64          `json:"out_bytes"`
	Stalls         int64          `json:"stalls,omitempty"`
	NumSubs        uint32         `json:"subscriptions"`
	Name           string         `json:"name,omitempty"`
	Lang           string         `json:"lang,omitempty"`
	Version        string         `json:"version,omitempty"`
	TLSVersion     string         `json:"tls_version,omitempty"`
	TLSCipher      string         `json:"tls_cipher_suite,omitempty"`
	TLSPeerCerts   []*TLSPeerCert `json:"tls_peer_certs,omitempty"`
	TLSFirst       bool           `json:"tls_first,omitempty"`
	AuthorizedUser string         `json:"authorized_user,omitempty"`
	// Account is left out for the global account.
	Account    string      `json:"account,omitempty"`
	Subs       []string    `json:"subscriptions_list,omitempty"`
	SubsDetail []SubDetail `json:"subscriptions_list_detail,omitempty"`
	JWT        string      `json:"jwt,omitempty"`
	IssuerKey  string      `json:"issuer_key,omitempty"`
	NameTag    string      `json:"name_tag,omitempty"`
	Tags       []string    `json:"tags,omitempty"`
	MQTTClient string      `json:"mqtt_client,omitempty"`
	Proxy      *ProxyInfo  `json:"proxy,omitempty"`
}

// ProxyInfo names the trusted proxy a connection came through.
type ProxyInfo struct {
	Key string `json:"key"`
}

// TLSPeerCert describes one certificate a TLS peer presented.
type TLSPeerCert struct {
	Subject          string `json:"subject,omitempty"`
	SubjectPKISha256 string `json:"spki_sha256,omitempty"`
	CertSha256       string `json:"cert_sha256,omitempty"`
}

// SubDetail is one subscription in detail (connz subs=detail, subsz,
// routez subs=detail). Msgs counts deliveries; Max is the auto-unsubscribe
// limit.
type SubDetail struct {
	Account    string `json:"account,omitempty"`
	AccountTag string `json:"account_tag,omitempty"`
	Subject    string `json:"subject"`
	Queue      string `json:"qgroup,omitempty"`
	Sid        string `json:"sid"`
	Msgs       int64  `json:"msgs"`
	Max        int64  `json:"max,omitempty"`
	Cid        uint64 `json:"cid"`
}
