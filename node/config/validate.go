package config

import (
	"errors"
	"strings"

	"jsnode/node/conf"
	"jsnode/node/server"
)

// validateAccounts runs server.ValidateAccounts on the options read from
// m. Errors nats-server reports against the accounts block get that
// block's position, as nats-server's do; the others (system account,
// no_auth_user) it reports at start-up, without one.
func validateAccounts(m *conf.Map, o *server.Options) error {
	err := server.ValidateAccounts(o)
	if err == nil {
		return nil
	}
	at := accountsPos(m)
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		var ae *server.AccountsError
		if errors.As(e, &ae) {
			e = &conf.Error{Pos: at, Msg: ae.Msg}
		}
		out[i] = e
	}
	return errors.Join(out...)
}

// accountsPos is where the accounts block starts (no position without one).
func accountsPos(m *conf.Map) conf.Pos {
	for _, key := range m.Keys {
		if strings.EqualFold(key, "accounts") {
			v, _ := m.Get(key)
			return v.Pos
		}
	}
	return conf.Pos{}
}
