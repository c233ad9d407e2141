package config

import (
	"fmt"
	"math"
	"strings"

	"github.com/nats-io/nkeys"

	"jsnode/node/auth"
	"jsnode/node/conf"
	"jsnode/node/server"
)

// applyAccounts reads the accounts key: a map of account blocks, or the
// short form, a list of names.
func applyAccounts(v *conf.Value, o *server.Options) error {
	if v.Kind == conf.KindArray {
		return applyAccountNames(v, o)
	}
	m, err := v.AsMap()
	if err != nil {
		return err
	}
	users := newUserNames(&o.Auth)
	for _, name := range m.Keys {
		if m.IsVariable(name) {
			continue
		}
		val, _ := m.Get(name)
		if val.Kind != conf.KindMap {
			return val.Errorf("Expected map entries for accounts")
		}
		if name == server.GlobalAccount {
			return val.Errorf("%q is a Reserved Account", name)
		}
		acc := &server.AccountOpts{Name: name, Limits: server.UnlimitedAccount}
		o.Accounts = append(o.Accounts, acc)
		if err := applyAccount(val.Map, acc, o, users); err != nil {
			return err
		}
	}
	return nil
}

// applyAccountNames reads `accounts: [A, B]`: accounts without users.
func applyAccountNames(v *conf.Value, o *server.Options) error {
	seen := map[string]bool{}
	for _, item := range v.Array {
		name, err := item.AsString()
		if err != nil {
			return err
		}
		switch {
		case name == server.GlobalAccount:
			return item.Errorf("%q is a Reserved Account", name)
		case seen[name]:
			return item.Errorf("Duplicate Account Entry: %s", name)
		}
		seen[name] = true
		o.Accounts = append(o.Accounts, &server.AccountOpts{Name: name, Limits: server.UnlimitedAccount})
	}
	return nil
}

// accountUsers collects an account block's users until the block is read,
// because default_permissions may come after them.
type accountUsers struct {
	pos   conf.Pos
	users []*auth.User
	nkeys []*auth.NkeyUser
	perms *auth.Permissions
}

// applyAccount reads one account block into acc; its users go to o.Auth.
func applyAccount(m *conf.Map, acc *server.AccountOpts, o *server.Options, names userNames) error {
	var au accountUsers
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		if err := applyAccountKey(m, key, val, acc, &au); err != nil {
			return err
		}
	}
	return au.bind(acc.Name, o, names)
}

func applyAccountKey(m *conf.Map, key string, v *conf.Value, acc *server.AccountOpts, au *accountUsers) error {
	var err error
	switch k := strings.ToLower(key); k {
	case "nkey":
		acc.Nkey, err = accountNkey(v)
	case "users":
		au.pos = v.Pos
		au.users, au.nkeys, err = parseUsers(v)
	case "default_permissions":
		au.perms, err = parsePermissions(v)
	case "exports":
		acc.Exports, err = parseExports(v)
	case "imports":
		acc.Imports, err = parseImports(v)
	case "mappings", "maps":
		acc.Mappings, err = parseMappings(v)
	case "limits":
		err = applyAccountLimits(v, &acc.Limits)
	case "jetstream":
		err = applyAccountJetStream(v, acc)
	default:
		return otherKey(blockAccount, m, key, "")
	}
	return err
}

// accountNkey reads the account's public nkey ("A...").
func accountNkey(v *conf.Value) (string, error) {
	s, err := v.AsString()
	if err != nil || !nkeys.IsValidPublicAccountKey(s) {
		return "", v.Errorf("Not a valid public nkey for an account: %q", valueText(v))
	}
	return s, nil
}

// bind puts the account's users into the authentication lists, bound to
// the account, with its default permissions where they have none. Names
// must be unique across authorization and every account.
func (au *accountUsers) bind(account string, o *server.Options, names userNames) error {
	for _, n := range au.nkeys {
		if err := names.add(n.Nkey, "Duplicate nkey %q detected", au.pos); err != nil {
			return err
		}
		n.Account = account
		if n.Permissions == nil {
			n.Permissions = au.perms
		}
	}
	for _, u := range au.users {
		if err := names.add(u.Username, "Duplicate user %q detected", au.pos); err != nil {
			return err
		}
		u.Account = account
		if u.Permissions == nil {
			u.Permissions = au.perms
		}
	}
	o.Auth.Nkeys = append(o.Auth.Nkeys, au.nkeys...)
	o.Auth.Users = append(o.Auth.Users, au.users...)
	return nil
}

// userNames are the user names and nkeys seen so far: one namespace, as in
// nats-server, seeded with the users authorization defined before.
type userNames map[string]bool

func newUserNames(a *auth.Config) userNames {
	names := userNames{}
	for _, u := range a.Users {
		names[u.Username] = true
	}
	for _, n := range a.Nkeys {
		names[n.Nkey] = true
	}
	return names
}

func (names userNames) add(name, format string, at conf.Pos) error {
	if names[name] {
		return &conf.Error{Pos: at, Msg: fmt.Sprintf(format, name)}
	}
	names[name] = true
	return nil
}

// applyAccountLimits reads limits {}: the keys given replace the -1
// (unlimited) defaults.
func applyAccountLimits(v *conf.Value, l *server.AccountLimits) error {
	if v.Kind != conf.KindMap {
		return v.Errorf("Expected account limits to be a map/struct, got %s", valueText(v))
	}
	m := v.Map
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		var n int
		var err error
		switch strings.ToLower(key) {
		case "max_connections", "max_conn":
			l.MaxConnections, err = asInt(val)
		case "max_subscriptions", "max_subs":
			l.MaxSubscriptions, err = asInt(val)
		case "max_payload", "max_pay":
			n, err = asInt(val)
			l.MaxPayload = int32(n)
		case "max_leafnodes", "max_leafs":
			l.MaxLeafNodes, err = asInt(val)
		default:
			if m.IsVariable(key) {
				continue
			}
			return &conf.Error{Pos: m.KeyPos(key), Msg: fmt.Sprintf("Unknown field %q parsing account limits", key)}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// goType names a value's type as nats-server's %T does in its messages
// (its parser hands out Go strings, int64s, maps and slices).
func goType(v *conf.Value) string {
	switch v.Kind {
	case conf.KindString:
		return "string"
	case conf.KindInt:
		return "int64"
	case conf.KindFloat:
		return "float64"
	case conf.KindBool:
		return "bool"
	case conf.KindMap:
		return "map[string]interface {}"
	}
	return "[]interface {}"
}

// valueText renders a scalar as nats-server prints it with %v.
func valueText(v *conf.Value) string {
	switch v.Kind {
	case conf.KindString:
		return v.Str
	case conf.KindInt:
		return fmt.Sprint(v.Int)
	case conf.KindFloat:
		return fmt.Sprint(v.Float)
	case conf.KindBool:
		return fmt.Sprint(v.Bool)
	}
	return v.Kind.String()
}

// tokenPosition reads account_token_position. A negative number becomes
// one no subject has, so the export is refused as nats-server refuses the
// huge unsigned number it turns into.
func tokenPosition(v *conf.Value) (int, error) {
	n, err := v.AsInt()
	if err != nil {
		return 0, err
	}
	if n < 0 || n > math.MaxInt32 {
		return math.MaxInt32, nil
	}
	return int(n), nil
}
