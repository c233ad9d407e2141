package auth

import (
	"strings"
	"testing"

	"github.com/nats-io/nkeys"
)

func TestValidateAcceptsGoodConfigs(t *testing.T) {
	user := newNkeyFixture(t)
	good := []Config{
		{},
		{Token: "t"},
		{Username: "u", Password: "p"},
		{
			Users: []*User{
				{Username: "a", Password: "p", Permissions: &Permissions{
					Publish:   &SubjectPermission{Allow: []string{"foo.*", "bar.>"}, Deny: []string{"bar.secret"}},
					Subscribe: &SubjectPermission{Allow: []string{"foo.> workers", "_INBOX.>"}, Deny: []string{"foo.x q.*"}},
					Response:  &ResponsePermission{MaxMsgs: -1},
				}},
				{Username: "b", Password: "p"},
			},
			Nkeys:      []*NkeyUser{{Nkey: user.public}},
			NoAuthUser: "b",
		},
	}
	for i, c := range good {
		if err := c.Validate(); err != nil {
			t.Errorf("config %d: %v", i, err)
		}
	}
}

func TestValidateErrors(t *testing.T) {
	user := newNkeyFixture(t)
	seed, err := user.kp.Seed()
	if err != nil {
		t.Fatal(err)
	}
	account, err := nkeys.CreateAccount()
	if err != nil {
		t.Fatal(err)
	}
	accountKey, err := account.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	badPub := &Permissions{Publish: &SubjectPermission{Allow: []string{"foo..bar"}}}
	cases := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"token and user", Config{Token: "t", Username: "u", Password: "p"},
			[]string{"Cannot have a user/pass and token"}},
		{"token and users", Config{Token: "t", Users: []*User{{Username: "u"}}},
			[]string{"Can not have a token and a users array"}},
		{"user and users", Config{Username: "x", Users: []*User{{Username: "u"}}},
			[]string{"Can not have a single user/pass and a users array"}},
		{"password without user", Config{Password: "p"},
			[]string{"password set without a user"}},
		{"duplicate user", Config{Users: []*User{{Username: "u"}, {Username: "v"}, {Username: "u"}}},
			[]string{`Duplicate user "u" detected`}},
		{"nameless user", Config{Users: []*User{{Password: "p"}, nil}},
			[]string{"users[0]: User entry requires a user", "users[1]: User entry requires a user"}},
		{"seed as nkey", Config{Nkeys: []*NkeyUser{{Nkey: string(seed)}}},
			[]string{"Not a valid public nkey for a user"}},
		{"account key as nkey", Config{Nkeys: []*NkeyUser{{Nkey: accountKey}}},
			[]string{"Not a valid public nkey for a user"}},
		{"duplicate nkey", Config{Nkeys: []*NkeyUser{{Nkey: user.public}, {Nkey: user.public}}},
			[]string{"Duplicate nkey"}},
		{"empty nkey", Config{Nkeys: []*NkeyUser{{}}},
			[]string{"nkeys[0]: nkey entry requires an nkey"}},
		{"no_auth_user without users", Config{Token: "t", NoAuthUser: "ghost"},
			[]string{`no_auth_user: "ghost" present, but users/nkeys are not defined`}},
		{"no_auth_user unknown", Config{Users: []*User{{Username: "u"}}, NoAuthUser: "ghost"},
			[]string{`no_auth_user: "ghost" not present as user`}},
		{"bad publish subject", Config{Users: []*User{{Username: "u", Permissions: badPub}}},
			[]string{`user "u": publish allow: subject "foo..bar" is not a valid subject`}},
		{"queue on publish", Config{Users: []*User{{Username: "u", Permissions: &Permissions{
			Publish: &SubjectPermission{Deny: []string{"foo q"}}}}}},
			[]string{`user "u": publish deny: subject "foo q" is not a valid subject`}},
		{"three-field subscribe", Config{Nkeys: []*NkeyUser{{Nkey: user.public, Permissions: &Permissions{
			Subscribe: &SubjectPermission{Allow: []string{"foo q extra"}}}}}},
			[]string{`subscribe allow: "foo q extra" is not of the form`}},
		{"bad subscribe subject", Config{DefaultPermissions: &Permissions{
			Subscribe: &SubjectPermission{Deny: []string{"foo.>.bar"}}}},
			[]string{`default_permissions: subscribe deny: subject "foo.>.bar" is not a valid subject`}},
		{"negative timeout", Config{Timeout: -1},
			[]string{"timeout -1ns must not be negative"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if err == nil {
				t.Fatal("Validate accepted the config")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestValidateReportsAllErrors(t *testing.T) {
	c := Config{
		Token:      "t",
		Users:      []*User{{Username: "u"}, {Username: "u"}},
		NoAuthUser: "ghost",
	}
	err := c.Validate()
	if err == nil {
		t.Fatal("accepted")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{
		"Can not have a token and a users array",
		`Duplicate user "u" detected`,
		`no_auth_user: "ghost" not present as user or nkey in authorization block or account configuration`,
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d errors %q, want %d", len(lines), lines, len(want))
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("error %d = %q, want %q", i, lines[i], want[i])
		}
	}
}
