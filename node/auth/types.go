// Package auth decides who may connect and what each client may publish and
// subscribe to: tokens, user/password (plain or bcrypt), nkeys (signature of
// the server's nonce) and per-user permissions with allow_responses.
package auth

import "time"

// allow_responses defaults, applied when a ResponsePermission field is 0
// (nats-server's DEFAULT_ALLOW_RESPONSE_MAX_MSGS / _EXPIRATION).
const (
	DefaultResponseMaxMsgs = 1
	DefaultResponseExpires = 2 * time.Minute
)

// Credentials are what a client sent in CONNECT: user/pass, auth_token,
// or nkey plus sig (the INFO nonce signed with the nkey's seed, base64).
type Credentials struct {
	User, Pass, Token, Nkey, Sig string
}

// Identity is an authenticated client.
type Identity struct {
	// Name is the user name or nkey; "" for a token or anonymous client.
	Name string
	// Permissions are the client's rules; nil means everything allowed.
	Permissions *Permissions
	// Account is the account the client is bound to; "" means the
	// global account ($G).
	Account string
}

// User is a user/password entry (authorization { users = [...] }).
// A Password of the form "$2a$NN$..." ($2a, $2b, $2x or $2y, as
// nats-server accepts) is a bcrypt hash; anything else is plain text.
type User struct {
	Username    string
	Password    string
	Permissions *Permissions
	// Account is the account the user belongs to ("" for $G).
	Account string
}

// NkeyUser is an nkey entry: a user public key ("U...") whose holder proves
// itself by signing the nonce sent in INFO.
type NkeyUser struct {
	Nkey        string
	Permissions *Permissions
	// Account is the account the user belongs to ("" for $G).
	Account string
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
// received request, within Expires of its delivery. As in nats-server, a
// zero value means the default (DefaultResponseMaxMsgs,
// DefaultResponseExpires: `allow_responses: true` gets 1 reply within 2
// minutes) and a negative value means no limit.
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
