package server

import (
	"strings"
	"testing"
	"time"

	"jsnode/node/auth"
)

// reload applies opts to w's server and fails the test on an error.
func (w *world) reload(opts *Options) {
	w.t.Helper()
	if err := w.srv.Reload(opts); err != nil {
		w.t.Fatalf("Reload: %v", err)
	}
	w.pump()
}

func TestReloadRefusesWhatNatsServerCannotReload(t *testing.T) {
	base := func() *Options { return &Options{Port: 4222} }
	cases := []struct {
		name   string
		change func(o *Options)
		want   string
	}{
		{"port", func(o *Options) { o.Port = 4223 }, "config reload not supported for Port: old=4222, new=4223"},
		{"host", func(o *Options) { o.Host = "127.0.0.1" }, "config reload not supported for Host: old=0.0.0.0, new=127.0.0.1"},
		{"server name", func(o *Options) { o.ServerName = "foo" }, "config reload not supported for ServerName: old=, new=foo"},
		{"max_pending", func(o *Options) { o.MaxPending = 32 << 20 }, "config reload not supported for MaxPending: old=67108864, new=33554432"},
		{"max_subscriptions", func(o *Options) { o.MaxSubs = 5 }, "config reload not supported for MaxSubs: old=0, new=5"},
		{"lame_duck_duration", func(o *Options) { o.LameDuckDuration = 40 * time.Second }, "config reload not supported for LameDuckDuration: old=2m0s, new=40s"},
		{"lame_duck_grace_period", func(o *Options) { o.LameDuckGracePeriod = 5 * time.Second }, "config reload not supported for LameDuckGracePeriod: old=10s, new=5s"},
		{"http_port", func(o *Options) { o.HTTPPort = 8222 }, "config reload not supported for HTTPPort: old=0, new=8222"},
		{"no_header_support", func(o *Options) { o.NoHeaderSupport = true }, "config reload not supported for NoHeaderSupport: old=false, new=true"},
		{"max_closed_clients", func(o *Options) { o.MaxClosedClients = 5 }, "config reload not supported for MaxClosedClients: old=0, new=5"},
		{"system_account", func(o *Options) {
			o.SystemAccount = "FOO"
			o.Accounts = []*AccountOpts{{Name: "FOO"}}
		}, "config reload not supported for SystemAccount: old=, new=FOO"},
		{"no_auth_user added", func(o *Options) {
			o.Auth = auth.Config{Users: []*auth.User{{Username: "x", Password: "y"}}, NoAuthUser: "x"}
		}, "config reload not supported for NoAuthUser: old=, new=x"},
		{"cluster port", func(o *Options) { o.Cluster = ClusterOpts{Port: 6222} }, "config reload not supported for cluster host: old=, new=0.0.0.0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, base())
			c := w.connect("")
			next := base()
			next.Debug = true // a reloadable change next to the refused one
			tc.change(next)
			err := w.srv.Reload(next)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Reload: %v\nwant: %s", err, tc.want)
			}
			if w.srv.opts.Debug || w.log.has("Reloaded") {
				t.Fatal("a refused reload changed something")
			}
			c.send("PING\r\n")
			c.expect("PONG\r\n")
		})
	}
}

func TestReloadInvalidOptionsAreRefused(t *testing.T) {
	w := newWorld(t, twoAccounts())
	next := twoAccounts()
	// C may import private.> from A; B may not.
	next.Accounts[1].Imports = append(next.Accounts[1].Imports, ImportOpts{Account: "A", Subject: "private.>"})
	err := w.srv.Reload(next)
	if err == nil || !strings.Contains(err.Error(), "stream import not authorized") {
		t.Fatalf("Reload: %v, want the import refused", err)
	}
	if got := len(w.srv.Account("B").streamImports); got != 1 {
		t.Fatalf("B has %d stream imports after a refused reload, want 1", got)
	}
	bad := &Options{Auth: auth.Config{Token: "t", Username: "u", Password: "p"}}
	if err := w.srv.Reload(bad); err == nil {
		t.Fatal("token next to a user was accepted")
	}
}

func TestReloadRequiringATokenCutsAnonymousClients(t *testing.T) {
	w := newWorld(t, &Options{})
	old := w.connect("")
	old.send("SUB foo 1\r\nPING\r\n")
	old.expect("PONG\r\n")
	half := w.dial() // INFO read, no CONNECT yet
	w.reload(&Options{Auth: auth.Config{Token: "s3cr3t"}})
	old.expect("-ERR 'Authorization Violation'\r\n")
	old.expectClosed()
	w.expectLog("authentication error")
	if n := w.srv.NumSubscriptions(); n != countSysSubs(w.srv) {
		t.Fatalf("%d subscriptions left, want only the system ones", n)
	}
	// The half-open client now has to authenticate.
	half.sendConnect("")
	half.expect("-ERR 'Authorization Violation'\r\n")
	half.expectClosed()

	ok := w.connect(`"auth_token":"s3cr3t"`)
	ok.expectOpen()
	refused := w.dial()
	if !strings.Contains(refused.info, `"auth_required":true`) {
		t.Fatalf("INFO after reload: %s", refused.info)
	}
	refused.sendConnect(`"auth_token":"wrong"`)
	refused.expect("-ERR 'Authorization Violation'\r\n")
}

// countSysSubs counts the system account's internal subscriptions.
func countSysSubs(s *Server) int {
	if s.sysAcc == nil {
		return 0
	}
	return s.sysAcc.NumSubscriptions()
}

func TestReloadUsersRemovedMovedAndNarrowed(t *testing.T) {
	opts := func(alicePerms *auth.Permissions, users ...*auth.User) *Options {
		return &Options{
			Auth:     auth.Config{Users: append([]*auth.User{{Username: "alice", Password: "a", Permissions: alicePerms}}, users...)},
			Accounts: []*AccountOpts{{Name: "A"}},
		}
	}
	subs := func(s ...string) *auth.Permissions {
		return &auth.Permissions{Subscribe: &auth.SubjectPermission{Allow: s}}
	}
	w := newWorld(t, opts(subs("foo", "bar"), &auth.User{Username: "bob", Password: "b"}, &auth.User{Username: "carl", Password: "c"}))
	alice := w.connect(`"user":"alice","pass":"a"`)
	bob := w.connect(`"user":"bob","pass":"b"`)
	carl := w.connect(`"user":"carl","pass":"c"`)
	for _, p := range []*peer{alice, bob, carl} {
		p.send("SUB foo 1\r\nSUB bar 2\r\nPING\r\n")
		p.expect("PONG\r\n")
	}
	// bob is gone, carl moves to A, alice may only subscribe to bar.
	w.reload(opts(subs("bar"), &auth.User{Username: "carl", Password: "c", Account: "A"}))
	bob.expectAll("")
	bob.expectClosed()
	carl.expectAll("")
	carl.expectClosed()
	alice.expect(`-ERR 'Permissions Violation for Subscription to "foo" (sid "1")'` + "\r\n")
	alice.expectOpen()
	w.expectLog(`Removed sub "foo" (sid "1") for User "alice" - not authorized`)
	for _, cc := range w.srv.mon.closed.list() {
		if cc.info.Reason != ClientClosed.String() {
			t.Fatalf("closed with %q, want %q", cc.info.Reason, ClientClosed)
		}
	}
	pub := w.connect(`"user":"alice","pass":"a"`)
	pub.send("PUB foo 1\r\nx\r\nPUB bar 1\r\ny\r\nPING\r\n")
	pub.expect("PONG\r\n")
	alice.expectAll("MSG bar 2 1\r\ny\r\n")
	// carl comes back into A.
	carl = w.connect(`"user":"carl","pass":"c"`)
	if carl.c.handler.(*client).acc.Name() != "A" {
		t.Fatal("carl is not in A after the reload")
	}
}

func TestReloadKeepsClientsWhoseCredentialsStillPass(t *testing.T) {
	single := func(pass string) *Options { return &Options{Auth: auth.Config{Username: "x", Password: pass}} }
	w := newWorld(t, single("y"))
	c := w.connect(`"user":"x","pass":"y"`)
	next := single("y")
	next.Debug = true
	w.reload(next)
	c.send("PING\r\n")
	c.expect("PONG\r\n")
	w.reload(single("z"))
	c.expect("-ERR 'Authorization Violation'\r\n")
	c.expectClosed()
	for _, line := range []string{"Reloaded: debug = true", "Reloaded: authorization password", "Reloaded server configuration"} {
		w.expectLog(line)
	}
}

func TestReloadNoticesInNatsServerOrder(t *testing.T) {
	w := newWorld(t, &Options{})
	next := &Options{Debug: true, Trace: true, MaxConn: 10, PingInterval: 30 * time.Second, MaxPingsOut: 3,
		MaxControlLine: 2000, WriteDeadline: 3 * time.Second, MaxPayload: 2000, ConfigDigest: "sha256:abc",
		Auth: auth.Config{Timeout: 5 * time.Second}}
	p, err := w.srv.PrepareReload(next)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Reloaded: trace = true", "Reloaded: debug = true", "Reloaded: max_connections = 10",
		"Reloaded: authorization users", "Reloaded: accounts", "Reloaded: ping_interval = 30s",
		"Reloaded: ping_max = 3", "Reloaded: authorization timeout = 5", "Reloaded: max_control_line = 2000",
		"Reloaded: max_payload = 2000", "Reloaded: write_deadline = 3s",
	}
	if got := p.Notices(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("notices:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := p.Apply(); err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(); err != ErrReloadApplied {
		t.Fatalf("second Apply: %v", err)
	}
	w.expectLog("Reloaded server configuration (sha256:abc)")
}

func TestReloadLimitsApplyToExistingClients(t *testing.T) {
	w := newWorld(t, &Options{})
	a, b, c := w.connect(""), w.connect(""), w.connect("")
	w.reload(&Options{MaxConn: 1, MaxPayload: 4, WriteDeadline: 3 * time.Second})
	b.expect("-ERR 'maximum connections exceeded'\r\n")
	c.expect("-ERR 'maximum connections exceeded'\r\n")
	b.expectClosed()
	c.expectClosed()
	w.expectLog("Closed 2 connections to fall within max_connections")
	if a.c.deadline != 3*time.Second {
		t.Fatalf("write deadline %v, want 3s", a.c.deadline)
	}
	a.send("PUB x 5\r\nhello\r\n")
	a.expect("-ERR 'Maximum Payload Violation'\r\n")
	if w.srv.info.MaxPayload != 4 {
		t.Fatalf("INFO max_payload %d after reload, want 4", w.srv.info.MaxPayload)
	}
}

func TestReloadStreamImportReachesExistingSubscriber(t *testing.T) {
	opts := twoAccounts()
	opts.Accounts[1].Imports = nil // B imports nothing yet
	w := newWorld(t, opts)
	a := w.connect(`"user":"a","pass":"a"`)
	b := w.connect(`"user":"b","pass":"b"`)
	b.send("SUB from_a.pub.> 1\r\nPING\r\n")
	b.expect("PONG\r\n")
	a.send("PUB pub.x 1\r\n1\r\nPING\r\n")
	a.expect("PONG\r\n")
	b.expectNothing()

	w.reload(twoAccounts()) // B imports pub.> with prefix from_a
	a.send("PUB pub.x 1\r\n2\r\nPING\r\n")
	a.expect("PONG\r\n")
	b.expectAll("MSG from_a.pub.x 1 1\r\n2\r\n")
	b.expectOpen()

	w.reload(opts) // and no longer
	a.send("PUB pub.x 1\r\n3\r\nPING\r\n")
	a.expect("PONG\r\n")
	b.expectNothing()
	if n := w.srv.Account("A").NumSubscriptions(); n != 0 {
		t.Fatalf("A keeps %d shadow subscriptions", n)
	}
}

func TestReloadDropsAndAddsAccounts(t *testing.T) {
	w := newWorld(t, twoAccounts())
	b := w.connect(`"user":"b","pass":"b"`)
	next := &Options{
		Auth:     auth.Config{Users: []*auth.User{{Username: "a", Password: "a", Account: "A"}, {Username: "d", Password: "d", Account: "D"}}},
		Accounts: []*AccountOpts{{Name: "A"}, {Name: "D"}},
	}
	w.reload(next)
	b.expectClosed()
	if w.srv.Account("B") != nil || w.srv.Account("D") == nil {
		t.Fatalf("accounts after reload: %v", w.srv.AccountNames())
	}
	want := "$G $SYS A D"
	if got := strings.Join(w.srv.AccountNames(), " "); got != want {
		t.Fatalf("accounts %q, want %q", got, want)
	}
	d := w.connect(`"user":"d","pass":"d"`)
	d.expectOpen()
}
