package server

import (
	"fmt"
	"slices"

	"jsnode/node/auth"
)

// The client re-check after a reload, as nats-server's: every client is
// authenticated again with what it sent in CONNECT (and the nonce it
// signed), against the new authorization.
//
//   - A client whose user is gone, or now belongs to another account, is
//     closed ("Client Closed", no error): it reconnects and lands where
//     the new configuration puts it.
//   - A client that no longer passes gets -ERR 'Authorization Violation'
//     and is closed.
//   - A client that passes gets its new permissions; each subscription
//     they no longer allow is removed with -ERR 'Permissions Violation
//     for Subscription to "<subject>" (sid "<sid>")'.
//
// Unlike nats-server 2.15, which closes every client of the single
// authorization { user, password } on any reload, such a client stays
// while its credentials still pass. A client that has not sent CONNECT
// yet is authenticated by its CONNECT, against the new configuration.

// recheckClients applies the new authorization to every client; prev is
// the authorization the clients were admitted under.
func (s *Server) recheckClients(prev *auth.Config) {
	for _, c := range s.sortedClients() {
		if !c.closing {
			s.recheckClient(c, prev)
		}
	}
}

func (s *Server) recheckClient(c *client, prev *auth.Config) {
	if c.authPending {
		// Its check runs off the loop against the old configuration:
		// authDone runs it again against this one.
		c.authStale = true
		return
	}
	if !c.connectReceived {
		c.awaitConnect()
		return
	}
	if c.userMoved() {
		c.closeConnection(ClientClosed)
		return
	}
	id, ok := s.reauthenticate(c, prev)
	if !ok {
		c.authViolation()
		return
	}
	if acc := s.accountFor(id); acc != c.acc {
		c.closeConnection(ClientClosed)
		return
	}
	c.user = id.Name
	c.permissions = id.Permissions
	c.perms = auth.NewChecker(id.Permissions)
	c.dropForbiddenSubs()
}

// awaitConnect puts a client that has not sent CONNECT under the new
// rules: CONNECT first and an auth timer when authentication is now
// required (without a no_auth_user), neither otherwise.
func (c *client) awaitConnect() {
	s := c.srv
	must := s.authRequired && s.opts.Auth.NoAuthUser == ""
	c.parser.SetAwaitingConnect(must)
	if s.authRequired && c.authTimer == nil {
		c.startAuthTimer()
	}
	if !s.authRequired {
		c.stopAuthTimer()
	}
}

// userMoved reports whether the client's user is no longer configured,
// or is now in another account. The single user of authorization { user,
// password } is left to the re-authentication.
func (c *client) userMoved() bool {
	if c.user == "" {
		return false
	}
	a := &c.srv.opts.Auth
	for _, u := range a.Users {
		if u != nil && u.Username == c.user {
			return accountName(u.Account) != c.acc.name
		}
	}
	for _, n := range a.Nkeys {
		if n != nil && n.Nkey == c.user {
			return accountName(n.Account) != c.acc.name
		}
	}
	return c.user != a.Username
}

func accountName(name string) string {
	if name == "" {
		return GlobalAccount
	}
	return name
}

// accountFor is the account an identity belongs to (nil if unknown).
func (s *Server) accountFor(id auth.Identity) *Account {
	if id.Account == "" {
		return s.gacc
	}
	return s.accounts[id.Account]
}

// reauthenticate checks the client's CONNECT credentials against the new
// authorization. When the secret the client proved is configured exactly
// as before, it is not checked again (a bcrypt comparison per client
// would hold the loop for the whole reload): see reuseSecrets.
func (s *Server) reauthenticate(c *client, prev *auth.Config) (auth.Identity, bool) {
	if !s.authRequired {
		return auth.Identity{}, true
	}
	o := &c.opts
	if o.Account != "" || o.AccountNew {
		return auth.Identity{}, false
	}
	cr := auth.Credentials{User: o.Username, Pass: o.Password, Token: o.Token, Nkey: o.Nkey, Sig: o.Sig}
	cfg := reuseSecrets(prev, &s.opts.Auth, cr)
	return cfg.Authenticate(cr, c.nonce)
}

// reuseSecrets returns next, or a copy of it in which the secret the
// client sent replaces a configured secret that did not change, so the
// check of that secret is a plain comparison. That is sound only when
// Authenticate takes the same path through prev and next for these
// credentials, so the copy is made only when both have the same shape
// (which kinds of credentials are configured), and then the client,
// admitted under prev, proved exactly that secret.
func reuseSecrets(prev, next *auth.Config, cr auth.Credentials) *auth.Config {
	if !prev.Required() || authShape(prev) != authShape(next) {
		return next
	}
	cfg := *next
	switch {
	case len(next.Nkeys) > 0 && cr.Nkey != "":
		return next // signatures are cheap to verify
	case len(next.Users) > 0 && cr.User != "":
		nu := findUser(next.Users, cr.User)
		pu := findUser(prev.Users, cr.User)
		if nu == nil || pu == nil || nu.Password != pu.Password {
			return next
		}
		i := slices.Index(next.Users, nu)
		cfg.Users = slices.Clone(next.Users)
		u := *nu
		u.Password = cr.Pass
		cfg.Users[i] = &u
	case next.Token != "":
		if next.Token == prev.Token {
			cfg.Token = cr.Token
		}
	case next.Username != "":
		if next.Username == prev.Username && next.Password == prev.Password {
			cfg.Password = cr.Pass
		}
	}
	return &cfg
}

// authShape is what decides Authenticate's path for given credentials.
type shape struct {
	nkeys, users, noAuth, token, single bool
}

func authShape(a *auth.Config) shape {
	return shape{len(a.Nkeys) > 0, len(a.Users) > 0, a.NoAuthUser != "", a.Token != "", a.Username != ""}
}

func findUser(users []*auth.User, name string) *auth.User {
	for _, u := range users {
		if u != nil && u.Username == name {
			return u
		}
	}
	return nil
}

// dropForbiddenSubs removes the subscriptions the client's permissions
// no longer allow, telling the client and the log as nats-server does.
func (c *client) dropForbiddenSubs() {
	if c.perms == nil {
		return
	}
	for _, sub := range c.subsInOrder() {
		if c.perms.CanSubscribe(sub.subject, sub.queue) {
			continue
		}
		c.removeSub(sub)
		c.sendErr(fmt.Sprintf("Permissions Violation for Subscription to %q (sid %q)", sub.subject, sub.sid))
		c.srv.log.Noticef("Removed sub %q (sid %q) for %s - not authorized", sub.subject, sub.sid, c.authUser())
	}
}

// authUser names the client's credentials for logs, as nats-server does.
func (c *client) authUser() string {
	switch {
	case c.opts.Nkey != "":
		return fmt.Sprintf("Nkey %q", c.opts.Nkey)
	case c.opts.Username != "":
		return fmt.Sprintf("User %q", c.opts.Username)
	}
	return `User "N/A"`
}
