// Package auth decides who may connect and what each client may publish and
// subscribe to: tokens, user/password (plain or bcrypt), nkeys (signature of
// the server's nonce) and per-user permissions with allow_responses.
package auth

import "time"

// User is a user/password entry (authorization { users = [...] }).
// A Password beginning with "$2" is a bcrypt hash.
type User struct {
	Username    string
	Password    string
	Permissions *Permissions
}

// NkeyUser is an nkey entry: a user public key ("U...") whose holder proves
// itself by signing the nonce sent in INFO.
type NkeyUser struct {
	Nkey        string
	Permissions *Permissions
}

// Permissions are one user's publish and subscribe rules.
type Permissions struct {
	Publish   *SubjectPermission
	Subscribe *SubjectPermission
	// Response, when set, lets the user publish to reply subjects of
	// messages it received (allow_responses).
	Response *ResponsePermission
}

// SubjectPermission lists allowed and denied subjects (wildcards allowed).
// An empty Allow with a non-nil permission means everything not denied.
type SubjectPermission struct {
	Allow []string
	Deny  []string
}

// ResponsePermission bounds allow_responses: at most MaxMsgs replies per
// received request, within Expires. nats-server's defaults are 1 and 0
// (no expiry).
type ResponsePermission struct {
	MaxMsgs int
	Expires time.Duration
}

// Config is the server's authentication setup.
type Config struct {
	// Token is the single shared token (authorization { token }).
	Token string
	// Username/Password is the single user of authorization { user, password }.
	Username string
	Password string
	// Users and Nkeys are the multi-user forms.
	Users []*User
	Nkeys []*NkeyUser
	// NoAuthUser names the user a client without credentials becomes.
	NoAuthUser string
	// Timeout is how long a client has to send CONNECT (default 2s).
	Timeout time.Duration
	// DefaultPermissions apply to users without their own.
	DefaultPermissions *Permissions
}
