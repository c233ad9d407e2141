package config

import (
	"strings"
	"time"

	"github.com/nats-io/nkeys"

	"jsnode/node/auth"
	"jsnode/node/conf"
	"jsnode/node/server"
)

// applyAuthorization reads an `authorization { }` block.
func applyAuthorization(v *conf.Value, o *server.Options) error {
	m, err := v.AsMap()
	if err != nil {
		return err
	}
	a := &o.Auth
	names := newUserNames(a) // users of accounts read before this block
	usersSeen := false
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		switch strings.ToLower(key) {
		case "user", "username":
			a.Username, err = val.AsString()
		case "password", "pass":
			a.Password, err = secretString(val)
		case "token":
			a.Token, err = secretString(val)
		case "timeout":
			a.Timeout, err = asSeconds(val)
		case "users":
			usersSeen = true
			err = applyUsers(val, a, names)
		case "permissions", "default_permissions", "default_permission":
			a.DefaultPermissions, err = parsePermissions(val)
		default:
			err = otherKey(blockAuth, m, key, "")
		}
		if err != nil {
			return err
		}
	}
	return checkAuthMethods(v, a, usersSeen || len(names) > 0)
}

// checkAuthMethods refuses, at the authorization block, the combinations
// nats-server refuses there: a token with a user, or a single user or a
// token beside a users array (which accounts' users count as).
func checkAuthMethods(v *conf.Value, a *auth.Config, haveUsers bool) error {
	switch {
	case (a.Username != "" || a.Password != "") && a.Token != "":
		return v.Errorf("Cannot have a user/pass and token")
	case haveUsers && a.Username != "":
		return v.Errorf("Can not have a single user/pass and a users array")
	case haveUsers && a.Token != "":
		return v.Errorf("Can not have a token and a users array")
	}
	return nil
}

// asSeconds reads nats-server's auth timeout: a number of seconds (possibly
// fractional) or a duration string.
func asSeconds(v *conf.Value) (time.Duration, error) {
	switch v.Kind {
	case conf.KindFloat:
		return time.Duration(v.Float * float64(time.Second)), nil
	case conf.KindInt:
		return time.Duration(v.Int) * time.Second, nil
	}
	return v.AsDuration()
}

// applyUsers reads authorization's users; a name or nkey already taken
// (here or by an account) is refused at its entry, with nats-server's text.
func applyUsers(v *conf.Value, a *auth.Config, names userNames) error {
	list, err := v.AsArray()
	if err != nil {
		return err
	}
	for _, item := range list {
		user, nkey, err := parseUser(item)
		switch {
		case err != nil:
			return err
		case nkey != nil:
			err = names.add(nkey.Nkey, "Duplicate nkey %q detected", item.Pos)
			a.Nkeys = append(a.Nkeys, nkey)
		default:
			err = names.add(user.Username, "Duplicate user %q detected", item.Pos)
			a.Users = append(a.Users, user)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// parseUsers reads a users array (of authorization or of an account):
// user/password entries and nkey entries, each with optional permissions.
func parseUsers(v *conf.Value) ([]*auth.User, []*auth.NkeyUser, error) {
	list, err := v.AsArray()
	if err != nil {
		return nil, nil, err
	}
	var users []*auth.User
	var nkeys []*auth.NkeyUser
	for _, item := range list {
		user, nkey, err := parseUser(item)
		switch {
		case err != nil:
			return nil, nil, err
		case nkey != nil:
			nkeys = append(nkeys, nkey)
		default:
			users = append(users, user)
		}
	}
	return users, nkeys, nil
}

// parseUser reads one users entry: either a user or an nkey user.
func parseUser(item *conf.Value) (*auth.User, *auth.NkeyUser, error) {
	m, err := item.AsMap()
	if err != nil {
		return nil, nil, err
	}
	var user auth.User
	var nkey string
	var perms *auth.Permissions
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		switch strings.ToLower(key) {
		case "user", "username":
			user.Username, err = val.AsString()
		case "password", "pass":
			user.Password, err = secretString(val)
		case "nkey":
			nkey, err = val.AsString()
		case "permissions", "permission", "authorization":
			perms, err = parsePermissions(val)
		default:
			err = otherKey(blockUser, m, key, "")
		}
		if err != nil {
			return nil, nil, err
		}
	}
	switch {
	case nkey == "" && user.Username == "":
		return nil, nil, item.Errorf("User entry requires a user")
	case nkey != "" && !nkeys.IsValidPublicUserKey(nkey):
		return nil, nil, &conf.Error{Pos: m.KeyPos("nkey"), Msg: "Not a valid public nkey for a user"}
	case nkey != "" && (user.Username != "" || user.Password != ""):
		return nil, nil, item.Errorf("Nkey users do not take usernames or passwords")
	case nkey != "":
		return nil, &auth.NkeyUser{Nkey: nkey, Permissions: perms}, nil
	}
	user.Permissions = perms
	return &user, nil, nil
}

// parsePermissions reads a permissions map: publish/subscribe as a subject,
// a list of subjects or an {allow, deny} map, and allow_responses.
func parsePermissions(v *conf.Value) (*auth.Permissions, error) {
	m, err := v.AsMap()
	if err != nil {
		return nil, err
	}
	p := &auth.Permissions{}
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		switch strings.ToLower(key) {
		case "publish", "pub", "import":
			p.Publish, err = parseSubjectPermission(val, auth.CheckPublishSubject)
		case "subscribe", "sub", "export":
			p.Subscribe, err = parseSubjectPermission(val, auth.CheckSubscribeSubject)
		case "allow_responses", "publish_allow_responses", "allow_resp":
			p.Response, err = parseResponses(val)
		default:
			err = otherKey("", m, key, "Unknown field %q parsing permissions")
		}
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

// parseSubjectPermission reads a subject, a list of subjects or an
// {allow, deny} map; check refuses a bad subject at its position (the
// text is nats-server's, which gives no position for it).
func parseSubjectPermission(v *conf.Value, check func(string) error) (*auth.SubjectPermission, error) {
	if v.Kind != conf.KindMap {
		subjects, err := checkedSubjects(v, check)
		return &auth.SubjectPermission{Allow: subjects}, err
	}
	m := v.Map
	sp := &auth.SubjectPermission{}
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		var err error
		switch strings.ToLower(key) {
		case "allow":
			sp.Allow, err = checkedSubjects(val, check)
		case "deny":
			sp.Deny, err = checkedSubjects(val, check)
		default:
			err = otherKey("", m, key, "Unknown field name %q parsing subject permissions, only 'allow' or 'deny' are permitted")
		}
		if err != nil {
			return nil, err
		}
	}
	return sp, nil
}

// checkedSubjects is subjectList with each subject checked where it is.
func checkedSubjects(v *conf.Value, check func(string) error) ([]string, error) {
	items := []*conf.Value{v}
	if v.Kind == conf.KindArray {
		items = v.Array
	}
	for _, item := range items {
		if s, err := item.AsString(); err == nil {
			if err := check(s); err != nil {
				return nil, item.Errorf("%s", err.Error())
			}
		}
	}
	return subjectList(v)
}

// subjectList takes one subject or an array of subjects.
func subjectList(v *conf.Value) ([]string, error) {
	if v.Kind != conf.KindArray {
		s, err := v.AsString()
		return []string{s}, err
	}
	out := make([]string, 0, len(v.Array))
	for _, item := range v.Array {
		s, err := item.AsString()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// parseResponses reads allow_responses: true/false or {max, expires}.
func parseResponses(v *conf.Value) (*auth.ResponsePermission, error) {
	if v.Kind == conf.KindBool {
		if !v.Bool {
			return nil, nil
		}
		return &auth.ResponsePermission{}, nil
	}
	m, err := v.AsMap()
	if err != nil {
		return nil, err
	}
	rp := &auth.ResponsePermission{}
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		switch strings.ToLower(key) {
		case "max", "max_msgs", "max_messages", "max_responses":
			rp.MaxMsgs, err = asInt(val)
		case "expires", "expiration", "ttl":
			rp.Expires, err = val.AsDuration()
		default:
			err = otherKey("", m, key, "Unknown field %q parsing permissions")
		}
		if err != nil {
			return nil, err
		}
	}
	return rp, nil
}

// secretString reads a password or token. Its type error names only the
// kind of value found: the usual one quotes the value, and here the value
// is the secret (a numeric password would be printed at startup).
func secretString(v *conf.Value) (string, error) {
	if v.Kind != conf.KindString {
		return "", v.Errorf("expected a string, found %s", v.Kind)
	}
	return v.Str, nil
}
