package server

import (
	"errors"
	"slices"
)

// Configuration reload, as nats-server's SIGHUP does it. The host reads
// and parses the file off the loop (with the same command-line overrides
// as at start), then, on the loop, asks PrepareReload whether the new
// options can be applied: an option nats-server cannot reload (the port,
// the server name, max_pending, ...) refuses the whole reload with
// nats-server's "config reload not supported for <Option>: old=.., new=.."
// and nothing changes. Apply then installs the options, logs one
// "Reloaded: <option>" line per change and re-checks what depends on
// them: every client is authenticated again (one that no longer passes is
// cut with "Authorization Violation", one whose user now belongs to
// another account or no longer exists is closed so it reconnects, one
// whose permissions shrank loses the subscriptions it may no longer
// have), accounts are rebuilt in place (subscriptions and route interest
// stay), routes added to the config are dialled and removed ones closed,
// and limits apply to the connections that are already there.

// ReloadPlan is a reload that PrepareReload accepted; Apply carries it
// out. It must be applied on the loop before anything else changes the
// server (the host does both in one loop event, see cmd/jsnode).
type ReloadPlan struct {
	s    *Server
	prev Options // the options in force, as given
	next Options // the new options, as given (defaults applied)

	notices []reloadNotice

	accountsChanged bool
	clusterChanged  bool
	routesAdd       []routeURL
	routesRemove    []routeURL
	applied         bool
}

// reloadNotice is one "Reloaded: ..." line; rank orders the lines as
// nats-server prints them (the order of its options).
type reloadNotice struct {
	rank int
	text string
}

// ErrReloadApplied is returned by Apply when called twice.
var ErrReloadApplied = errors.New("server: reload already applied")

// Reload applies opts to the running server (PrepareReload, then Apply).
func (s *Server) Reload(opts *Options) error {
	p, err := s.PrepareReload(opts)
	if err != nil {
		return err
	}
	return p.Apply()
}

// PrepareReload checks that opts can replace the running options: they
// must be valid (as for New, accounts and imports included) and differ
// only in options nats-server reloads. It changes nothing.
func (s *Server) PrepareReload(opts *Options) (*ReloadPlan, error) {
	if opts == nil {
		return nil, errors.New("server: reload needs options")
	}
	if s.state == stateShuttingDown || s.state == stateStopped {
		return nil, ErrServerStopped
	}
	next := *opts
	next.SetDefaults()
	if next.Cluster.LocalIPs == nil {
		next.Cluster.LocalIPs = s.given.Cluster.LocalIPs
	}
	if err := validateOptions(&next); err != nil {
		return nil, err
	}
	p := &ReloadPlan{s: s, prev: s.given, next: next}
	if err := p.diff(); err != nil {
		return nil, err
	}
	if err := trialAccounts(&next, s.env); err != nil {
		return nil, err
	}
	slices.SortStableFunc(p.notices, func(a, b reloadNotice) int { return a.rank - b.rank })
	return p, nil
}

// Notices are the "Reloaded: ..." lines Apply will log, in order.
func (p *ReloadPlan) Notices() []string {
	out := make([]string, len(p.notices))
	for i, n := range p.notices {
		out[i] = n.text
	}
	return out
}

// trialAccounts builds the account set of o on a scratch server, so an
// import that is not authorized or a mapping that does not compile
// refuses the reload before the running accounts are touched.
func trialAccounts(o *Options, env Env) error {
	scratch := &Server{opts: *o, env: env, log: discardLogger{}}
	return scratch.buildAccounts()
}

// Apply installs the new options and brings the server in line with them
// (see the comment at the top of this file). It ends with nats-server's
// "Reloaded server configuration" line, with the digest the host gave in
// Options.ConfigDigest.
func (p *ReloadPlan) Apply() error {
	if p.applied {
		return ErrReloadApplied
	}
	p.applied = true
	s := p.s
	for _, n := range p.notices {
		s.log.Noticef("%s", n.text)
	}
	prevAuth := s.opts.Auth
	s.installOptions(p.next)
	if p.accountsChanged {
		s.reloadAccounts()
	}
	s.recheckClients(&prevAuth)
	if p.accountsChanged {
		s.refreshAllShadows()
		s.adoptOrphanInterest()
	}
	p.applyCluster()
	s.applyLimits(&p.prev)
	s.mon.configLoad = s.env.Clock.Now()
	if d := p.next.ConfigDigest; d != "" {
		s.log.Noticef("Reloaded server configuration (%s)", d)
	} else {
		s.log.Noticef("Reloaded server configuration")
	}
	return nil
}

// installOptions makes next the running options, with what New derives
// from them: the invented no-auth user, whether auth and nonces are
// needed, the INFO fields that come from options.
func (s *Server) installOptions(next Options) {
	s.given = next
	s.opts = next
	// The system account, which inventNoAuthUser looks at, cannot change
	// in a reload (SystemAccount and NoSystemAccount are refused).
	s.inventNoAuthUser()
	s.authRequired = s.opts.Auth.Required()
	s.needsNonce = s.opts.Auth.NeedsNonce()
	s.info.AuthRequired = s.authRequired && (s.opts.Auth.NoAuthUser == "" || s.inventedNoAuth)
	s.info.MaxPayload = s.opts.MaxPayload
}
