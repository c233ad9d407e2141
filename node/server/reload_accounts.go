package server

import (
	"maps"
	"slices"

	"jsnode/node/mapping"
)

// Accounts on reload, as nats-server does it with configured accounts:
// an account whose name is still configured is the same Account before
// and after (its subscriptions, route interest, statistics and live
// service-import responses stay) with its configuration replaced; a new
// name gets a new Account; an account no longer configured is dropped
// (its clients are closed by the client re-check, since their users are
// gone or moved). Stream-import shadows are then recomputed for every
// subscription, so the interest the routes see follows the new imports.

// reloadAccounts rebuilds the account set from s.opts in place. The
// options passed the same build on a scratch server (trialAccounts), so
// the build cannot fail here; if it did, the error is logged.
func (s *Server) reloadAccounts() {
	want := s.configuredAccountNames()
	for _, a := range s.accountList {
		if !want[a.name] {
			s.dropAccount(a)
		}
	}
	for _, a := range s.accountsInOrder() {
		if want[a.name] {
			a.resetConfig()
		}
	}
	if err := s.ensureAccounts(); err != nil {
		s.log.Errorf("Reloading accounts: %v", err)
	}
	if err := s.configureAccounts(); err != nil {
		s.log.Errorf("Reloading accounts: %v", err)
	}
}

// configuredAccountNames are the accounts the options ask for.
func (s *Server) configuredAccountNames() map[string]bool {
	o := &s.opts
	want := map[string]bool{GlobalAccount: true}
	for _, ao := range o.Accounts {
		want[ao.Name] = true
	}
	if !o.NoSystemAccount {
		if o.SystemAccount != "" {
			want[o.SystemAccount] = true
		} else {
			want[DefaultSystemAccount] = true
		}
	}
	return want
}

// resetConfig forgets what the configuration gave the account, so
// configureAccounts can give it the new one. Live state stays.
func (a *Account) resetConfig() {
	a.limits = UnlimitedAccount
	a.mappings = mapping.Table{}
	a.exports = nil
	a.streamImports = nil
	a.serviceImports = serviceImports{}
	a.isSystem = false
}

// dropAccount removes an account that is no longer configured: its
// internal subscriptions and response mappings go, and the interest the
// routes told us about it is kept aside in case it comes back.
func (s *Server) dropAccount(a *Account) {
	for _, sub := range a.internal.subsInOrder() {
		s.unsubscribeInternal(sub)
	}
	a.responses.stop()
	if s.cluster != nil {
		for _, r := range s.sortedRouteConns() {
			r.route.orphanAccount(a)
		}
	}
	delete(s.accounts, a.name)
	s.debugf("Account %q is no longer configured", a.name)
}

// stop ends a dropped account's response bookkeeping.
func (m *responseMap) stop() {
	if m.timer != nil {
		m.timer.Stop()
		m.timer = nil
	}
	clear(m.byReply)
}

// refreshAllShadows recomputes the stream-import shadows of every real
// subscription: clients' (by connection, then creation order) and
// internal ones (by account). New shadows are added before the old ones
// go, so interest that survives the reload is never withdrawn from the
// routes in between.
func (s *Server) refreshAllShadows() {
	for _, c := range s.sortedClients() {
		for _, sub := range c.subsInOrder() {
			refreshShadows(sub)
		}
	}
	for _, a := range s.accountsInOrder() {
		for _, sub := range a.internal.subsInOrder() {
			refreshShadows(sub)
		}
	}
}

func refreshShadows(sub *subscription) {
	old := sub.shadows
	sub.shadows = nil
	sub.acc.addShadows(sub, 0)
	for _, sh := range old {
		dropShadow(sh)
	}
}

// orphanSub is a peer's interest in an account this server does not
// have (yet): kept so that a reload adding the account knows where its
// messages must go, as the peer will not send it again.
type orphanSub struct {
	account, subject, queue string
	weight                  int
}

// maxOrphanSubs bounds the interest kept per route for unknown accounts.
const maxOrphanSubs = 1 << 16

// keepOrphan remembers interest in an unknown account.
func (l *routeLink) keepOrphan(key string, o orphanSub) {
	if l.orphans == nil {
		l.orphans = make(map[string]orphanSub)
	}
	if _, ok := l.orphans[key]; ok || len(l.orphans) < maxOrphanSubs {
		l.orphans[key] = o
	}
}

// orphanAccount moves the peer's interest in a dropped account aside.
func (l *routeLink) orphanAccount(a *Account) {
	for _, k := range slices.Sorted(maps.Keys(l.subs)) {
		rs := l.subs[k]
		if rs.acc != a {
			continue
		}
		a.remote.Remove(rs.subject, rs.queue, rs)
		delete(l.subs, k)
		l.keepOrphan(k, orphanSub{account: a.name, subject: rs.subject, queue: rs.queue, weight: rs.weight})
	}
}

// adoptOrphanInterest installs the kept interest of accounts that exist
// now, on every route.
func (s *Server) adoptOrphanInterest() {
	if s.cluster == nil {
		return
	}
	for _, r := range s.sortedRouteConns() {
		link := r.route
		for _, k := range slices.Sorted(maps.Keys(link.orphans)) {
			o := link.orphans[k]
			acc := s.accounts[o.account]
			if acc == nil {
				continue
			}
			delete(link.orphans, k)
			rs := &remoteSub{route: r, acc: acc, subject: o.subject, queue: o.queue, weight: o.weight}
			if acc.remote.Insert(rs.subject, rs.queue, rs) == nil {
				link.subs[k] = rs
			}
		}
	}
}
