package config

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"jsnode/node/auth"
	"jsnode/node/conf"
	"jsnode/node/server"
)

const (
	accountKey  = "AB76IQFYQO7ETV4IQE7PDIO3O6PTXZA6ASH6URZJOGSUSXTFOUCSY44A"
	userKey     = "UCH4MMEJE5LH4RCHAISCSKMDO6O6ZIVUY26AYJO5RFEFPZXGYX6DBRUY"
	otherUser   = "UDS4V3AHL6S3AV3HT5VRPAJNGMCRJTRCX75SKMTH3VR44J35IW4FHG6A"
	accountsCfg = `
system_account: SYS
no_auth_user: guest
http: "127.0.0.1:8222"
http_base_path: /mon
mappings {
  "orders.*": "orders.v2.$1"
  canary: [ {destination: canary.v2, weight: "20%"}, {dest: canary.v1, weight: 80, cluster: east} ]
}
authorization { users: [ {user: guest, password: g} ] }
accounts {
  APP: {
    nkey: ` + accountKey + `
    default_permissions { publish: "app.>", subscribe: ["app.>", "_INBOX.>"] }
    users: [
      {user: alice, password: a}
      {user: bob, password: b, permissions: {publish: "bob.>"}}
      {nkey: ` + userKey + `}
    ]
    exports: [
      {stream: "events.>"}
      {stream: "private.>", accounts: [OPS]}
      {service: "svc.req", response_type: stream, response_threshold: "5s"}
      {service: "svc.*.info", accounts: [OPS], account_token_position: 2}
      {service: "svc.chunks", response: chunked, threshold: 2m}
      {stream: "open.>", accounts: []}
    ]
    limits { max_connections: 10, max_subs: 100, max_payload: 1MB, max_leafnodes: 2 }
    maps { "a.*": "b.{{wildcard(1)}}" }
  }
  OPS: {
    users: [ {user: ops, password: o} ]
    imports: [
      {stream: {account: APP, subject: "events.>"}, prefix: from_app}
      {stream: {account: APP, subject: "private.x.*"}, to: "ops.x.$1"}
      {service: {account: APP, subject: "svc.req"}, to: "app.req", share: true}
      {service: {account: APP, subject: "svc.OPS.info"}}
    ]
    limits { max_conn: 5 }
  }
  SYS: { users: [ {user: sys, password: s} ] }
}
`
)

// loadOK loads text and fails the test on an error.
func loadOK(t *testing.T, text string) *server.Options {
	t.Helper()
	var o server.Options
	if err := LoadString("a.conf", text, conf.Options{}, &o, &Process{}); err != nil {
		t.Fatalf("load: %v", err)
	}
	return &o
}

// noPositions leaves the file positions out of comparisons; the tests
// below check positions on their own.
var noPositions = cmpopts.IgnoreFields(server.MappingOpts{}, "Line", "Col")

func TestAccountsConfigGivesOptions(t *testing.T) {
	o := loadOK(t, accountsCfg)
	appPerms := &auth.Permissions{
		Publish:   &auth.SubjectPermission{Allow: []string{"app.>"}},
		Subscribe: &auth.SubjectPermission{Allow: []string{"app.>", "_INBOX.>"}},
	}
	wantAccounts := []*server.AccountOpts{
		{
			Name: "APP", Nkey: accountKey,
			Exports: []server.ExportOpts{
				{Subject: "events.>", Line: 21, Col: 7},
				{Subject: "private.>", Accounts: []string{"OPS"}, Line: 22, Col: 7},
				{Service: true, Subject: "svc.req", ResponseType: server.Streamed, ResponseThreshold: 5 * time.Second, Line: 23, Col: 7},
				{Service: true, Subject: "svc.*.info", Accounts: []string{"OPS"}, AccountTokenPosition: 2, Line: 24, Col: 7},
				{Service: true, Subject: "svc.chunks", ResponseType: server.Chunked, ResponseThreshold: 2 * time.Minute, Line: 25, Col: 7},
				{Subject: "open.>", Line: 26, Col: 7},
			},
			Limits:   server.AccountLimits{MaxConnections: 10, MaxSubscriptions: 100, MaxPayload: 1 << 20, MaxLeafNodes: 2},
			Mappings: []server.MappingOpts{{Source: "a.*", Dests: []server.MapDest{{Subject: "b.{{wildcard(1)}}", Weight: 100}}}},
		},
		{
			Name: "OPS",
			Imports: []server.ImportOpts{
				{Account: "APP", Subject: "events.>", Prefix: "from_app.", Line: 34, Col: 7},
				{Account: "APP", Subject: "private.x.*", To: "ops.x.$1", Line: 35, Col: 7},
				{Service: true, Account: "APP", Subject: "svc.req", To: "app.req", Share: true, Line: 36, Col: 7},
				{Service: true, Account: "APP", Subject: "svc.OPS.info", Line: 37, Col: 7},
			},
			Limits: server.AccountLimits{MaxConnections: 5, MaxSubscriptions: -1, MaxPayload: -1, MaxLeafNodes: -1},
		},
		{Name: "SYS", Limits: server.UnlimitedAccount},
	}
	if diff := cmp.Diff(wantAccounts, o.Accounts, noPositions); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	wantUsers := []*auth.User{
		{Username: "guest", Password: "g"},
		{Username: "alice", Password: "a", Permissions: appPerms, Account: "APP"},
		{Username: "bob", Password: "b", Account: "APP",
			Permissions: &auth.Permissions{Publish: &auth.SubjectPermission{Allow: []string{"bob.>"}}}},
		{Username: "ops", Password: "o", Account: "OPS"},
		{Username: "sys", Password: "s", Account: "SYS"},
	}
	if diff := cmp.Diff(wantUsers, o.Auth.Users); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	wantNkeys := []*auth.NkeyUser{{Nkey: userKey, Permissions: appPerms, Account: "APP"}}
	if diff := cmp.Diff(wantNkeys, o.Auth.Nkeys); diff != "" {
		t.Errorf("nkeys (-want +got):\n%s", diff)
	}
	wantMappings := []server.MappingOpts{
		{Source: "orders.*", Dests: []server.MapDest{{Subject: "orders.v2.$1", Weight: 100}}, Line: 7, Col: 3},
		{Source: "canary", Dests: []server.MapDest{{Subject: "canary.v2", Weight: 20}, {Subject: "canary.v1", Weight: 80, Cluster: "east"}}, Line: 8, Col: 3},
	}
	if diff := cmp.Diff(wantMappings, o.Mappings); diff != "" {
		t.Errorf("top-level mappings (-want +got):\n%s", diff)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"system_account", o.SystemAccount, "SYS"},
		{"no_auth_user", o.Auth.NoAuthUser, "guest"},
		{"http host", o.HTTPHost, "127.0.0.1"},
		{"http port", o.HTTPPort, 8222},
		{"http_base_path", o.HTTPBasePath, "/mon"},
		{"APP mapping line", o.Accounts[0].Mappings[0].Line, 29},
		{"APP mapping col", o.Accounts[0].Mappings[0].Col, 12},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if err := o.Auth.Validate(); err != nil {
		t.Errorf("the loaded users do not validate: %v", err)
	}
}

// Default permissions apply to an account's users whatever the order of
// the keys, and a user's own permissions win.
func TestAccountDefaultPermissionsAfterUsers(t *testing.T) {
	o := loadOK(t, `accounts { A { users: [ {user: a, password: a}, {user: b, password: b, permissions: {subscribe: x}} ]
  default_permissions: { publish: { deny: ">" } } } }`)
	a, b := o.Auth.Users[0], o.Auth.Users[1]
	if a.Permissions == nil || a.Permissions.Publish.Deny[0] != ">" {
		t.Errorf("a permissions = %+v, want the account defaults", a.Permissions)
	}
	if b.Permissions.Publish != nil || b.Permissions.Subscribe.Allow[0] != "x" {
		t.Errorf("b permissions = %+v, want its own", b.Permissions)
	}
}

func TestAccountsListForm(t *testing.T) {
	o := loadOK(t, "accounts: [A, B]\nsystem: B\nno_sys_acc: true\n")
	want := []*server.AccountOpts{{Name: "A", Limits: server.UnlimitedAccount}, {Name: "B", Limits: server.UnlimitedAccount}}
	if diff := cmp.Diff(want, o.Accounts); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	if o.SystemAccount != "B" || !o.NoSystemAccount {
		t.Errorf("system %q no_system %v", o.SystemAccount, o.NoSystemAccount)
	}
}

func TestSystemAndMonitorKeyAliases(t *testing.T) {
	for _, c := range []struct {
		text   string
		noSys  bool
		host   string
		port   int
		system string
	}{
		{"no_system_account: true\nhttp: 8222", true, "", 8222, ""},
		{"no_system: true\nhttp_port: 8223", true, "", 8223, ""},
		{"monitor_port: -1\nsystem_account: \"$G\"", false, "", -1, "$G"},
		{"http: \"[::1]:9222\"", false, "::1", 9222, ""},
		{"http: \":9333\"", false, "", 9333, ""},
	} {
		o := loadOK(t, c.text)
		if o.NoSystemAccount != c.noSys || o.HTTPHost != c.host || o.HTTPPort != c.port || o.SystemAccount != c.system {
			t.Errorf("%q: no_system %v host %q port %d system %q", c.text, o.NoSystemAccount, o.HTTPHost, o.HTTPPort, o.SystemAccount)
		}
	}
}

// An account named $SYS needs no system_account, and no_auth_user may name
// a user or an nkey of any account.
func TestNoAuthUserInAccounts(t *testing.T) {
	o := loadOK(t, `no_auth_user: `+otherUser+`
accounts { $SYS: { users: [{user: admin, password: x}] }, A: { users: [{nkey: `+otherUser+`}] } }`)
	if o.Auth.NoAuthUser != otherUser || o.Auth.Nkeys[0].Account != "A" || o.Accounts[0].Name != "$SYS" {
		t.Errorf("no_auth_user %q nkeys %+v accounts %+v", o.Auth.NoAuthUser, o.Auth.Nkeys, o.Accounts)
	}
}

// Exports and imports skip entries with neither stream nor service, as
// nats-server does, and ignore a stream import's share.
func TestImportExportEntriesWithoutKind(t *testing.T) {
	o := loadOK(t, `accounts {
  A: { exports: [ {accounts: [B]}, {stream: s} ] }
  B: { imports: [ {prefix: p}, {stream: {account: A, subject: s}, share: true} ] }
}`)
	if len(o.Accounts[0].Exports) != 1 || len(o.Accounts[1].Imports) != 1 {
		t.Fatalf("exports %+v imports %+v", o.Accounts[0].Exports, o.Accounts[1].Imports)
	}
	if imp := o.Accounts[1].Imports[0]; imp.Share || imp.Service || imp.Subject != "s" {
		t.Errorf("import = %+v", imp)
	}
}
