package monitor

import (
	"strconv"
	"time"
)

// Accountz is the /accountz document: the account names, or with
// ?acc=NAME the details of one account.
type Accountz struct {
	ID            string       `json:"server_id"`
	Now           time.Time    `json:"now"`
	SystemAccount string       `json:"system_account,omitempty"`
	Accounts      []string     `json:"accounts,omitempty"`
	Account       *AccountInfo `json:"account_detail,omitempty"`
}

// AccountInfo describes one account. LastUpdate is always present
// (omitempty does not drop a time.Time).
type AccountInfo struct {
	AccountName string      `json:"account_name"`
	LastUpdate  time.Time   `json:"update_time,omitempty"`
	IsSystem    bool        `json:"is_system,omitempty"`
	Expired     bool        `json:"expired"`
	Complete    bool        `json:"complete"`
	JetStream   bool        `json:"jetstream_enabled"`
	LeafCnt     int         `json:"leafnode_connections"`
	ClientCnt   int         `json:"client_connections"`
	SubCnt      uint32      `json:"subscriptions"`
	Mappings    ExtMap      `json:"mappings,omitempty"`
	Exports     []ExtExport `json:"exports,omitempty"`
	Imports     []ExtImport `json:"imports,omitempty"`
	Jwt         string      `json:"jwt,omitempty"`
	IssuerKey   string      `json:"issuer_key,omitempty"`
	// NameTag is the account's name tag, or its name when it has none.
	NameTag string   `json:"name_tag,omitempty"`
	Tags    []string `json:"tags,omitempty"`
	// Claim is the decoded account JWT (operator mode).
	Claim       RawJSON              `json:"decoded_jwt,omitempty"`
	Vr          []ExtVrIssues        `json:"validation_result_jwt,omitempty"`
	RevokedUser map[string]time.Time `json:"revoked_user,omitempty"`
	Sublist     *SublistStats        `json:"sublist_stats,omitempty"`
	// Responses are the live response mappings of service imports, by
	// their _R_ subject.
	Responses map[string]ExtImport `json:"responses,omitempty"`
}

// ExtMap is an account's subject mappings: source -> destinations.
type ExtMap map[string][]*MapDest

// MapDest is one destination of a mapping; Weight is a percentage.
type MapDest struct {
	Subject string `json:"subject"`
	Weight  uint8  `json:"weight"`
	Cluster string `json:"cluster,omitempty"`
}

// Export and import types as JSON spells them.
const (
	ExportStream  = "stream"
	ExportService = "service"
)

// ExtExport is one export of an account, in nats-server's JWT export
// shape plus who may import it.
type ExtExport struct {
	Name                 string           `json:"name,omitempty"`
	Subject              string           `json:"subject,omitempty"`
	Type                 string           `json:"type,omitempty"`
	TokenReq             bool             `json:"token_req,omitempty"`
	Revocations          map[string]int64 `json:"revocations,omitempty"`
	ResponseType         string           `json:"response_type,omitempty"`
	ResponseThreshold    time.Duration    `json:"response_threshold,omitempty"`
	Latency              *ServiceLatency  `json:"service_latency,omitempty"`
	AccountTokenPosition uint             `json:"account_token_position,omitempty"`
	Advertise            bool             `json:"advertise,omitempty"`
	AllowTrace           bool             `json:"allow_trace,omitempty"`
	Description          string           `json:"description,omitempty"`
	InfoURL              string           `json:"info_url,omitempty"`
	// ApprovedAccounts is nil for a public export.
	ApprovedAccounts []string             `json:"approved_accounts,omitempty"`
	RevokedAct       map[string]time.Time `json:"revoked_activations,omitempty"`
}

// ExtImport is one import of an account, in nats-server's JWT import
// shape plus its state. Subject is from the exporter's side for a stream
// and from the importer's for a service; To repeats LocalSubject (it is
// deprecated but still sent).
type ExtImport struct {
	Name         string `json:"name,omitempty"`
	Subject      string `json:"subject,omitempty"`
	Account      string `json:"account,omitempty"`
	Token        string `json:"token,omitempty"`
	To           string `json:"to,omitempty"`
	LocalSubject string `json:"local_subject,omitempty"`
	Type         string `json:"type,omitempty"`
	AllowTrace   bool   `json:"allow_trace,omitempty"`
	Invalid      bool   `json:"invalid"`
	Share        bool   `json:"share"`
	Tracking     bool   `json:"tracking"`
	// TrackingHdr is the request's header when tracking was triggered by
	// headers (an HTTP-style header map).
	TrackingHdr map[string][]string `json:"tracking_header,omitempty"`
	Latency     *ServiceLatency     `json:"latency,omitempty"`
	// M1 is a latency measurement in progress.
	M1 RawJSON `json:"m1,omitempty"`
}

// ExtVrIssues is one issue found validating an account JWT.
type ExtVrIssues struct {
	Description string `json:"description"`
	Blocking    bool   `json:"blocking"`
	Time        bool   `json:"time_check"`
}

// ServiceLatency is a service export's latency tracking.
type ServiceLatency struct {
	Sampling SamplingRate `json:"sampling"`
	Results  string       `json:"results"`
}

// SamplingRate is a percentage (1..100), or 0 for "triggered by headers",
// which JSON spells "headers".
type SamplingRate int

// MarshalJSON writes "headers" for 0 and the percentage otherwise.
func (r SamplingRate) MarshalJSON() ([]byte, error) {
	if r == 0 {
		return []byte(`"headers"`), nil
	}
	return strconv.AppendInt(nil, int64(r), 10), nil
}

// UnmarshalJSON reads either spelling.
func (r *SamplingRate) UnmarshalJSON(b []byte) error {
	if string(b) == `"headers"` {
		*r = 0
		return nil
	}
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return err
	}
	*r = SamplingRate(n)
	return nil
}

// AccountStatz is the /accstatz document.
type AccountStatz struct {
	ID       string         `json:"server_id"`
	Now      time.Time      `json:"now"`
	Accounts []*AccountStat `json:"account_statz"`
}

// AccountStat is one account's connection and traffic summary on this
// server. Sent is what the server sent to the account's connections,
// Received what it received from them.
type AccountStat struct {
	Account       string    `json:"acc"`
	Name          string    `json:"name"`
	Conns         int       `json:"conns"`
	LeafNodes     int       `json:"leafnodes"`
	TotalConns    int       `json:"total_conns"`
	NumSubs       uint32    `json:"num_subscriptions"`
	Sent          DataStats `json:"sent"`
	Received      DataStats `json:"received"`
	SlowConsumers int64     `json:"slow_consumers"`
}

// DataStats counts messages and bytes, with the share of gateways,
// routes and leaf nodes.
type DataStats struct {
	MsgBytes
	Gateways *MsgBytes `json:"gateways,omitempty"`
	Routes   *MsgBytes `json:"routes,omitempty"`
	Leafs    *MsgBytes `json:"leafs,omitempty"`
}

// MsgBytes is a message count and their total size.
type MsgBytes struct {
	Msgs  int64 `json:"msgs"`
	Bytes int64 `json:"bytes"`
}
