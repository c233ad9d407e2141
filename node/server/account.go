package server

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"jsnode/node/mapping"
	"jsnode/node/subject"
)

// Account is an isolated subject space: its own subscription index,
// mappings, imports and exports. A subscriber in one account never sees a
// message published in another unless the publishing account exports it
// and the subscriber's account imports it. $G (users bound to no account)
// and the system account are ordinary accounts.
//
// How imports work, as in nats-server (so that mixed clusters agree on
// what travels between servers):
//
//   - a stream import is served where the importing subscriber is: its
//     subscription also gets a "shadow" subscription in the exporting
//     account, on the exporter's side of the subject; a message matching
//     the shadow is delivered to the real subscriber, its subject mapped
//     into the importer's space. The shadow is ordinary interest of the
//     exporting account, so other servers route the exporter's messages
//     here (account_streams.go);
//   - a service import is served where the requester is: a publish to the
//     import's local subject is re-published in the exporting account,
//     its reply replaced by a "_R_." subject that maps the responses back
//     to the requester (account_services.go).
type Account struct {
	name     string
	nameB    []byte // name, for routed protocol lines
	srv      *Server
	isSystem bool
	limits   AccountLimits

	index    *subject.Index[*subscription]
	mappings mapping.Table

	streamImports  []*streamImport // imports into this account, config order
	serviceImports serviceImports
	exports        []*export // config order
	responses      responseMap

	// internal owns this account's internal subscriptions (server-side
	// services); it has no connection.
	internal *client

	// Route interest (used when clustered): what this server has told
	// its peers this account is interested in, and the peers' interest.
	local  map[string]int32
	remote *subject.Index[*remoteSub]

	conns int   // registered client connections
	stats Stats // traffic from and to the account's clients
	// routeIn and routeOut count this account's messages from and to
	// the routes (included in /accstatz totals, and shown as their share).
	routeIn, routeOut msgCount
	slow              int64
}

// Name is the account's name.
func (a *Account) Name() string { return a.name }

// IsSystem reports whether this is the server's system account.
func (a *Account) IsSystem() bool { return a.isSystem }

// NumSubscriptions counts the account's subscriptions, shadows included.
func (a *Account) NumSubscriptions() int { return a.index.Count() }

// NumConnections counts the account's client connections.
func (a *Account) NumConnections() int { return a.conns }

func newAccount(s *Server, name string, limits AccountLimits) *Account {
	a := &Account{
		name:   name,
		nameB:  []byte(name),
		srv:    s,
		limits: limits,
		index:  subject.NewIndex[*subscription](),
		local:  make(map[string]int32),
		remote: subject.NewIndex[*remoteSub](),
	}
	a.internal = &client{srv: s, acc: a, opts: connectOpts{Echo: true}, headers: true,
		subs: make(map[string]*subscription), basePrefix: "internal", logPrefix: "internal"}
	return a
}

// NumRemoteSubscriptions counts the interest the route peers registered
// in this account.
func (a *Account) NumRemoteSubscriptions() int { return a.remote.Count() }

// Account returns the named account, or nil.
func (s *Server) Account(name string) *Account { return s.accounts[name] }

// GlobalAccount returns $G.
func (s *Server) GlobalAccount() *Account { return s.gacc }

// systemAccountName is the system account's name ("" without one).
func (s *Server) systemAccountName() string {
	if s.sysAcc == nil {
		return ""
	}
	return s.sysAcc.name
}

// SystemAccount returns the system account, or nil when there is none.
func (s *Server) SystemAccount() *Account { return s.sysAcc }

// AccountNames lists the accounts, sorted.
func (s *Server) AccountNames() []string {
	names := make([]string, len(s.accountList))
	for i, a := range s.accountList {
		names[i] = a.name
	}
	return names
}

// accountsInOrder lists the accounts sorted by name, so bulk work over
// them never depends on map order. The list is sorted when the accounts
// are built or reloaded; callers must not modify it.
func (s *Server) accountsInOrder() []*Account { return s.accountList }

// buildAccounts creates every configured account, $G and the system
// account, then wires exports, imports and mappings. The options were
// validated by ValidateAccounts.
func (s *Server) buildAccounts() error {
	s.accounts = make(map[string]*Account, len(s.opts.Accounts)+2)
	s.gacc = newAccount(s, GlobalAccount, UnlimitedAccount)
	s.accounts[GlobalAccount] = s.gacc
	if err := s.ensureAccounts(); err != nil {
		return err
	}
	return s.configureAccounts()
}

// ensureAccounts creates the configured accounts and the system account
// that do not exist yet, and gives the existing ones their configured
// limits (a reload keeps the Account of a name it still has, with its
// subscriptions and route interest).
func (s *Server) ensureAccounts() error {
	o := &s.opts
	for _, ao := range o.Accounts {
		if a := s.accounts[ao.Name]; a != nil {
			a.limits = normalLimits(ao.Limits)
			continue
		}
		s.accounts[ao.Name] = newAccount(s, ao.Name, normalLimits(ao.Limits))
	}
	s.sysAcc = nil
	if o.NoSystemAccount {
		return nil
	}
	name := o.SystemAccount
	if name == "" {
		name = DefaultSystemAccount
	}
	sys := s.accounts[name]
	if sys == nil {
		if o.SystemAccount != "" {
			return fmt.Errorf("error resolving system account: account missing")
		}
		sys = newAccount(s, name, UnlimitedAccount)
		s.accounts[name] = sys
	}
	sys.isSystem = true
	s.sysAcc = sys
	return nil
}

// configureAccounts wires the config-derived parts of every account:
// mappings, exports, imports (after every export exists), the sorted list
// and the system imports.
func (s *Server) configureAccounts() error {
	o := &s.opts
	if err := s.gacc.addMappings(o.Mappings); err != nil {
		return err
	}
	for _, ao := range o.Accounts {
		a := s.accounts[ao.Name]
		a.addExports(ao.Exports)
		if err := a.addMappings(ao.Mappings); err != nil {
			return err
		}
	}
	for _, ao := range o.Accounts {
		if err := s.accounts[ao.Name].addImports(ao.Imports); err != nil {
			return err
		}
	}
	s.accountList = slices.SortedFunc(maps.Values(s.accounts), func(a, b *Account) int { return cmp.Compare(a.name, b.name) })
	s.addSystemImports()
	return nil
}

// normalLimits turns zero (not set) limits into unlimited ones.
func normalLimits(l AccountLimits) AccountLimits {
	if l.MaxConnections == 0 {
		l.MaxConnections = -1
	}
	if l.MaxSubscriptions == 0 {
		l.MaxSubscriptions = -1
	}
	if l.MaxPayload == 0 {
		l.MaxPayload = -1
	}
	if l.MaxLeafNodes == 0 {
		l.MaxLeafNodes = -1
	}
	return l
}

// addMappings compiles the account's subject mappings.
func (a *Account) addMappings(ms []MappingOpts) error {
	for _, m := range ms {
		dests := make([]mapping.Dest, len(m.Dests))
		for i, d := range m.Dests {
			dests[i] = mapping.Dest{Subject: d.Subject, Weight: d.Weight, Cluster: d.Cluster}
		}
		mm, err := mapping.NewMapping(m.Source, dests)
		if err != nil {
			return fmt.Errorf("Error adding mapping for %q : %v", m.Source, err)
		}
		if err := a.mappings.Add(mm); err != nil {
			return fmt.Errorf("Error adding mapping for %q : %v", m.Source, err)
		}
	}
	return nil
}

// mapSubject applies the account's mappings to a published subject. It
// returns the subject to route, and false when a weighted mapping dropped
// the message.
func (a *Account) mapSubject(subj []byte) ([]byte, bool) {
	if a.mappings.Len() == 0 {
		return subj, true
	}
	mapped, changed, dropped := a.mappings.Apply(subj, a.srv.env.Rand, a.srv.clusterName())
	if dropped {
		return nil, false
	}
	if changed {
		return mapped, true
	}
	return subj, true
}

// clusterName is the cluster's name, or "" when not clustered.
func (s *Server) clusterName() string {
	if s.cluster == nil {
		return ""
	}
	return s.cluster.name
}

// export is one stream or service export of an account.
type export struct {
	service    bool
	subject    string
	approved   []string // nil: public
	respType   ResponseType
	respThresh time.Duration
	tokenPos   int
	latency    *LatencyOpts
	allowTrace bool
}

func (a *Account) addExports(eo []ExportOpts) {
	for _, e := range eo {
		th := e.ResponseThreshold
		if th <= 0 {
			th = DefaultResponseThreshold
		}
		a.exports = append(a.exports, &export{service: e.Service, subject: e.Subject,
			approved: e.Accounts, respType: e.ResponseType, respThresh: th,
			tokenPos: e.AccountTokenPosition, latency: e.Latency, allowTrace: e.AllowTrace})
	}
}

// findExport returns the export of a that covers subj for importer, or
// nil. As in nats-server, an export of exactly subj decides; otherwise
// the first export subj is a subset of decides.
func (a *Account) findExport(service bool, subj string, importer *Account) *export {
	var decides *export
	for _, e := range a.exports {
		if e.service == service && e.subject == subj {
			decides = e
			break
		}
	}
	for _, e := range a.exports {
		if decides == nil && e.service == service && subject.SubsetOf(subj, e.subject) {
			decides = e
		}
	}
	if decides == nil || !decides.allows(importer, subj) {
		return nil
	}
	return decides
}

// allows reports whether importer may import subj through e.
func (e *export) allows(importer *Account, subj string) bool {
	if e.tokenPos > 0 {
		toks := strings.Split(subj, ".")
		return e.tokenPos <= len(toks) && toks[e.tokenPos-1] == importer.name
	}
	return e.approved == nil || slices.Contains(e.approved, importer.name)
}

// addImports wires the account's imports to their exporters.
func (a *Account) addImports(io []ImportOpts) error {
	s := a.srv
	for _, im := range io {
		exp := s.accounts[im.Account]
		if exp == nil {
			kind := "stream"
			if im.Service {
				kind = "service"
			}
			return fmt.Errorf("%q account not defined for %s import", im.Account, kind)
		}
		var err error
		if im.Service {
			_, err = a.addServiceImport(exp, im.Subject, im.To, im.Share)
		} else {
			err = a.addStreamImport(exp, im.Subject, im.To, im.Prefix)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// maxSubs is the client's subscription limit (0: none): the server's,
// lowered by its account's, as nats-server applies account limits to each
// of the account's clients.
func (c *client) maxSubs() int {
	m := c.srv.opts.MaxSubs
	if l := c.acc.limits.MaxSubscriptions; l > 0 && (m <= 0 || l < m) {
		m = l
	}
	return m
}

// errTextMaxAccountConnections is nats-server's
// ErrTooManyAccountConnections.
const errTextMaxAccountConnections = "maximum account active connections exceeded"

// bindAccount moves a registered client (counted in $G since it was
// accepted) into acc, enforcing the account's connection limit. It
// returns false when it closed the connection.
func (c *client) bindAccount(acc *Account) bool {
	if acc == c.acc {
		return true
	}
	if !c.registered {
		c.acc = acc
		return true
	}
	if max := acc.limits.MaxConnections; max >= 0 && acc.conns >= max {
		c.errorf("%s", errTextMaxAccountConnections)
		c.sendErr(errTextMaxAccountConnections)
		c.closeConnection(MaxAccountConnectionsExceeded)
		return false
	}
	c.acc.conns--
	c.acc = acc
	acc.conns++
	if mp := c.maxPayload(); mp != c.srv.opts.MaxPayload {
		lim := c.srv.parserLimits()
		lim.MaxPayload = int(mp)
		c.parser.SetLimits(lim)
	}
	return true
}

// maxPayload is the client's payload limit: the server's, lowered by its
// account's.
func (c *client) maxPayload() int32 {
	if mp := c.acc.limits.MaxPayload; mp > 0 && mp < c.srv.opts.MaxPayload {
		return mp
	}
	return c.srv.opts.MaxPayload
}

// transformTokenize turns the bare '*' tokens of an import destination
// into $1, $2, ... in order, as nats-server reads a destination written
// with wildcards ("svc.*" for "svc.$1").
func transformTokenize(dest string) string {
	toks := strings.Split(dest, ".")
	n := 0
	for i, t := range toks {
		if t == "*" {
			n++
			toks[i] = "$" + strconv.Itoa(n)
		}
	}
	if n == 0 {
		return dest
	}
	return strings.Join(toks, ".")
}
