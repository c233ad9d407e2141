package server

import (
	"jsnode/node/monitor"
	"jsnode/node/subject"
)

// Subsz answers /subsz: statistics of the subscription index and, with
// opts.Subscriptions, one page of the local subscriptions (those of
// clients and of the server itself, not the peers' routed interest), in
// the order they were made. opts.Test keeps those a message on that
// subject would reach; opts.Account selects one account.
func (s *Server) Subsz(opts *monitor.SubszOptions) (*monitor.Subsz, error) {
	var o monitor.SubszOptions
	if opts != nil {
		o = *opts
	}
	o, err := o.Validate()
	if err != nil {
		return nil, err
	}
	sz := &monitor.Subsz{ID: s.id, Now: s.env.Clock.Now().UTC(), Offset: o.Offset, Limit: o.Limit}
	var accs []*Account
	for _, a := range s.accountsInOrder() {
		if o.Account == "" || o.Account == a.name {
			accs = append(accs, a)
			st := a.sublistStats()
			sz.NumSubs += st.NumSubs
			sz.NumCache += st.NumCache
		}
	}
	if !o.Subscriptions {
		return sz, nil
	}
	details := []monitor.SubDetail{}
	for _, a := range accs {
		a.index.ForEach(func(subj, _ string, sub *subscription) {
			if sub.shadowOf == nil && (o.Test == "" || subject.Match(subj, o.Test)) {
				details = append(details, subDetail(sub, true))
			}
		})
	}
	lo, hi := monitor.Page(len(details), o.Offset, o.Limit)
	sz.Subs, sz.Total = details[lo:hi], len(details)
	return sz, nil
}

// sublistStats describes an account's subscriptions: the local ones and
// the peers' routed interest, as nats-server counts both in an account's
// index. jsnode's index keeps no insert, remove, match or fanout
// counters, so those stay 0.
func (a *Account) sublistStats() monitor.SublistStats {
	n := a.index.Count() + a.remote.Count()
	return monitor.SublistStats{NumSubs: uint32(n), NumCache: uint32(a.index.CacheLen())}
}
