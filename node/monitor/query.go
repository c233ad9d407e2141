package monitor

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Parsers of the HTTP query strings. Each reads the parameters in the
// order nats-server does, so that a request with several bad values gets
// the same first error, and returns nats-server's text; the HTTP layer
// answers it with status 400 and the text as a plain body.

// queryReader decodes parameters, keeping the first error; after an
// error every read returns the zero value.
type queryReader struct {
	q   url.Values
	err error
}

// str is a parameter's first value ("" when absent).
func (r *queryReader) str(name string) string { return r.q.Get(name) }

// boolean reads a strconv.ParseBool value; absent or empty is false.
func (r *queryReader) boolean(name string) bool {
	s := r.q.Get(name)
	if r.err != nil || s == "" {
		return false
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		r.err = fmt.Errorf("Error decoding boolean for '%s': %v", name, err)
	}
	return v
}

// integer reads a decimal int; absent or empty is 0.
func (r *queryReader) integer(name string) int {
	s := r.q.Get(name)
	if r.err != nil || s == "" {
		return 0
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		r.err = fmt.Errorf("Error decoding int for '%s': %v", name, err)
	}
	return v
}

// unsigned reads a decimal uint64; absent or empty is 0.
func (r *queryReader) unsigned(name string) uint64 {
	s := r.q.Get(name)
	if r.err != nil || s == "" {
		return 0
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		r.err = fmt.Errorf("Error decoding uint64 for '%s': %v", name, err)
	}
	return v
}

// subs reads "subs", which is a boolean or the word "detail" (any case).
func (r *queryReader) subs() (subs, detail bool) {
	if strings.EqualFold(r.q.Get("subs"), "detail") {
		return false, true
	}
	return r.boolean("subs"), false
}

// state reads "state": open (default), closed, any or all (any case).
func (r *queryReader) state() ConnState {
	s := r.q.Get("state")
	if r.err != nil || s == "" {
		return ConnOpen
	}
	switch strings.ToLower(s) {
	case "open":
		return ConnOpen
	case "closed":
		return ConnClosed
	case "any", "all":
		return ConnAll
	}
	r.err = fmt.Errorf("Error decoding state for %s", s)
	return ConnOpen
}

// ParseConnzQuery reads /connz's query: sort, auth, subs, offset, limit,
// cid, state, user, acc, mqtt_client. The options come back validated
// (see ConnzOptions.Validate).
func ParseConnzQuery(q url.Values) (*ConnzOptions, error) {
	r := &queryReader{q: q}
	o := ConnzOptions{Sort: SortOpt(r.str("sort"))}
	o.Username = r.boolean("auth")
	o.Subscriptions, o.SubscriptionsDetail = r.subs()
	o.Offset = r.integer("offset")
	o.Limit = r.integer("limit")
	o.CID = r.unsigned("cid")
	o.State = r.state()
	if r.err != nil {
		return nil, r.err
	}
	o.User, o.Account, o.MQTTClient = r.str("user"), r.str("acc"), r.str("mqtt_client")
	v, err := o.Validate()
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// ParseRoutezQuery reads /routez's query: subs.
func ParseRoutezQuery(q url.Values) (*RoutezOptions, error) {
	r := &queryReader{q: q}
	var o RoutezOptions
	o.Subscriptions, o.SubscriptionsDetail = r.subs()
	if r.err != nil {
		return nil, r.err
	}
	return &o, nil
}

// ParseSubszQuery reads /subsz's query: subs, offset, limit, test, acc.
// The options come back validated (see SubszOptions.Validate).
func ParseSubszQuery(q url.Values) (*SubszOptions, error) {
	r := &queryReader{q: q}
	var o SubszOptions
	o.Subscriptions = r.boolean("subs")
	o.Offset = r.integer("offset")
	o.Limit = r.integer("limit")
	if r.err != nil {
		return nil, r.err
	}
	o.Test, o.Account = r.str("test"), r.str("acc")
	v, err := o.Validate()
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// ParseAccountzQuery reads /accountz's query: acc.
func ParseAccountzQuery(q url.Values) (*AccountzOptions, error) {
	return &AccountzOptions{Account: q.Get("acc")}, nil
}

// ParseAccStatzQuery reads /accstatz's query: unused.
func ParseAccStatzQuery(q url.Values) (*AccStatzOptions, error) {
	r := &queryReader{q: q}
	o := AccStatzOptions{IncludeUnused: r.boolean("unused")}
	if r.err != nil {
		return nil, r.err
	}
	return &o, nil
}

// ParseHealthzQuery reads /healthz's query: js-enabled (deprecated),
// js-enabled-only, js-server-only, js-meta-only, details, account,
// stream, consumer. Inconsistent selections are not a parse error: the
// health answer reports them (HealthzOptions.Validate).
func ParseHealthzQuery(q url.Values) (*HealthzOptions, error) {
	r := &queryReader{q: q}
	var o HealthzOptions
	o.JSEnabled = r.boolean("js-enabled")
	o.JSEnabledOnly = r.boolean("js-enabled-only")
	o.JSServerOnly = r.boolean("js-server-only")
	o.JSMetaOnly = r.boolean("js-meta-only")
	o.Details = r.boolean("details")
	if r.err != nil {
		return nil, r.err
	}
	o.Account, o.Stream, o.Consumer = r.str("account"), r.str("stream"), r.str("consumer")
	return &o, nil
}

// ParseJszQuery reads /jsz's query: accounts, streams, consumers,
// direct-consumers, config, offset, limit, leader-only, raft,
// stream-leader-only, acc.
func ParseJszQuery(q url.Values) (*JszOptions, error) {
	r := &queryReader{q: q}
	var o JszOptions
	o.Accounts = r.boolean("accounts")
	o.Streams = r.boolean("streams")
	o.Consumer = r.boolean("consumers")
	o.DirectConsumer = r.boolean("direct-consumers")
	o.Config = r.boolean("config")
	o.Offset = r.integer("offset")
	o.Limit = r.integer("limit")
	o.LeaderOnly = r.boolean("leader-only")
	o.RaftGroups = r.boolean("raft")
	o.StreamLeaderOnly = r.boolean("stream-leader-only")
	if r.err != nil {
		return nil, r.err
	}
	o.Account = r.str("acc")
	return &o, nil
}

// ParseLeafzQuery reads /leafz's query: subs, acc.
func ParseLeafzQuery(q url.Values) (*LeafzOptions, error) {
	r := &queryReader{q: q}
	o := LeafzOptions{Subscriptions: r.boolean("subs")}
	if r.err != nil {
		return nil, r.err
	}
	o.Account = r.str("acc")
	return &o, nil
}

// ParseGatewayzQuery reads /gatewayz's query: subs, accs, gw_name,
// acc_name (which implies accs).
func ParseGatewayzQuery(q url.Values) (*GatewayzOptions, error) {
	r := &queryReader{q: q}
	var o GatewayzOptions
	o.AccountSubscriptions, o.AccountSubscriptionsDetail = r.subs()
	o.Accounts = r.boolean("accs")
	if r.err != nil {
		return nil, r.err
	}
	o.Name, o.AccountName = r.str("gw_name"), r.str("acc_name")
	if o.AccountName != "" {
		o.Accounts = true
	}
	return &o, nil
}
