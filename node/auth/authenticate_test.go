package auth

import (
	"encoding/base64"
	"testing"

	"github.com/nats-io/nkeys"
	"golang.org/x/crypto/bcrypt"
)

func bcryptHash(t *testing.T, secret string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(secret), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

func TestAuthenticateNoCredentialsConfigured(t *testing.T) {
	var c Config
	if c.Required() || c.NeedsNonce() {
		t.Fatalf("empty config: Required=%v NeedsNonce=%v, want false", c.Required(), c.NeedsNonce())
	}
	id, ok := c.Authenticate(Credentials{User: "x", Pass: "y", Token: "z"}, nil)
	if !ok || id.Name != "" || id.Permissions != nil {
		t.Fatalf("got %+v %v, want anonymous ok", id, ok)
	}
}

func TestAuthenticateToken(t *testing.T) {
	hashed := Config{Token: bcryptHash(t, "s3cr3t")}
	cases := []struct {
		name string
		cfg  Config
		sent string
		want bool
	}{
		{"plain ok", Config{Token: "s3cr3t"}, "s3cr3t", true},
		{"plain bad", Config{Token: "s3cr3t"}, "s3cr3T", false},
		{"plain prefix", Config{Token: "s3cr3t"}, "s3cr", false},
		{"plain empty", Config{Token: "s3cr3t"}, "", false},
		{"bcrypt ok", hashed, "s3cr3t", true},
		{"bcrypt bad", hashed, "wrong", false},
		{"bcrypt hash itself", hashed, hashed.Token, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.cfg.Required() {
				t.Fatal("token config must require auth")
			}
			id, ok := tc.cfg.Authenticate(Credentials{Token: tc.sent}, nil)
			if ok != tc.want {
				t.Fatalf("ok=%v, want %v", ok, tc.want)
			}
			if ok && (id.Name != "" || id.Permissions != nil) {
				t.Fatalf("token identity %+v, want anonymous", id)
			}
		})
	}
}

func TestAuthenticateSingleUser(t *testing.T) {
	c := Config{Username: "derek", Password: "porkchop"}
	if _, ok := c.Authenticate(Credentials{User: "derek", Pass: "porkchop"}, nil); !ok {
		t.Fatal("right user/pass refused")
	}
	for _, cr := range []Credentials{
		{User: "derek", Pass: "wrong"},
		{User: "other", Pass: "porkchop"},
		{Pass: "porkchop"},
		{},
	} {
		if _, ok := c.Authenticate(cr, nil); ok {
			t.Fatalf("%+v accepted", cr)
		}
	}
	id, _ := c.Authenticate(Credentials{User: "derek", Pass: "porkchop"}, nil)
	if id.Name != "derek" {
		t.Fatalf("name %q, want derek", id.Name)
	}
}

func TestAuthenticateUsers(t *testing.T) {
	alicePerms := &Permissions{Publish: &SubjectPermission{Allow: []string{"alice.>"}}}
	defaults := &Permissions{Subscribe: &SubjectPermission{Deny: []string{">"}}}
	c := Config{
		Users: []*User{
			{Username: "alice", Password: "plain-pw", Permissions: alicePerms},
			{Username: "bob", Password: bcryptHash(t, "bob-pw")},
		},
		DefaultPermissions: defaults,
	}
	cases := []struct {
		name      string
		cr        Credentials
		wantOK    bool
		wantName  string
		wantPerms *Permissions
	}{
		{"plain ok", Credentials{User: "alice", Pass: "plain-pw"}, true, "alice", alicePerms},
		{"plain bad", Credentials{User: "alice", Pass: "plain-pW"}, false, "", nil},
		{"bcrypt ok, default perms", Credentials{User: "bob", Pass: "bob-pw"}, true, "bob", defaults},
		{"bcrypt bad", Credentials{User: "bob", Pass: "alice-pw"}, false, "", nil},
		{"unknown user", Credentials{User: "carol", Pass: "plain-pw"}, false, "", nil},
		{"no credentials", Credentials{}, false, "", nil},
		{"token only", Credentials{Token: "plain-pw"}, false, "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id, ok := c.Authenticate(tc.cr, nil)
			if ok != tc.wantOK {
				t.Fatalf("ok=%v, want %v", ok, tc.wantOK)
			}
			if ok && (id.Name != tc.wantName || id.Permissions != tc.wantPerms) {
				t.Fatalf("identity %+v, want %q with %p", id, tc.wantName, tc.wantPerms)
			}
		})
	}
}

func TestAuthenticateNoAuthUser(t *testing.T) {
	guestPerms := &Permissions{Publish: &SubjectPermission{Allow: []string{"guest.>"}}}
	c := Config{
		Users: []*User{
			{Username: "admin", Password: "pw"},
			{Username: "guest", Password: bcryptHash(t, "guest-pw"), Permissions: guestPerms},
		},
		NoAuthUser: "guest",
	}
	if !c.Required() {
		t.Fatal("no_auth_user must still advertise auth_required, as nats-server does")
	}
	id, ok := c.Authenticate(Credentials{}, nil)
	if !ok || id.Name != "guest" || id.Permissions != guestPerms {
		t.Fatalf("no credentials: %+v %v, want guest", id, ok)
	}
	if id, ok := c.Authenticate(Credentials{User: "admin", Pass: "pw"}, nil); !ok || id.Name != "admin" {
		t.Fatalf("explicit user: %+v %v, want admin", id, ok)
	}
	// Sending some credential opts out of no_auth_user.
	for _, cr := range []Credentials{{Pass: "pw"}, {Token: "t"}, {User: "admin", Pass: "bad"}} {
		if _, ok := c.Authenticate(cr, nil); ok {
			t.Fatalf("%+v accepted", cr)
		}
	}
}

// nkeyFixture is a configured nkey user with a seed to sign nonces.
type nkeyFixture struct {
	kp     nkeys.KeyPair
	public string
}

func newNkeyFixture(t *testing.T) nkeyFixture {
	t.Helper()
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return nkeyFixture{kp: kp, public: pub}
}

func (f nkeyFixture) sign(t *testing.T, nonce []byte, enc *base64.Encoding) string {
	t.Helper()
	sig, err := f.kp.Sign(nonce)
	if err != nil {
		t.Fatal(err)
	}
	return enc.EncodeToString(sig)
}

func TestAuthenticateNkey(t *testing.T) {
	user := newNkeyFixture(t)
	stranger := newNkeyFixture(t)
	perms := &Permissions{Subscribe: &SubjectPermission{Allow: []string{"x"}}}
	c := Config{Nkeys: []*NkeyUser{{Nkey: user.public, Permissions: perms}}}
	if !c.Required() || !c.NeedsNonce() {
		t.Fatal("nkey config must require auth and a nonce")
	}
	nonce := []byte("Hx3bq8-nonce-from-info")
	other := []byte("another-nonce")
	cases := []struct {
		name  string
		cr    Credentials
		nonce []byte
		want  bool
	}{
		{"raw url sig", Credentials{Nkey: user.public, Sig: user.sign(t, nonce, base64.RawURLEncoding)}, nonce, true},
		{"std sig", Credentials{Nkey: user.public, Sig: user.sign(t, nonce, base64.StdEncoding)}, nonce, true},
		{"sig of other nonce", Credentials{Nkey: user.public, Sig: user.sign(t, other, base64.RawURLEncoding)}, nonce, false},
		{"sig by other key", Credentials{Nkey: user.public, Sig: stranger.sign(t, nonce, base64.RawURLEncoding)}, nonce, false},
		{"unknown nkey", Credentials{Nkey: stranger.public, Sig: stranger.sign(t, nonce, base64.RawURLEncoding)}, nonce, false},
		{"missing sig", Credentials{Nkey: user.public}, nonce, false},
		{"garbage sig", Credentials{Nkey: user.public, Sig: "!!not base64!!"}, nonce, false},
		{"no nonce sent", Credentials{Nkey: user.public, Sig: user.sign(t, nil, base64.RawURLEncoding)}, nil, false},
		{"no nkey", Credentials{User: "x", Pass: "y"}, nonce, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id, ok := c.Authenticate(tc.cr, tc.nonce)
			if ok != tc.want {
				t.Fatalf("ok=%v, want %v", ok, tc.want)
			}
			if ok && (id.Name != user.public || id.Permissions != perms) {
				t.Fatalf("identity %+v, want the nkey with its permissions", id)
			}
		})
	}
}

func TestAuthenticateNkeysAndUsersTogether(t *testing.T) {
	user := newNkeyFixture(t)
	c := Config{
		Nkeys: []*NkeyUser{{Nkey: user.public}},
		Users: []*User{{Username: "u", Password: "p"}},
	}
	nonce := []byte("n0nce")
	if _, ok := c.Authenticate(Credentials{User: "u", Pass: "p"}, nonce); !ok {
		t.Fatal("user refused next to nkeys")
	}
	cr := Credentials{Nkey: user.public, Sig: user.sign(t, nonce, base64.RawURLEncoding)}
	if _, ok := c.Authenticate(cr, nonce); !ok {
		t.Fatal("nkey refused next to users")
	}
}

func TestIsBcrypt(t *testing.T) {
	cases := map[string]bool{
		"$2a$10$abcdefghijklmnopqrstuv": true,
		"$2b$04$x":                      true,
		"$2x$12$x":                      true,
		"$2y$31$x":                      true,
		"$2c$10$x":                      false,
		"$2a$1$xx":                      false,
		"$2a$10x":                       false,
		"$2a":                           false,
		"2a$10$abc":                     false,
		"plain":                         false,
	}
	for s, want := range cases {
		if got := isBcrypt(s); got != want {
			t.Errorf("isBcrypt(%q)=%v, want %v", s, got, want)
		}
	}
}
