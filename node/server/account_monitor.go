package server

import (
	"fmt"
	"slices"

	"jsnode/node/monitor"
)

// Account monitoring: /accountz, /accstatz and the matching system
// account requests. Computed on the loop from the live accounts.

// Accountz lists the accounts, or with opts.Account set describes one.
func (s *Server) Accountz(opts *monitor.AccountzOptions) (*monitor.Accountz, error) {
	out := &monitor.Accountz{ID: s.id, Now: s.env.Clock.Now().UTC(), SystemAccount: s.systemAccountName()}
	if opts == nil || opts.Account == "" {
		out.Accounts = s.AccountNames()
		return out, nil
	}
	a := s.accounts[opts.Account]
	if a == nil {
		return nil, fmt.Errorf("Account %s does not exist", opts.Account)
	}
	out.Account = a.info()
	return out, nil
}

// info is the account's /accountz detail.
func (a *Account) info() *monitor.AccountInfo {
	s := a.srv
	st := a.sublistStats()
	ai := &monitor.AccountInfo{
		AccountName: a.name, LastUpdate: s.mon.start.UTC(), IsSystem: a.isSystem, Complete: true,
		ClientCnt: a.conns, SubCnt: st.NumSubs, NameTag: a.name, Sublist: &st,
	}
	if a.mappings.Len() > 0 {
		ai.Mappings = monitor.ExtMap{}
		for _, m := range a.mappings.Mappings() {
			var dests []*monitor.MapDest
			for _, d := range m.Cumulative() {
				dests = append(dests, &monitor.MapDest{Subject: d.Subject, Weight: d.Weight, Cluster: d.Cluster})
			}
			ai.Mappings[m.Source()] = dests
		}
	}
	for _, e := range a.exports {
		ai.Exports = append(ai.Exports, e.ext())
	}
	for _, im := range a.streamImports {
		x := monitor.ExtImport{Subject: im.from, Account: im.exporter.name, LocalSubject: im.to, Type: monitor.ExportStream}
		if im.prefix == "" {
			x.To = im.to // nats-server leaves the deprecated "to" out for prefixes
		}
		ai.Imports = append(ai.Imports, x)
	}
	for _, im := range a.serviceImports.all() {
		ai.Imports = append(ai.Imports, monitor.ExtImport{Subject: im.to, Account: im.exporter.name,
			LocalSubject: im.from, To: im.from, Type: monitor.ExportService, Share: im.share})
	}
	if live := a.responses.byReply; len(live) > 0 {
		ai.Responses = make(map[string]monitor.ExtImport, len(live))
		for _, r := range a.responses.order[a.responses.head:] {
			if !r.gone {
				ai.Responses[r.reply] = monitor.ExtImport{Subject: r.reply, Account: r.importer.name,
					LocalSubject: r.to, To: r.to, Type: monitor.ExportService}
			}
		}
	}
	return ai
}

// ext is the export as /accountz shows it.
func (e *export) ext() monitor.ExtExport {
	// nats-server shows neither the response threshold nor the account
	// token position of config exports.
	x := monitor.ExtExport{Subject: e.subject, Type: monitor.ExportStream, ApprovedAccounts: slices.Clone(e.approved)}
	if e.service {
		x.Type = monitor.ExportService
		x.ResponseType = e.respType.String()
		x.AllowTrace = e.allowTrace
		if e.latency != nil {
			x.Latency = &monitor.ServiceLatency{Sampling: monitor.SamplingRate(e.latency.Sampling), Results: e.latency.Subject}
		}
	}
	return x
}

// Accstatz summarises the accounts with local connections (all of them
// with IncludeUnused), optionally only the named ones.
func (s *Server) Accstatz(opts *monitor.AccStatzOptions) (*monitor.AccountStatz, error) {
	if opts == nil {
		opts = &monitor.AccStatzOptions{}
	}
	out := &monitor.AccountStatz{ID: s.id, Now: s.env.Clock.Now().UTC(), Accounts: []*monitor.AccountStat{}}
	for _, a := range s.accountsInOrder() {
		if len(opts.Accounts) > 0 && !slices.Contains(opts.Accounts, a.name) {
			continue
		}
		if a.conns == 0 && !opts.IncludeUnused {
			continue
		}
		out.Accounts = append(out.Accounts, a.stat())
	}
	return out, nil
}

// stat is the account's AccountStat.
func (a *Account) stat() *monitor.AccountStat {
	return &monitor.AccountStat{
		Account: a.name, Name: a.name, Conns: a.conns, TotalConns: a.conns,
		NumSubs:       uint32(a.index.Count()),
		Sent:          dataStats(msgCount{a.stats.OutMsgs + a.routeOut.msgs, a.stats.OutBytes + a.routeOut.bytes}, a.routeOut),
		Received:      dataStats(msgCount{a.stats.InMsgs + a.routeIn.msgs, a.stats.InBytes + a.routeIn.bytes}, a.routeIn),
		SlowConsumers: a.slow,
	}
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
