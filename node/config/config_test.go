package config

import (
	"strings"
	"testing"
	"time"

	"jsnode/node/auth"
	"jsnode/node/conf"
	"jsnode/node/server"
)

const serverConf = `
# a realistic single-node config
listen: 127.0.0.1:4333
server_name: "alpha"
max_payload: 2MB
max_pending: 32MB
max_control_line: 2KB
max_connections: 100
max_subscriptions: 50
ping_interval: "30s"
ping_max: 3
write_deadline: "5s"
lame_duck_duration: "1m"
lame_duck_grace_period: "3s"
debug: true
logtime: false
log_file: "/var/log/jsnode.log"
pid_file: /var/run/jsnode.pid

ROLE_REQ = { publish = ["req.foo", "req.bar"], subscribe = "_INBOX.>" }

authorization {
  timeout: 1.5
  users = [
    { user: alice, password: secret, permissions: $ROLE_REQ }
    { user: bob, password: "$2a$11$abcdefghijklmnopqrstuuOFBdTQnW8eA3/wDBiN4EBDgFbBqxKyy",
      permissions: { publish: { allow: ["svc.>"], deny: ["svc.admin"] }, subscribe: ["x", "y.*"], allow_responses: { max: 3, expires: "1m" } } }
    { nkey: UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4, permissions: { allow_responses: true } }
  ]
}
`

func TestApplyRealisticConfig(t *testing.T) {
	var o server.Options
	var p Process
	if err := LoadString("server.conf", serverConf, conf.Options{}, &o, &p); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"host", o.Host, "127.0.0.1"},
		{"port", o.Port, 4333},
		{"server_name", o.ServerName, "alpha"},
		{"max_payload", o.MaxPayload, int32(2 << 20)},
		{"max_pending", o.MaxPending, int64(32 << 20)},
		{"max_control_line", o.MaxControlLine, int32(2048)},
		{"max_connections", o.MaxConn, 100},
		{"max_subscriptions", o.MaxSubs, 50},
		{"ping_interval", o.PingInterval, 30 * time.Second},
		{"ping_max", o.MaxPingsOut, 3},
		{"write_deadline", o.WriteDeadline, 5 * time.Second},
		{"lame_duck_duration", o.LameDuckDuration, time.Minute},
		{"lame_duck_grace_period", o.LameDuckGracePeriod, 3 * time.Second},
		{"debug", o.Debug, true},
		{"logtime", p.Logtime, false},
		{"logtime set", p.LogtimeSet, true},
		{"log_file", p.LogFile, "/var/log/jsnode.log"},
		{"pid_file", p.PidFile, "/var/run/jsnode.pid"},
		{"auth timeout", o.Auth.Timeout, 1500 * time.Millisecond},
		{"users", len(o.Auth.Users), 2},
		{"nkeys", len(o.Auth.Nkeys), 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	alice := o.Auth.Users[0]
	if alice.Username != "alice" || alice.Password != "secret" {
		t.Fatalf("alice = %+v", alice)
	}
	if got := alice.Permissions.Publish.Allow; strings.Join(got, ",") != "req.foo,req.bar" {
		t.Errorf("alice publish allow = %v", got)
	}
	if got := alice.Permissions.Subscribe.Allow; len(got) != 1 || got[0] != "_INBOX.>" {
		t.Errorf("alice subscribe allow = %v", got)
	}
	bob := o.Auth.Users[1].Permissions
	if bob.Publish.Deny[0] != "svc.admin" || bob.Subscribe.Allow[1] != "y.*" {
		t.Errorf("bob permissions = %+v %+v", bob.Publish, bob.Subscribe)
	}
	if *bob.Response != (auth.ResponsePermission{MaxMsgs: 3, Expires: time.Minute}) {
		t.Errorf("bob allow_responses = %+v", *bob.Response)
	}
	if r := o.Auth.Nkeys[0].Permissions.Response; r == nil || *r != (auth.ResponsePermission{}) {
		t.Errorf("nkey allow_responses true = %+v, want defaults", r)
	}
	if err := o.Auth.Validate(); err != nil {
		t.Errorf("auth config from the file does not validate: %v", err)
	}
}

func TestListenForms(t *testing.T) {
	for _, c := range []struct {
		text string
		host string
		port int
	}{
		{"listen: 0.0.0.0:4222", "0.0.0.0", 4222},
		{"listen: :5222", "", 5222},
		{"listen: 6222", "", 6222},
		{"host: 10.0.0.1\nport: 7222", "10.0.0.1", 7222},
		{"net: localhost", "localhost", 0},
	} {
		var o server.Options
		if err := LoadString("x.conf", c.text, conf.Options{}, &o, &Process{}); err != nil {
			t.Fatalf("%q: %v", c.text, err)
		}
		if o.Host != c.host || o.Port != c.port {
			t.Errorf("%q: host %q port %d, want %q %d", c.text, o.Host, o.Port, c.host, c.port)
		}
	}
}

func TestTokenAndSingleUser(t *testing.T) {
	var o server.Options
	text := "authorization { token: s3cr3t }\n"
	if err := LoadString("t.conf", text, conf.Options{}, &o, &Process{}); err != nil {
		t.Fatal(err)
	}
	if o.Auth.Token != "s3cr3t" {
		t.Fatalf("token = %q", o.Auth.Token)
	}
	o = server.Options{}
	// no_auth_user must name a user of a users array (see accounts_test.go):
	// nats-server refuses it next to a single user.
	text = "authorization { user: derek, password: pw, timeout: \"3s\" }\n"
	if err := LoadString("u.conf", text, conf.Options{}, &o, &Process{}); err != nil {
		t.Fatal(err)
	}
	if o.Auth.Username != "derek" || o.Auth.Password != "pw" || o.Auth.Timeout != 3*time.Second {
		t.Fatalf("auth = %+v", o.Auth)
	}
}

func TestErrorsNamePosition(t *testing.T) {
	for _, c := range []struct {
		text, want string
	}{
		{"port: 4222\nbogus: 1\n", `bad.conf:2:1: unknown field "bogus"`},
		{"port: 4222\ncluster { name: c, bogus: 1 }\n", `bad.conf:2:20: unknown field "bogus"`},
		{"jetstream: { tpm: {} }\n", `bad.conf:1:14: "tpm" is not supported by jsnode yet`},
		{"https_port: 8443\n", `bad.conf:1:1: "https_port" is not supported by jsnode yet`},
		{"authorization {\n  users = [ { user: a, pasword: b } ]\n}\n", `bad.conf:2:`},
		{"authorization { users = [ { user: a, account: X } ] }\n", `bad.conf:1:38: unknown field "account"`},
		{"max_payload: -1\n", "max_payload must be between"},
		{"listen: \"host-without-port\"\n", "expected host:port"},
		{"server_name: \"a b\"\n", "cannot contain spaces"},
		{"authorization { permissions { publish { allow: a, nope: b } } }\n", `bad.conf:1:51: Unknown field name "nope" parsing subject permissions, only 'allow' or 'deny' are permitted`},
		{"ping_interval: [1]\n", "bad.conf:1:"},
	} {
		var o server.Options
		err := LoadString("bad.conf", c.text, conf.Options{}, &o, &Process{})
		if err == nil {
			t.Errorf("%q: no error, want %q", c.text, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %q, want it to contain %q", c.text, err, c.want)
		}
	}
}

func TestIncludesAndVariables(t *testing.T) {
	src := conf.MapSource{
		"/etc/jsnode/main.conf": "include ./auth.conf\nport: $PORT\n",
		"/etc/jsnode/auth.conf": "authorization { token: $TOKEN }\n",
	}
	env := func(name string) (string, bool) {
		v, ok := map[string]string{"PORT": "4999", "TOKEN": "tk"}[name]
		return v, ok
	}
	var o server.Options
	if err := Load("/etc/jsnode/main.conf", conf.Options{Source: src, Env: env}, &o, &Process{}); err != nil {
		t.Fatal(err)
	}
	if o.Port != 4999 || o.Auth.Token != "tk" || o.ConfigFile != "/etc/jsnode/main.conf" {
		t.Fatalf("port %d token %q file %q", o.Port, o.Auth.Token, o.ConfigFile)
	}
}

func TestMaxClosedClients(t *testing.T) {
	var o server.Options
	if err := LoadString("t.conf", "max_closed_clients: 25\n", conf.Options{}, &o, &Process{}); err != nil || o.MaxClosedClients != 25 {
		t.Fatalf("max_closed_clients: %v, %d", err, o.MaxClosedClients)
	}
	if err := LoadString("t.conf", "max_closed_clients: -1\n", conf.Options{}, &o, &Process{}); err == nil ||
		!strings.Contains(err.Error(), "t.conf:1:") {
		t.Fatalf("a negative max_closed_clients: %v", err)
	}
}
