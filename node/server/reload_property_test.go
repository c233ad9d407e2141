package server

import (
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"jsnode/node/auth"
)

// The property: after a reload from old to new options, the server takes
// authentication decisions as a fresh server started with new would, and
// a client admitted under old stays exactly when new admits it into the
// same account and its user (if it had one) is still configured.

// authCase is one drawn authorization: no auth, a token, or users (each
// with a password and an account) over the accounts A and B.
type authCase struct {
	mode     string // "none", "token", "users"
	token    string
	users    []*auth.User
	accounts []string
}

func drawAuthCase(t *rapid.T, label string) authCase {
	ac := authCase{mode: rapid.SampledFrom([]string{"none", "token", "users"}).Draw(t, label+" mode")}
	for _, a := range []string{"A", "B"} {
		if rapid.Bool().Draw(t, label+" has "+a) {
			ac.accounts = append(ac.accounts, a)
		}
	}
	switch ac.mode {
	case "token":
		ac.token = rapid.SampledFrom([]string{"t1", "t2"}).Draw(t, label+" token")
	case "users":
		for _, name := range []string{"u1", "u2", "u3"} {
			if !rapid.Bool().Draw(t, label+" has "+name) {
				continue
			}
			u := &auth.User{Username: name, Password: rapid.SampledFrom([]string{"p1", "p2"}).Draw(t, label+" "+name+" pass")}
			u.Account = rapid.SampledFrom(append([]string{""}, ac.accounts...)).Draw(t, label+" "+name+" account")
			ac.users = append(ac.users, u)
		}
		if len(ac.users) == 0 {
			ac.mode = "none"
		}
	}
	return ac
}

func (ac authCase) options() *Options {
	o := &Options{}
	for _, a := range ac.accounts {
		o.Accounts = append(o.Accounts, &AccountOpts{Name: a})
	}
	o.Auth = auth.Config{Token: ac.token, Users: ac.users}
	return o
}

// hasUser reports whether name is a configured user.
func (ac authCase) hasUser(name string) bool {
	return ac.mode == "users" && findUser(ac.users, name) != nil
}

// credentials are every CONNECT the universe allows.
func credentials() []string {
	out := []string{"", `"auth_token":"t1"`, `"auth_token":"t2"`}
	for _, u := range []string{"u1", "u2", "u3"} {
		for _, p := range []string{"p1", "p2"} {
			out = append(out, fmt.Sprintf(`"user":%q,"pass":%q`, u, p))
		}
	}
	return out
}

// userOf is the user name a credential sends ("" for none).
func userOf(cred string) string {
	if !strings.HasPrefix(cred, `"user":"`) {
		return ""
	}
	return cred[len(`"user":"`) : len(`"user":"`)+2]
}

// tryConnect connects with cred and returns the client's account name,
// or "" when the server refused it.
func tryConnect(w *world, cred string) (*peer, string) {
	p := w.dial()
	p.sendConnect(cred)
	p.send("PING\r\n")
	if p.closed() || !strings.Contains(p.output(), "PONG") {
		return p, ""
	}
	return p, p.c.handler.(*client).acc.name
}

func TestReloadPropertyAuthAsFreshServer(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		old, next := drawAuthCase(t, "old"), drawAuthCase(t, "new")
		w := newWorld(t, old.options())
		fresh := newWorld(t, next.options())
		type admitted struct {
			p      *peer
			cred   string
			acc    string
			hadUsr bool
		}
		var clients []admitted
		for _, cred := range credentials() {
			if p, acc := tryConnect(w, cred); acc != "" {
				clients = append(clients, admitted{p, cred, acc, old.mode == "users" && userOf(cred) != ""})
			}
		}
		if err := w.srv.Reload(next.options()); err != nil {
			t.Fatalf("Reload: %v", err)
		}
		w.pump()
		for _, c := range clients {
			_, freshAcc := tryConnect(fresh, c.cred)
			stays := freshAcc == c.acc && (!c.hadUsr || next.hasUser(userOf(c.cred)))
			if open := !c.p.closed(); open != stays {
				t.Fatalf("client {%s} in %s: open=%v after reload, want %v (fresh server: %q)", c.cred, c.acc, open, stays, freshAcc)
			}
			if stays && c.p.c.handler.(*client).acc.name != c.acc {
				t.Fatalf("client {%s} moved to %s", c.cred, c.p.c.handler.(*client).acc.name)
			}
		}
		for _, cred := range credentials() {
			_, got := tryConnect(w, cred)
			_, want := tryConnect(fresh, cred)
			if got != want {
				t.Fatalf("new client {%s}: reloaded server put it in %q, fresh server in %q", cred, got, want)
			}
		}
	})
}

func TestReuseSecretsSkipsUnchangedBcrypt(t *testing.T) {
	hash := "$2a$04$ZhwSU3G6phkRlPBW3gS7HOhfuP8b5VffpcfZPt7rZDrGFZZMsk8ze" // not checked: replaced
	prev := &auth.Config{Users: []*auth.User{{Username: "u", Password: hash}}}
	next := &auth.Config{Users: []*auth.User{{Username: "u", Password: hash, Account: "A"}}}
	cr := auth.Credentials{User: "u", Pass: "secret"}
	cfg := reuseSecrets(prev, next, cr)
	if cfg == next || cfg.Users[0].Password != "secret" || cfg.Users[0].Account != "A" {
		t.Fatalf("unchanged hash not reused: %+v", cfg.Users[0])
	}
	if next.Users[0].Password != hash {
		t.Fatal("reuseSecrets changed the running configuration")
	}
	changed := &auth.Config{Users: []*auth.User{{Username: "u", Password: "other"}}}
	if reuseSecrets(prev, changed, cr) != changed {
		t.Fatal("a changed password was not checked again")
	}
	// Another shape (a token next to nothing else) means another path.
	token := &auth.Config{Token: hash}
	if reuseSecrets(prev, token, auth.Credentials{Token: "x"}) != token {
		t.Fatal("a new kind of credential was not checked again")
	}
}
