package server

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/klauspost/compress/s2"

	"jsnode/node/auth"
	"jsnode/node/proto"
)

// sysOpts is twoAccounts plus a system account SYS with user "sys".
func sysOpts() *Options {
	o := twoAccounts()
	o.Auth.Users = append(o.Auth.Users, &auth.User{Username: "sys", Password: "sys", Account: "SYS"})
	o.Accounts = append(o.Accounts, &AccountOpts{Name: "SYS"})
	o.SystemAccount = "SYS"
	return o
}

// request sends a request with a fresh inbox and returns the payloads of
// the replies (header blocks stripped).
func (p *peer) request(subj, body string) []string {
	p.w.t.Helper()
	p.send("SUB _INBOX.req 99\r\nPUB " + subj + " _INBOX.req " + itoaS(len(body)) + "\r\n" + body + "\r\nUNSUB 99\r\nPING\r\n")
	rec := &msgCollector{}
	pp := proto.NewClientParser(proto.Limits{MaxPayload: -1})
	if err := pp.Feed([]byte(p.output()), rec); err != nil {
		p.w.t.Fatalf("client parse: %v", err)
	}
	var out []string
	for _, m := range rec.msgs {
		f := strings.SplitN(m, " ", 4)
		out = append(out, f[3])
	}
	return out
}

func itoaS(n int) string { return string(itoa(n)) }

func TestSysPingAndZRequests(t *testing.T) {
	w := newWorld(t, sysOpts())
	sys := w.connect(`"user":"sys","pass":"sys"`)
	w.connect(`"user":"a","pass":"a"`)

	if n := len(w.srv.SystemAccount().exports); n != 3 {
		t.Fatalf("the system account has %d exports, want CONNZ, STATZ and USER.INFO once each", n)
	}
	got := sys.request("$SYS.REQ.SERVER.PING", "")
	if len(got) != 1 {
		t.Fatalf("PING: %d replies, want 1", len(got))
	}
	var statsz struct {
		Server struct{ ID, Name string }
		Statsz struct {
			Connections   int `json:"connections"`
			ActiveServers int `json:"active_servers"`
		}
	}
	if err := json.Unmarshal([]byte(got[0]), &statsz); err != nil || statsz.Server.ID != w.srv.ID() ||
		statsz.Statsz.Connections != 2 || statsz.Statsz.ActiveServers != 1 {
		t.Fatalf("STATSZ reply %s (%v)", got[0], err)
	}

	got = sys.request("$SYS.REQ.SERVER.PING.CONNZ", `{"limit":10}`)
	var env struct {
		Server map[string]any `json:"server"`
		Data   struct {
			NumConns int `json:"num_connections"`
		} `json:"data"`
		Error *struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if len(got) != 1 || json.Unmarshal([]byte(got[0]), &env) != nil || env.Data.NumConns != 2 || env.Server["id"] != w.srv.ID() {
		t.Fatalf("CONNZ reply %q", got)
	}
	got = sys.request("$SYS.REQ.SERVER."+w.srv.ID()+".IDZ", "")
	if len(got) != 1 || !strings.Contains(got[0], `"id":"`+w.srv.ID()+`"`) {
		t.Fatalf("IDZ by id: %q", got)
	}
	if got := sys.request("$SYS.REQ.SERVER.PING.VARZ", `{"server_name":"elsewhere","exact_match":true}`); len(got) != 0 {
		t.Fatalf("a filtered-out server answered: %q", got)
	}
	got = sys.request("$SYS.REQ.SERVER.PING.CONNZ", `{"limit":`)
	env.Error = nil
	if len(got) != 1 || json.Unmarshal([]byte(got[0]), &env) != nil || env.Error == nil || env.Error.Code != 400 {
		t.Fatalf("bad body: %q, want a 400 error envelope", got)
	}
	got = sys.request("$SYS.REQ.USER.INFO", "")
	if len(got) != 1 || !strings.Contains(got[0], `"user":"sys"`) || !strings.Contains(got[0], `"account":"SYS"`) {
		t.Fatalf("USER.INFO as the system user: %q, want one reply", got)
	}
	got = sys.request("$SYS.REQ.SERVER.PING.JSZ", "")
	if len(got) != 1 || !strings.Contains(got[0], `"disabled":true`) {
		t.Fatalf("JSZ: %q, want JetStream reported off", got)
	}
	got = sys.request("$SYS.REQ.SERVER.PING.RAFTZ", "")
	if len(got) != 1 || !strings.Contains(got[0], "RAFTZ is not supported by jsnode yet") {
		t.Fatalf("RAFTZ: %q", got)
	}
}

func TestSysRequestsFromOtherAccounts(t *testing.T) {
	w := newWorld(t, sysOpts())
	w.connect(`"user":"sys","pass":"sys"`)
	a := w.connect(`"user":"a","pass":"a"`)
	w.connect(`"user":"b","pass":"b"`)

	// An ordinary account sees only its own connections.
	got := a.request("$SYS.REQ.SERVER.PING.CONNZ", "")
	var env struct {
		Data struct {
			NumConns int `json:"num_connections"`
		} `json:"data"`
	}
	if len(got) != 1 || json.Unmarshal([]byte(got[0]), &env) != nil || env.Data.NumConns != 1 {
		t.Fatalf("A's CONNZ: %q, want one reply with 1 connection", got)
	}
	// It does not reach the server-wide requests.
	a.send("SUB _INBOX.np 5\r\nPUB $SYS.REQ.SERVER.PING _INBOX.np 0\r\n\r\nPING\r\n")
	if out := a.output(); !strings.Contains(out, "NATS/1.0 503") {
		t.Fatalf("A's PING: %q, want no responders", out)
	}
	got = a.request("$SYS.REQ.USER.INFO", "")
	if len(got) != 1 || !strings.Contains(got[0], `"user":"a"`) || !strings.Contains(got[0], `"account":"A"`) {
		t.Fatalf("USER.INFO: %q", got)
	}
}

func TestSysConnectDisconnectEvents(t *testing.T) {
	w := newWorld(t, sysOpts())
	sys := w.connect(`"user":"sys","pass":"sys"`)
	sys.send("SUB $SYS.ACCOUNT.*.CONNECT 1\r\nSUB $SYS.ACCOUNT.*.DISCONNECT 2\r\nSUB $SYS.ACCOUNT.A.SERVER.CONNS 3\r\nPING\r\n")
	sys.expect("PONG\r\n")
	b := w.connect(`"user":"b","pass":"b"`)
	b.send("SUB $SYS.> 1\r\nPING\r\n")
	b.expect("PONG\r\n")
	a := w.connect(`"user":"a","pass":"a"`)
	a.send("PUB x 2\r\nhi\r\nPING\r\n")
	a.expect("PONG\r\n")
	a.hangUp()
	out := sys.output()
	for _, want := range []string{
		"MSG $SYS.ACCOUNT.B.CONNECT 1 ", "MSG $SYS.ACCOUNT.A.CONNECT 1 ", `"type":"io.nats.server.advisory.v1.client_connect"`,
		`"acc":"A"`, `"user":"a"`, "MSG $SYS.ACCOUNT.A.SERVER.CONNS 3 ", "MSG $SYS.ACCOUNT.A.DISCONNECT 2 ",
		`"reason":"Client Closed"`, `"sent":{"msgs":1,"bytes":2}`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("system events lack %q:\n%s", want, out)
		}
	}
	if got := b.output(); got != "" {
		t.Fatalf("account B saw system events: %q", got)
	}
}

func TestSysPingAcrossCluster(t *testing.T) {
	m := newMesh(t)
	for i, h := range []string{"n1", "n2", "n3"} {
		var routes []string
		if i > 0 {
			routes = []string{"n1"}
		}
		o := clusterOpts(h, routes...)
		so := sysOpts()
		o.Auth, o.Accounts, o.SystemAccount = so.Auth, so.Accounts, so.SystemAccount
		m.start(h, o)
	}
	m.expectRoutes(2, "n1", "n2", "n3")
	m.advance(statszFirst * 4) // the first STATSZ rounds tell each server of the others
	sys := m.login("n2", "sys")
	a := m.login("n3", "a")
	m.login("n1", "a")
	m.pump()
	sys.send("SUB _INBOX.p 1\r\nPUB $SYS.REQ.SERVER.PING _INBOX.p 0\r\n\r\n")
	m.pump()
	ids := map[string]bool{}
	for _, msg := range sys.msgs() {
		var r struct {
			Server struct{ ID string }
			Statsz struct {
				ActiveServers int `json:"active_servers"`
			}
		}
		if err := json.Unmarshal([]byte(strings.SplitN(msg, " ", 4)[3]), &r); err != nil {
			t.Fatal(err)
		}
		if r.Statsz.ActiveServers != 3 {
			t.Errorf("server %s reports %d active servers, want 3", r.Server.ID, r.Statsz.ActiveServers)
		}
		ids[r.Server.ID] = true
	}
	if len(ids) != 3 {
		t.Fatalf("PING answered by %d servers, want 3", len(ids))
	}
	// An account's CONNZ gathers its connections from every server.
	a.send("SUB _INBOX.c 1\r\nPUB $SYS.REQ.SERVER.PING.CONNZ _INBOX.c 0\r\n\r\n")
	m.pump()
	total, replies := 0, 0
	for _, msg := range a.msgs() {
		var env struct {
			Data struct {
				NumConns int `json:"num_connections"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(strings.SplitN(msg, " ", 4)[3]), &env); err != nil {
			t.Fatal(err)
		}
		total += env.Data.NumConns
		replies++
	}
	if replies != 3 || total != 2 {
		t.Fatalf("A's cluster CONNZ: %d replies counting %d connections, want 3 replies and 2", replies, total)
	}
}

func TestSysBadRequests(t *testing.T) {
	w := newWorld(t, sysOpts())
	sys := w.connect(`"user":"sys","pass":"sys"`)
	got := sys.request("$SYS.REQ.ACCOUNT.NOPE.INFO", "")
	if len(got) != 1 || !strings.Contains(got[0], `"code":500`) || !strings.Contains(got[0], "Account NOPE does not exist") {
		t.Fatalf("INFO of an unknown account: %q", got)
	}
	if got := sys.request("$SYS.REQ.ACCOUNT.NOPE.CONNS", ""); len(got) != 0 {
		t.Fatalf("CONNS of an unknown account answered: %q", got)
	}
	for _, body := range []string{"{", `{"limit":"x"}`, "\x00\xff", `[1,2]`} {
		got := sys.request("$SYS.REQ.SERVER.PING.CONNZ", body)
		if len(got) != 1 || !strings.Contains(got[0], `"code":400`) {
			t.Fatalf("CONNZ with body %q: %q, want a 400 envelope", body, got)
		}
	}
	sys.send("SUB _INBOX.u 5\r\nPUB $SYS.REQ.SERVER.NOSUCHID.VARZ _INBOX.u 0\r\n\r\nPING\r\n")
	if out := sys.output(); !strings.Contains(out, "NATS/1.0 503") {
		t.Fatalf("request to an unknown server id: %q, want no responders", out)
	}
	got = sys.request("$SYS.REQ.SERVER."+w.srv.ID()+".KICK", `{"cid":999}`)
	if len(got) != 1 || !strings.Contains(got[0], "client 999 not found") {
		t.Fatalf("KICK of an unknown client: %q", got)
	}
	// The server still serves a well-formed request after all that.
	if got := sys.request("$SYS.REQ.SERVER.PING.IDZ", ""); len(got) != 1 {
		t.Fatalf("IDZ after bad requests: %q", got)
	}
}

func TestSysKick(t *testing.T) {
	w := newWorld(t, sysOpts())
	sys := w.connect(`"user":"sys","pass":"sys"`)
	victim := w.connect(`"user":"a","pass":"a"`)
	cid := victim.c.handler.(*client).cid
	got := sys.request("$SYS.REQ.SERVER."+w.srv.ID()+".KICK", `{"cid":`+itoaS(int(cid))+`}`)
	if len(got) != 1 || strings.Contains(got[0], "error") {
		t.Fatalf("KICK: %q", got)
	}
	victim.expectClosed()
}

func TestAccountReplySubjectsStayInTheExporter(t *testing.T) {
	w := newWorld(t, twoAccounts())
	a := w.connect(`"user":"a","pass":"a"`)
	b := w.connect(`"user":"b","pass":"b"`)
	spy := w.connect(`"user":"b","pass":"b"`)
	a.send("SUB svc.echo 1\r\nPING\r\n")
	a.expect("PONG\r\n")
	spy.send("SUB _R_.> 1\r\nSUB > 2\r\nPING\r\n")
	spy.expect("PONG\r\n")
	b.send("SUB _INBOX.1 9\r\nPUB echo _INBOX.1 1\r\nx\r\nPING\r\n")
	b.expect("PONG\r\n")
	reply := rReply.FindString(a.output())
	a.send("PUB " + reply + " 1\r\ny\r\nPING\r\n")
	a.expect("PONG\r\n")
	b.expectAll("MSG _INBOX.1 9 1\r\ny\r\n")
	// The spy in the importing account saw the request it could see in
	// its own account (its ">" matches "echo") but no _R_ traffic.
	if out := spy.output(); strings.Contains(out, "_R_.") {
		t.Fatalf("a subscriber in the importing account saw reply mappings: %q", out)
	}
}

func TestManyAccounts(t *testing.T) {
	o := &Options{}
	for i := 0; i < 10000; i++ {
		name := "acc" + itoaS(i)
		o.Accounts = append(o.Accounts, &AccountOpts{Name: name,
			Exports: []ExportOpts{{Subject: name + ".>"}},
			Imports: []ImportOpts{{Account: "acc0", Subject: "acc0.>", Prefix: "hub"}}})
		o.Auth.Users = append(o.Auth.Users, &auth.User{Username: name, Password: "p", Account: name})
	}
	o.Accounts[0].Imports = nil
	w := newWorld(t, o)
	pub := w.connect(`"user":"acc0","pass":"p"`)
	sub := w.connect(`"user":"acc9999","pass":"p"`)
	sub.send("SUB hub.acc0.x 1\r\nPING\r\n")
	sub.expect("PONG\r\n")
	pub.send("PUB acc0.x 1\r\nz\r\nPING\r\n")
	pub.expect("PONG\r\n")
	sub.expectAll("MSG hub.acc0.x 1 1\r\nz\r\n")
	if n := len(w.srv.AccountNames()); n != 10002 {
		t.Fatalf("%d accounts, want 10000 + $G + $SYS", n)
	}
}

func TestSysReplyCompression(t *testing.T) {
	for _, tc := range []struct{ accept, enc string }{{"snappy", "snappy"}, {"gzip", "gzip"}, {"br", ""}} {
		body, hdr := []byte(`{"a":"`+strings.Repeat("x", 500)+`"}`), "NATS/1.0\r\nAccept-Encoding: "+tc.accept+"\r\n\r\n"
		h, out := compressReply([]byte(hdr), body)
		if tc.enc == "" {
			if h != nil || string(out) != string(body) {
				t.Fatalf("%s: compressed anyway", tc.accept)
			}
			continue
		}
		if v, _ := proto.HeaderValue(h, "Content-Encoding"); v != tc.enc || len(out) >= len(body) {
			t.Fatalf("%s: header %q, %d bytes from %d", tc.accept, h, len(out), len(body))
		}
		var plain []byte
		switch tc.enc {
		case "snappy":
			r := s2.NewReader(bytes.NewReader(out))
			plain, _ = io.ReadAll(r)
		case "gzip":
			r, _ := gzip.NewReader(bytes.NewReader(out))
			plain, _ = io.ReadAll(r)
		}
		if string(plain) != string(body) {
			t.Fatalf("%s: round trip gave %q", tc.accept, plain)
		}
	}
}

func TestSysOnlyUsersLetOthersIntoGlobal(t *testing.T) {
	o := &Options{
		Auth:          auth.Config{Users: []*auth.User{{Username: "sys", Password: "sys", Account: "SYS"}}},
		Accounts:      []*AccountOpts{{Name: "SYS"}},
		SystemAccount: "SYS",
	}
	w := newWorld(t, o)
	anon := w.connect("")
	if !strings.Contains(anon.info, `"auth_required":true`) {
		t.Fatalf("INFO %q: auth_required must stay set", anon.info)
	}
	if c := anon.c.handler.(*client); c.acc != w.srv.GlobalAccount() {
		t.Fatalf("a client without credentials is in %s, want $G", c.acc.name)
	}
	sys := w.connect(`"user":"sys","pass":"sys"`)
	if c := sys.c.handler.(*client); c.acc != w.srv.SystemAccount() {
		t.Fatalf("the system user is in %s", c.acc.name)
	}
	bad := w.dial()
	bad.sendConnect(`"user":"sys","pass":"wrong"`)
	bad.send("PING\r\n")
	bad.expect("-ERR 'Authorization Violation'\r\n")
}

// $SYS.REQ.SERVER.<id>.RELOAD asks the host (Env.Reload) and answers once
// the host is done: an envelope without error, or with the host's error;
// without a host that can reload, an error saying so. Only the system
// account reaches it.
func TestSysReloadRequest(t *testing.T) {
	w := newWorld(t, sysOpts())
	sys := w.connect(`"user":"sys","pass":"sys"`)
	subj := "$SYS.REQ.SERVER." + w.srv.ID() + ".RELOAD"
	if got := sys.request(subj, ""); len(got) != 1 || !strings.Contains(got[0], "configuration reload is not available") {
		t.Fatalf("RELOAD without a host that reloads: %q", got)
	}
	var pending []func(error)
	w.srv.env.Reload = func(done func(error)) { pending = append(pending, done) }
	sys.send("SUB _INBOX.r 7\r\nPUB " + subj + " _INBOX.r 0\r\n\r\nPING\r\n")
	sys.expect("PONG\r\n")
	if len(pending) != 1 {
		t.Fatalf("%d reloads asked of the host, want 1", len(pending))
	}
	sys.expectNothing() // no answer before the host is done
	pending[0](nil)
	out := sys.output()
	if !strings.Contains(out, "MSG _INBOX.r 7") || strings.Contains(out, `"error"`) {
		t.Fatalf("answer to a reload that worked: %q", out)
	}
	sys.send("PUB " + subj + " _INBOX.r 0\r\n\r\nPING\r\n")
	sys.expect("PONG\r\n")
	pending[1](errors.New("config reload not supported for Port: old=4222, new=4333"))
	if out := sys.output(); !strings.Contains(out, `"code":500`) || !strings.Contains(out, "not supported for Port") {
		t.Fatalf("answer to a reload that failed: %q", out)
	}

	other := w.connect(`"user":"a","pass":"a"`)
	other.send("SUB _INBOX.o 1\r\nPUB " + subj + " _INBOX.o 0\r\n\r\nPING\r\n")
	if out := other.output(); !strings.Contains(out, "NATS/1.0 503") || len(pending) != 2 {
		t.Fatalf("a client outside the system account reached RELOAD: %q (%d reloads)", out, len(pending))
	}
}
