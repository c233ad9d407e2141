package server

import (
	"fmt"
	"slices"

	"jsnode/node/monitor"
)

// /accountz and /accstatz. Until accounts are bound to clients, every
// connection and subscription is in the global account; the configured
// accounts and the system account exist but are empty.

// monitorSystemAccount is the system account's name, "" when disabled.
func (s *Server) monitorSystemAccount() string {
	if s.opts.NoSystemAccount {
		return ""
	}
	if s.opts.SystemAccount != "" {
		return s.opts.SystemAccount
	}
	return DefaultSystemAccount
}

// monitorAccountNames lists the accounts, sorted (nats-server's order is
// that of a concurrent map; sorting keeps answers reproducible).
func (s *Server) monitorAccountNames() []string {
	names := []string{GlobalAccount}
	if sys := s.monitorSystemAccount(); sys != "" {
		names = append(names, sys)
	}
	for _, a := range s.opts.Accounts {
		names = append(names, a.Name)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// monitorAccountExists reports whether name is an account.
func (s *Server) monitorAccountExists(name string) bool {
	_, found := slices.BinarySearch(s.monitorAccountNames(), name)
	return found
}

// accountUsage is an account's connections and subscriptions here.
type accountUsage struct {
	conns int
	subs  uint32
	stats monitor.SublistStats
}

// monitorAccountUsage measures account name.
func (s *Server) monitorAccountUsage(name string) accountUsage {
	if name != GlobalAccount {
		return accountUsage{}
	}
	st := s.sublistStats()
	return accountUsage{conns: len(s.clients), subs: st.NumSubs, stats: st}
}

// Accountz answers /accountz: the account names, or the details of
// opts.Account (an unknown one is nats-server's error).
func (s *Server) Accountz(opts *monitor.AccountzOptions) (*monitor.Accountz, error) {
	az := &monitor.Accountz{ID: s.id, Now: s.env.Clock.Now().UTC(), SystemAccount: s.monitorSystemAccount()}
	if opts == nil || opts.Account == "" {
		az.Accounts = s.monitorAccountNames()
		return az, nil
	}
	name := opts.Account
	if !s.monitorAccountExists(name) {
		return nil, fmt.Errorf("Account %s does not exist", name)
	}
	u := s.monitorAccountUsage(name)
	stats := u.stats
	az.Account = &monitor.AccountInfo{
		AccountName: name,
		LastUpdate:  s.mon.start.UTC(),
		IsSystem:    name == az.SystemAccount,
		Complete:    true,
		ClientCnt:   u.conns,
		SubCnt:      u.subs,
		NameTag:     name,
		Sublist:     &stats,
	}
	return az, nil
}

// Accstatz answers /accstatz: per account, its connections, subscriptions
// and traffic on this server. Accounts without local connections are
// listed only with IncludeUnused; opts.Accounts, when set, restricts the
// list.
func (s *Server) Accstatz(opts *monitor.AccStatzOptions) (*monitor.AccountStatz, error) {
	var o monitor.AccStatzOptions
	if opts != nil {
		o = *opts
	}
	names := s.monitorAccountNames()
	if len(o.Accounts) > 0 {
		names = slices.DeleteFunc(slices.Clone(o.Accounts), func(n string) bool { return !s.monitorAccountExists(n) })
	}
	st := &monitor.AccountStatz{ID: s.id, Now: s.env.Clock.Now().UTC(), Accounts: []*monitor.AccountStat{}}
	for _, name := range names {
		if stat := s.accountStat(name); o.IncludeUnused || stat.Conns > 0 {
			st.Accounts = append(st.Accounts, stat)
		}
	}
	return st, nil
}

// accountStat is one account's line of /accstatz.
func (s *Server) accountStat(name string) *monitor.AccountStat {
	u := s.monitorAccountUsage(name)
	stat := &monitor.AccountStat{Account: name, Name: name, Conns: u.conns, TotalConns: u.conns, NumSubs: u.subs}
	var sent, received, routesOut, routesIn msgCount
	if name == GlobalAccount {
		sent = msgCount{msgs: s.stats.OutMsgs, bytes: s.stats.OutBytes}
		received = msgCount{msgs: s.stats.InMsgs, bytes: s.stats.InBytes}
		routesOut, routesIn = s.routeTraffic()
		stat.SlowConsumers = s.slowConsumers
	}
	stat.Sent = dataStats(sent, routesOut)
	stat.Received = dataStats(received, routesIn)
	return stat
}

// dataStats is a DataStats with the routes' share (gateways and leaf
// nodes carry nothing in jsnode yet).
func dataStats(total, routes msgCount) monitor.DataStats {
	return monitor.DataStats{
		MsgBytes: monitor.MsgBytes{Msgs: total.msgs, Bytes: total.bytes},
		Gateways: &monitor.MsgBytes{},
		Routes:   &monitor.MsgBytes{Msgs: routes.msgs, Bytes: routes.bytes},
		Leafs:    &monitor.MsgBytes{},
	}
}

// routeTraffic sums the current routes' counters.
func (s *Server) routeTraffic() (out, in msgCount) {
	if s.cluster == nil {
		return out, in
	}
	for _, c := range s.cluster.routes {
		out.msgs += c.stats.OutMsgs
		out.bytes += c.stats.OutBytes
		in.msgs += c.stats.InMsgs
		in.bytes += c.stats.InBytes
	}
	return out, in
}
