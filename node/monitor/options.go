package monitor

import (
	"errors"
	"fmt"

	"jsnode/node/subject"
)

// The endpoints' options. The JSON tags are the keys of the
// $SYS.REQ.SERVER.*.<Z> request bodies; the HTTP query parameters (see
// query.go) have names of their own.

// Default page sizes of /connz, /subsz and /jsz.
const (
	DefaultConnListSize = 1024
	DefaultSubListSize  = 1024
	DefaultJszLimit     = 1024
)

// SortOpt is a /connz sort key.
type SortOpt string

// The sort keys. By cid, start and reason sort ascending, by uptime from
// the shortest; every other key sorts descending (the most first).
const (
	ByCid      SortOpt = "cid"
	ByStart    SortOpt = "start"
	BySubs     SortOpt = "subs"
	ByPending  SortOpt = "pending"
	ByOutMsgs  SortOpt = "msgs_to"
	ByInMsgs   SortOpt = "msgs_from"
	ByOutBytes SortOpt = "bytes_to"
	ByInBytes  SortOpt = "bytes_from"
	ByLast     SortOpt = "last"
	ByIdle     SortOpt = "idle"
	ByUptime   SortOpt = "uptime"
	ByStop     SortOpt = "stop"
	ByReason   SortOpt = "reason"
	ByRTT      SortOpt = "rtt"
)

// IsValid reports whether s is a sort key ("" means the default).
func (s SortOpt) IsValid() bool {
	switch s {
	case "", ByCid, ByStart, BySubs, ByPending, ByOutMsgs, ByInMsgs, ByOutBytes, ByInBytes,
		ByLast, ByIdle, ByUptime, ByStop, ByReason, ByRTT:
		return true
	}
	return false
}

// ConnState selects open, closed or all connections.
type ConnState int

// Connection states of /connz.
const (
	ConnOpen ConnState = iota
	ConnClosed
	ConnAll
)

// ConnzOptions select and shape /connz. Username (auth) adds user and
// account; User and Account filter. CID selects one connection (and
// forces Limit to 1). FilterSubject needs Account and is not offered
// over HTTP.
type ConnzOptions struct {
	Sort                SortOpt   `json:"sort"`
	Username            bool      `json:"auth"`
	Subscriptions       bool      `json:"subscriptions"`
	SubscriptionsDetail bool      `json:"subscriptions_detail"`
	Offset              int       `json:"offset"`
	Limit               int       `json:"limit"`
	CID                 uint64    `json:"cid"`
	MQTTClient          string    `json:"mqtt_client"`
	State               ConnState `json:"state"`
	User                string    `json:"user"`
	Account             string    `json:"acc"`
	FilterSubject       string    `json:"filter_subject"`
}

// Validate checks what nats-server refuses, with its texts, and returns
// the options with the defaults applied (offset >= 0, limit > 0, limit 1
// when selecting by cid).
func (o ConnzOptions) Validate() (ConnzOptions, error) {
	if !o.Sort.IsValid() {
		return o, fmt.Errorf("invalid sorting option: %s", o.Sort)
	}
	if o.Sort == ByStop && o.State != ConnClosed {
		return o, errors.New("sort by stop only valid on closed connections")
	}
	if o.Sort == ByReason && o.State != ConnClosed {
		return o, errors.New("sort by reason only valid on closed connections")
	}
	if o.FilterSubject != "" && o.FilterSubject != ">" && o.Account == "" {
		return o, errors.New("filter by subject only valid with account filtering")
	}
	if o.Sort == "" {
		o.Sort = ByCid
	}
	o.Offset = max(o.Offset, 0)
	if o.Limit <= 0 {
		o.Limit = DefaultConnListSize
	}
	if o.CID > 0 {
		o.Limit = 1
	}
	return o, nil
}

// RoutezOptions shape /routez.
type RoutezOptions struct {
	Subscriptions       bool `json:"subscriptions"`
	SubscriptionsDetail bool `json:"subscriptions_detail"`
}

// SubszOptions select and shape /subsz. Test, a literal subject, keeps
// only the subscriptions a message on it would reach.
type SubszOptions struct {
	Offset        int    `json:"offset"`
	Limit         int    `json:"limit"`
	Subscriptions bool   `json:"subscriptions"`
	Account       string `json:"account,omitempty"`
	Test          string `json:"test,omitempty"`
}

// Validate checks the test subject and applies the paging defaults.
func (o SubszOptions) Validate() (SubszOptions, error) {
	if o.Test != "" && !validLiteral(o.Test) {
		return o, fmt.Errorf("invalid test subject, must be valid publish subject: %s", o.Test)
	}
	o.Offset = max(o.Offset, 0)
	if o.Limit <= 0 {
		o.Limit = DefaultSubListSize
	}
	return o, nil
}

// validLiteral is nats-server's "valid literal subject": a valid subject
// without wildcard tokens ("a*b" is a literal token).
func validLiteral(s string) bool { return subject.ValidPublish(s) }

// AccountzOptions select one account of /accountz ("" lists them all).
type AccountzOptions struct {
	Account string `json:"account"`
}

// AccStatzOptions select /accstatz accounts: by default those with local
// connections; IncludeUnused lists the others too. Accounts (NATS
// requests only) restricts the list.
type AccStatzOptions struct {
	Accounts      []string `json:"accounts"`
	IncludeUnused bool     `json:"include_unused"`
}

// HealthzOptions select what /healthz checks. JSEnabled is the deprecated
// spelling of JSEnabledOnly.
type HealthzOptions struct {
	JSEnabled     bool   `json:"js-enabled,omitempty"`
	JSEnabledOnly bool   `json:"js-enabled-only,omitempty"`
	JSServerOnly  bool   `json:"js-server-only,omitempty"`
	JSMetaOnly    bool   `json:"js-meta-only,omitempty"`
	Account       string `json:"account,omitempty"`
	Stream        string `json:"stream,omitempty"`
	Consumer      string `json:"consumer,omitempty"`
	Details       bool   `json:"details,omitempty"`
}

// Validate returns the texts of nats-server's bad-request checks ("" when
// the options are consistent): a stream needs an account and a consumer
// a stream.
func (o HealthzOptions) Validate() string {
	switch {
	case o.Account == "" && o.Stream != "":
		return `"account" must not be empty when checking stream health`
	case o.Stream == "" && o.Consumer != "":
		return `"stream" must not be empty when checking consumer health`
	}
	return ""
}

// JszOptions select /jsz details.
type JszOptions struct {
	Account          string `json:"account,omitempty"`
	Accounts         bool   `json:"accounts,omitempty"`
	Streams          bool   `json:"streams,omitempty"`
	Consumer         bool   `json:"consumer,omitempty"`
	DirectConsumer   bool   `json:"direct_consumer,omitempty"`
	Config           bool   `json:"config,omitempty"`
	LeaderOnly       bool   `json:"leader_only,omitempty"`
	Offset           int    `json:"offset,omitempty"`
	Limit            int    `json:"limit,omitempty"`
	RaftGroups       bool   `json:"raft,omitempty"`
	StreamLeaderOnly bool   `json:"stream_leader_only,omitempty"`
}

// Normalize applies nats-server's implications: consumers imply streams,
// streams without an account imply accounts, and the paging defaults.
func (o JszOptions) Normalize() JszOptions {
	o.Offset = max(o.Offset, 0)
	if o.Limit == 0 {
		o.Limit = DefaultJszLimit
	}
	if o.Consumer {
		o.Streams = true
	}
	if o.Streams && o.Account == "" {
		o.Accounts = true
	}
	return o
}

// LeafzOptions shape /leafz.
type LeafzOptions struct {
	Subscriptions bool   `json:"subscriptions"`
	Account       string `json:"account"`
}

// GatewayzOptions select and shape /gatewayz. AccountName implies
// Accounts.
type GatewayzOptions struct {
	Name                       string `json:"name"`
	Accounts                   bool   `json:"accounts"`
	AccountName                string `json:"account_name"`
	AccountSubscriptions       bool   `json:"subscriptions"`
	AccountSubscriptionsDetail bool   `json:"subscriptions_detail"`
}
