package server

import (
	"slices"

	"jsnode/node/auth"
)

// The system account serves a few requests to every account: an account's
// users may ask for their own connections, statistics and user info. As
// in nats-server, the system account exports those request subjects
// (with the account name as a token only that account may import) and
// every other account imports them under the account-neutral names the
// nats CLI uses.

// systemImport is one request subject every account imports from the
// system account: local is what the account's users publish, remote the
// system account's subject with %s for the account name.
type systemImport struct {
	local, remote string
	respType      ResponseType
	share         bool
}

var systemImports = []systemImport{
	{"$SYS.REQ.ACCOUNT.PING.CONNZ", "$SYS.REQ.ACCOUNT.%s.CONNZ", Streamed, false},
	{"$SYS.REQ.SERVER.PING.CONNZ", "$SYS.REQ.ACCOUNT.%s.CONNZ", Streamed, false},
	{"$SYS.REQ.ACCOUNT.PING.STATZ", "$SYS.REQ.ACCOUNT.%s.STATZ", Streamed, false},
	{"$SYS.REQ.USER.INFO", "$SYS.REQ.USER.%s.INFO", Singleton, true},
}

// addSystemImports adds the system exports (the account name as the
// token only that account may import) and imports them into every
// account, through the same path as configured imports.
func (s *Server) addSystemImports() {
	sys := s.sysAcc
	if sys == nil {
		return
	}
	for _, si := range systemImports {
		subj := fmtSubj(si.remote, "*")
		if !slices.ContainsFunc(sys.exports, func(e *export) bool { return e.subject == subj }) {
			sys.addExports([]ExportOpts{{Service: true, Subject: subj, ResponseType: si.respType, AccountTokenPosition: 4}})
		}
	}
	for _, a := range s.accountsInOrder() {
		for _, si := range systemImports {
			if a == sys && !si.share {
				continue // the system account asks its own subjects directly
			}
			im, err := a.addServiceImport(sys, fmtSubj(si.remote, a.name), si.local, si.share)
			if err != nil {
				s.log.Errorf("Error adding system import %q to account %q: %v", si.local, a.name, err)
				continue
			}
			im.system = true
		}
	}
}

// inventNoAuthUser handles nats-server's special case: when the only
// users are the system account's (no other accounts, no authorization
// block, no no_auth_user), a client without credentials still lands in
// $G, as an invented user "nats-<8 random>". INFO keeps auth_required.
// A reload keeps the name, so the clients of the invented user stay.
func (s *Server) inventNoAuthUser() {
	o := &s.opts
	a := &o.Auth
	s.inventedNoAuth = false
	if s.sysAcc == nil || a.NoAuthUser != "" || a.Token != "" || a.Username != "" || len(o.Accounts) != 1 ||
		o.Accounts[0].Name != s.sysAcc.name {
		return
	}
	for _, u := range a.Users {
		if u.Account != s.sysAcc.name {
			return
		}
	}
	for _, n := range a.Nkeys {
		if n.Account != s.sysAcc.name {
			return
		}
	}
	if s.inventedName == "" {
		s.inventedName = "nats-" + s.randomName(8)
	}
	a.Users = append(slices.Clone(a.Users), &auth.User{Username: s.inventedName})
	a.NoAuthUser = s.inventedName
	s.inventedNoAuth = true
}
