package server

import (
	"slices"
	"time"

	"jsnode/node/monitor"
)

// Connz answers /connz and the CONNZ request: one page of the client
// connections, open or closed or both, sorted and filtered as opts say.
// It returns nats-server's error texts for invalid options. An unknown
// account is not an error: as with nats-server, the answer then has no
// server id and null connections.
func (s *Server) Connz(opts *monitor.ConnzOptions) (*monitor.Connz, error) {
	var o monitor.ConnzOptions
	if opts != nil {
		o = *opts
	}
	o, err := o.Validate()
	if err != nil {
		return nil, err
	}
	now := s.env.Clock.Now().UTC()
	cz := &monitor.Connz{Now: now, Offset: o.Offset, Limit: o.Limit}
	if o.Account != "" && s.accounts[o.Account] == nil {
		return cz, nil
	}
	cz.ID = s.id
	open, closed := s.connzInScope(&o)
	cz.Total = len(open) + len(closed)
	open, closed = connzSelect(&o, open, closed)
	conns := make([]*monitor.ConnInfo, 0, len(open)+len(closed))
	for _, c := range open {
		conns = append(conns, s.openConnInfo(c, now, &o))
	}
	for _, cc := range closed {
		conns = append(conns, closedConnInfo(cc, &o))
	}
	monitor.SortConnz(conns, string(o.Sort), now)
	lo, hi := monitor.Page(len(conns), o.Offset, o.Limit)
	cz.Conns = conns[lo:hi]
	cz.NumConns = len(cz.Conns)
	return cz, nil
}

// connzInScope lists the connections of the requested state and account,
// in connection order: what "total" counts.
func (s *Server) connzInScope(o *monitor.ConnzOptions) (open []*client, closed []*closedConn) {
	if o.State == monitor.ConnOpen || o.State == monitor.ConnAll {
		for _, c := range s.sortedClients() {
			if o.Account == "" || monitorAccount(c) == o.Account {
				open = append(open, c)
			}
		}
	}
	if o.State == monitor.ConnClosed || o.State == monitor.ConnAll {
		for _, cc := range s.mon.closed.list() {
			if o.Account == "" || cc.account == o.Account {
				closed = append(closed, cc)
			}
		}
	}
	return open, closed
}

// connzSelect applies the cid, user and MQTT client filters. A cid is
// looked for among the open connections first, then the closed ones.
func connzSelect(o *monitor.ConnzOptions, open []*client, closed []*closedConn) ([]*client, []*closedConn) {
	var keptOpen []*client
	for _, c := range open {
		if (o.CID == 0 || c.cid == o.CID) && (o.User == "" || monitorUser(c) == o.User) && o.MQTTClient == "" {
			keptOpen = append(keptOpen, c)
		}
	}
	if o.CID > 0 && len(keptOpen) > 0 {
		return keptOpen, nil
	}
	var keptClosed []*closedConn
	for _, cc := range closed {
		if (o.CID == 0 || cc.info.Cid == o.CID) && (o.User == "" || cc.user == o.User) &&
			(o.MQTTClient == "" || cc.info.MQTTClient == o.MQTTClient) {
			keptClosed = append(keptClosed, cc)
		}
	}
	return keptOpen, keptClosed
}

// connInfo is the part of a client's ConnInfo that needs no options.
func (s *Server) connInfo(c *client, now time.Time) *monitor.ConnInfo {
	last := c.lastActivity(now)
	ci := &monitor.ConnInfo{
		Cid: c.cid, Kind: monitor.KindClient, Type: monitor.TypeNATS,
		Start: c.start, LastActivity: last,
		RTT:    monitor.RTTString(c.rtt),
		Uptime: monitor.MyUptime(now.Sub(c.start)), Idle: monitor.MyUptime(now.Sub(last)),
		InMsgs: c.stats.InMsgs, OutMsgs: c.stats.OutMsgs, InBytes: c.stats.InBytes, OutBytes: c.stats.OutBytes,
		NumSubs: uint32(len(c.subs)),
		Name:    c.opts.Name, Lang: c.opts.Lang, Version: c.opts.Version,
		Stalls: c.stalls,
	}
	if c.conn != nil {
		ci.Pending = c.conn.Buffered()
		if host, port := splitHostPort(c.conn.RemoteAddr()); port != 0 {
			ci.IP, ci.Port = host, port
		}
	}
	return ci
}

// openConnInfo adds what the options ask for to an open client's
// ConnInfo: subscriptions (without their account, as nats-server lists
// them for open connections) and, with auth, user and account.
func (s *Server) openConnInfo(c *client, now time.Time, o *monitor.ConnzOptions) *monitor.ConnInfo {
	ci := s.connInfo(c, now)
	if len(c.subs) > 0 && (o.Subscriptions || o.SubscriptionsDetail) {
		for _, sub := range c.subsInOrder() {
			if o.SubscriptionsDetail {
				ci.SubsDetail = append(ci.SubsDetail, subDetail(sub, false))
			} else {
				ci.Subs = append(ci.Subs, sub.subject)
			}
		}
	}
	if o.Username {
		acc := monitorAccount(c)
		ci.AuthorizedUser = monitorUser(c)
		if acc != GlobalAccount {
			ci.Account = acc
		}
		ci.NameTag = acc
	}
	return ci
}

// closedConnInfo is a copy of a closed connection's ConnInfo with what
// the options ask for. Nothing in it is shared with the ring, since the
// answer is marshalled off the loop.
func closedConnInfo(cc *closedConn, o *monitor.ConnzOptions) *monitor.ConnInfo {
	ci := cc.info
	if ci.Stop != nil {
		stop := *ci.Stop
		ci.Stop = &stop
	}
	if len(cc.subs) > 0 {
		if o.SubscriptionsDetail {
			ci.SubsDetail = slices.Clone(cc.subs)
		} else if o.Subscriptions {
			ci.Subs = make([]string, len(cc.subs))
			for i := range cc.subs {
				ci.Subs[i] = cc.subs[i].Subject
			}
		}
	}
	if o.Username {
		ci.AuthorizedUser = cc.user
		if cc.account != "" && cc.account != GlobalAccount {
			ci.Account, ci.NameTag = cc.account, cc.account
		}
	}
	return &ci
}
