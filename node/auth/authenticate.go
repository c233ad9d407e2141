package auth

import (
	"crypto/subtle"
	"encoding/base64"

	"github.com/nats-io/nkeys"
	"golang.org/x/crypto/bcrypt"
)

// Authenticate checks the credentials a client sent in CONNECT. nonce is
// the nonce sent in INFO (nil if none). It returns ok=false for any
// failure; the server then answers "Authorization Violation".
//
// The order follows nats-server: without configured credentials everyone
// is in; an nkey is checked against the nkey users; otherwise a user name
// against the users (a client sending no user, password or token becomes
// NoAuthUser); otherwise the token, then the single user/password.
func (c *Config) Authenticate(cr Credentials, nonce []byte) (Identity, bool) {
	if !c.Required() {
		return Identity{}, true
	}
	if len(c.Nkeys) > 0 && cr.Nkey != "" {
		return c.authenticateNkey(cr, nonce)
	}
	if c.NoAuthUser != "" && cr.User == "" && cr.Pass == "" && cr.Token == "" && cr.Nkey == "" {
		if n := c.findNkey(c.NoAuthUser); n != nil {
			return c.identityOf(n.Nkey, n.Permissions, n.Account), true
		}
	}
	if len(c.Users) > 0 {
		if c.NoAuthUser != "" && cr.User == "" && cr.Pass == "" && cr.Token == "" {
			if u := c.findUser(c.NoAuthUser); u != nil {
				return c.identityOf(u.Username, u.Permissions, u.Account), true
			}
		}
		if cr.User != "" {
			u := c.findUser(cr.User)
			if u == nil || !passwordMatches(u.Password, cr.Pass) {
				return Identity{}, false
			}
			return c.identityOf(u.Username, u.Permissions, u.Account), true
		}
	}
	switch {
	case c.Token != "":
		return Identity{}, passwordMatches(c.Token, cr.Token)
	case c.Username != "":
		ok := constantTimeEqual(c.Username, cr.User) && passwordMatches(c.Password, cr.Pass)
		return Identity{Name: c.Username}, ok
	}
	return Identity{}, false
}

// authenticateNkey verifies that the client holds the seed of a configured
// nkey: sig must be the nonce signed with it.
func (c *Config) authenticateNkey(cr Credentials, nonce []byte) (Identity, bool) {
	n := c.findNkey(cr.Nkey)
	if n == nil || cr.Sig == "" || len(nonce) == 0 {
		return Identity{}, false
	}
	sig, ok := decodeSignature(cr.Sig)
	if !ok {
		return Identity{}, false
	}
	pub, err := nkeys.FromPublicKey(cr.Nkey)
	if err != nil {
		return Identity{}, false
	}
	if err := pub.Verify(nonce, sig); err != nil {
		return Identity{}, false
	}
	return c.identityOf(n.Nkey, n.Permissions, n.Account), true
}

// decodeSignature accepts raw (unpadded) URL-safe base64, which nats.go
// sends, and falls back to standard padded base64, as nats-server does.
func decodeSignature(s string) ([]byte, bool) {
	if sig, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return sig, true
	}
	if sig, err := base64.StdEncoding.DecodeString(s); err == nil {
		return sig, true
	}
	return nil, false
}

// identityOf names an authenticated user; users of the authorization
// block (not of an account: those got their account's defaults when the
// config was read) without permissions of their own get the default
// permissions.
func (c *Config) identityOf(name string, p *Permissions, account string) Identity {
	if p == nil && account == "" {
		p = c.DefaultPermissions
	}
	return Identity{Name: name, Permissions: p, Account: account}
}

func (c *Config) findUser(name string) *User {
	for _, u := range c.Users {
		if u != nil && u.Username == name {
			return u
		}
	}
	return nil
}

func (c *Config) findNkey(key string) *NkeyUser {
	for _, n := range c.Nkeys {
		if n != nil && n.Nkey == key {
			return n
		}
	}
	return nil
}

// passwordMatches compares a configured password or token with what the
// client sent: with bcrypt if the configured value is a bcrypt hash,
// otherwise in constant time.
// Costly reports whether authenticating cr may take a costly check: a
// bcrypt comparison or an nkey signature. Such a check belongs off the
// event loop (a bcrypt of cost 10 takes tens of milliseconds).
func (c *Config) Costly(cr Credentials) bool {
	if !c.Required() {
		return false
	}
	if len(c.Nkeys) > 0 && cr.Nkey != "" {
		return true
	}
	if cr.User != "" {
		if u := c.findUser(cr.User); u != nil && isBcrypt(u.Password) {
			return true
		}
	}
	return isBcrypt(c.Token) || isBcrypt(c.Password)
}

func passwordMatches(configured, sent string) bool {
	if isBcrypt(configured) {
		return bcrypt.CompareHashAndPassword([]byte(configured), []byte(sent)) == nil
	}
	return constantTimeEqual(configured, sent)
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// bcryptPrefixLen is len("$2a$10$"): version, cost and their separators.
const bcryptPrefixLen = 7

// isBcrypt reports whether s looks like a bcrypt hash, by the same rule as
// nats-server: "$2", one of a, b, x, y, "$", two digits, "$".
func isBcrypt(s string) bool {
	if len(s) < bcryptPrefixLen || s[0] != '$' || s[1] != '2' || s[3] != '$' || s[6] != '$' {
		return false
	}
	switch s[2] {
	case 'a', 'b', 'x', 'y':
	default:
		return false
	}
	return isDigit(s[4]) && isDigit(s[5])
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
