package config

import (
	"strings"
	"time"

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
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		switch strings.ToLower(key) {
		case "user", "username":
			a.Username, err = val.AsString()
		case "password", "pass":
			a.Password, err = val.AsString()
		case "token":
			a.Token, err = val.AsString()
		case "timeout":
			a.Timeout, err = asSeconds(val)
		case "users":
			err = applyUsers(val, a)
		case "permissions", "default_permissions", "default_permission":
			a.DefaultPermissions, err = parsePermissions(val)
		default:
			err = otherKey(blockAuth, m, key, "")
		}
		if err != nil {
			return err
		}
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

func applyUsers(v *conf.Value, a *auth.Config) error {
	users, nkeys, err := parseUsers(v)
	a.Users = append(a.Users, users...)
	a.Nkeys = append(a.Nkeys, nkeys...)
	return err
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
			user.Password, err = val.AsString()
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
	case nkey != "" && (user.Username != "" || user.Password != ""):
		return nil, nil, item.Errorf("a user entry has either nkey or user/password, not both")
	case nkey != "":
		return nil, &auth.NkeyUser{Nkey: nkey, Permissions: perms}, nil
	case user.Username == "":
		return nil, nil, item.Errorf("user entry without user or nkey")
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
			p.Publish, err = parseSubjectPermission(val)
		case "subscribe", "sub", "export":
			p.Subscribe, err = parseSubjectPermission(val)
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

func parseSubjectPermission(v *conf.Value) (*auth.SubjectPermission, error) {
	if v.Kind != conf.KindMap {
		subjects, err := subjectList(v)
		return &auth.SubjectPermission{Allow: subjects}, err
	}
	m := v.Map
	sp := &auth.SubjectPermission{}
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		var err error
		switch strings.ToLower(key) {
		case "allow":
			sp.Allow, err = subjectList(val)
		case "deny":
			sp.Deny, err = subjectList(val)
		default:
			err = otherKey("", m, key, "Unknown field name %q parsing subject permissions, only 'allow' or 'deny' are permitted")
		}
		if err != nil {
			return nil, err
		}
	}
	return sp, nil
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
