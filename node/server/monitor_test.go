package server

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"jsnode/node/auth"
	"jsnode/node/monitor"
)

// connz calls Connz and fails the test on an error.
func (w *world) connz(o monitor.ConnzOptions) *monitor.Connz {
	w.t.Helper()
	cz, err := w.srv.Connz(&o)
	if err != nil {
		w.t.Fatalf("Connz(%+v): %v", o, err)
	}
	return cz
}

func connCids(cz *monitor.Connz) []uint64 {
	var out []uint64
	for _, c := range cz.Conns {
		out = append(out, c.Cid)
	}
	return out
}

func TestVarzCountsTraffic(t *testing.T) {
	// Without a system account: its services' subscriptions would count.
	w := newWorld(t, &Options{ServerName: "mon", MaxSubs: 7, NoSystemAccount: true})
	start := w.clock.Now()
	sub := w.connect(`"name":"sub"`)
	sub.send("SUB foo 1\r\nSUB bar 2\r\nPING\r\n")
	sub.expectAll("PONG\r\n")
	pub := w.connect("")
	for i := 0; i < 3; i++ {
		pub.send("PUB foo 5\r\nhello\r\n")
	}
	pub.send("PUB nobody 2\r\nhi\r\nPING\r\n")
	pub.expectAll("PONG\r\n")
	sub.output()
	w.advance(61 * time.Second)
	w.srv.SetProcessStats(12345, 7.5, 4)
	w.srv.SetGoRuntime(3, 1<<30)

	v := w.srv.Varz()
	if v.ID != w.srv.ID() || v.Name != "mon" || v.Version != ServerVersion || v.Proto != 1 {
		t.Fatalf("identity: %s %s %s %d", v.ID, v.Name, v.Version, v.Proto)
	}
	if v.Connections != 2 || v.TotalConnections != 2 || v.Subscriptions != 2 {
		t.Fatalf("connections %d total %d subscriptions %d, want 2 2 2", v.Connections, v.TotalConnections, v.Subscriptions)
	}
	if v.InMsgs != 4 || v.InBytes != 17 || v.OutMsgs != 3 || v.OutBytes != 15 {
		t.Fatalf("in %d/%d out %d/%d, want 4/17 3/15", v.InMsgs, v.InBytes, v.OutMsgs, v.OutBytes)
	}
	if v.InClientMsgs != 4 || v.InClientBytes != 17 || v.OutClientMsgs != 3 || v.OutClientBytes != 15 {
		t.Fatalf("client in %d/%d out %d/%d", v.InClientMsgs, v.InClientBytes, v.OutClientMsgs, v.OutClientBytes)
	}
	if !v.Start.Equal(start) || v.Uptime != "1m1s" || !v.Now.Equal(start.Add(61*time.Second)) {
		t.Fatalf("start %v uptime %q now %v", v.Start, v.Uptime, v.Now)
	}
	if v.Mem != 12345 || v.CPU != 7.5 || v.Cores != 4 || v.MaxProcs != 3 || v.MemLimit != 1<<30 {
		t.Fatalf("process stats: mem %d cpu %v cores %d procs %d limit %d", v.Mem, v.CPU, v.Cores, v.MaxProcs, v.MemLimit)
	}
	if v.MaxConn != DefaultMaxConnections || v.MaxSubs != 7 || v.PingInterval != DefaultPingInterval ||
		v.AuthTimeout != 2 || v.MaxPayload != DefaultMaxPayload || v.WriteDeadline != DefaultWriteDeadline {
		t.Fatalf("limits: %+v", v)
	}
	if v.HTTPHost != DefaultHost || v.SystemAccount != "" || v.Port != 4222 {
		t.Fatalf("http_host %q system_account %q port %d", v.HTTPHost, v.SystemAccount, v.Port)
	}
	if v.SlowConsumersStats == nil || v.StaleConnectionStats == nil || v.DiskIOWaitStats == nil || v.HTTPReqStats == nil {
		t.Fatal("always-present objects missing")
	}
}

func TestVarzHTTPRequestStats(t *testing.T) {
	w := newWorld(t, nil)
	for _, p := range []string{"/varz", "/varz", "/subscriptionsz", "/subsz", "/healthz", "/stacksz", "/nope", "/"} {
		w.srv.NoteHTTPRequest(p)
	}
	got := w.srv.Varz().HTTPReqStats
	want := map[string]uint64{"/varz": 2, "/subsz": 2, "/healthz": 1, "/": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("http_req_stats %v, want %v", got, want)
	}
	got["/varz"] = 99 // the answer is a copy
	if w.srv.Varz().HTTPReqStats["/varz"] != 2 {
		t.Fatal("Varz shares its map with the server")
	}
}

func TestVarzSlowConsumerByKind(t *testing.T) {
	w := newWorld(t, &Options{MaxPending: 10_000, MaxPayload: 1000})
	sub := w.connect("")
	sub.send("SUB flood 1\r\n")
	pub := w.connect("")
	msg := fmt.Sprintf("PUB flood 1000\r\n%s\r\n", strings.Repeat("z", 1000))
	for i := 0; i < 20; i++ {
		pub.send(msg)
	}
	sub.expectClosed()
	v := w.srv.Varz()
	if v.SlowConsumers != 1 || v.SlowConsumersStats.Clients != 1 || v.SlowConsumersStats.Routes != 0 {
		t.Fatalf("slow consumers %d by kind %+v", v.SlowConsumers, *v.SlowConsumersStats)
	}
	cz := w.connz(monitor.ConnzOptions{State: monitor.ConnClosed})
	if len(cz.Conns) != 1 || cz.Conns[0].Reason != "Slow Consumer (Pending Bytes)" {
		t.Fatalf("closed connections: %+v", cz.Conns)
	}
}

func TestVarzStaleConnection(t *testing.T) {
	w := newWorld(t, &Options{PingInterval: time.Second, MaxPingsOut: 1})
	p := w.connect("")
	for i := 0; i < 5 && !p.closed(); i++ {
		w.advance(2 * time.Second)
	}
	p.expectClosed()
	v := w.srv.Varz()
	if v.StaleConnections != 1 || v.StaleConnectionStats.Clients != 1 {
		t.Fatalf("stale %d by kind %+v", v.StaleConnections, *v.StaleConnectionStats)
	}
}

func TestConnzOpenConnections(t *testing.T) {
	w := newWorld(t, nil)
	a := w.connect(`"name":"a"`)
	a.send("SUB foo 1\r\nSUB foo q 2\r\nUNSUB 2 10\r\nPING\r\n")
	a.expectAll("PONG\r\n")
	b := w.connect(`"name":"b"`)
	for i := 0; i < 4; i++ {
		b.send("PUB foo 3\r\nabc\r\n")
	}
	b.send("PING\r\n")
	b.expectAll("PONG\r\n")
	w.advance(3 * time.Second)

	cz := w.connz(monitor.ConnzOptions{})
	if cz.ID != w.srv.ID() || cz.NumConns != 2 || cz.Total != 2 || cz.Limit != 1024 || cz.Offset != 0 {
		t.Fatalf("connz header: %+v", cz)
	}
	ca, cb := cz.Conns[0], cz.Conns[1]
	if ca.Name != "a" || cb.Name != "b" || ca.Cid >= cb.Cid {
		t.Fatalf("order: %q %d, %q %d", ca.Name, ca.Cid, cb.Name, cb.Cid)
	}
	// Each of the 4 messages went to both of a's subscriptions.
	if ca.OutMsgs != 8 || ca.OutBytes != 24 || ca.InMsgs != 0 || ca.NumSubs != 2 {
		t.Fatalf("a: out %d/%d in %d subs %d", ca.OutMsgs, ca.OutBytes, ca.InMsgs, ca.NumSubs)
	}
	if cb.InMsgs != 4 || cb.InBytes != 12 || cb.OutMsgs != 0 {
		t.Fatalf("b: in %d/%d out %d", cb.InMsgs, cb.InBytes, cb.OutMsgs)
	}
	if ca.Kind != "Client" || ca.Type != "nats" || ca.IP != "127.0.0.1" || ca.Port == 0 || ca.Lang != "test" || ca.Version != "1" {
		t.Fatalf("a's identity: %+v", ca)
	}
	if ca.Uptime != "3s" || ca.Idle != "3s" || ca.RTT == "" || ca.Subs != nil || ca.AuthorizedUser != "" || ca.NameTag != "" {
		t.Fatalf("a's times or extras: uptime %q idle %q rtt %q subs %v user %q tag %q", ca.Uptime, ca.Idle, ca.RTT, ca.Subs, ca.AuthorizedUser, ca.NameTag)
	}

	cz = w.connz(monitor.ConnzOptions{Subscriptions: true, Sort: monitor.ByOutMsgs})
	if cz.Conns[0].Cid != ca.Cid || !slices.Equal(cz.Conns[0].Subs, []string{"foo", "foo"}) {
		t.Fatalf("sorted by msgs_to with subs: %+v", cz.Conns[0])
	}
	cz = w.connz(monitor.ConnzOptions{SubscriptionsDetail: true, Sort: monitor.ByInMsgs})
	d := cz.Conns[1].SubsDetail
	if cz.Conns[0].Cid != cb.Cid || len(d) != 2 || d[0].Sid != "1" || d[0].Msgs != 4 || d[1].Queue != "q" || d[1].Max != 10 || d[1].Account != "" {
		t.Fatalf("sorted by msgs_from with detail: %+v", d)
	}
	cz = w.connz(monitor.ConnzOptions{Username: true})
	if cz.Conns[0].NameTag != GlobalAccount || cz.Conns[0].Account != "" {
		t.Fatalf("auth on $G: tag %q account %q", cz.Conns[0].NameTag, cz.Conns[0].Account)
	}
}

func TestConnzPagingAndCid(t *testing.T) {
	w := newWorld(t, nil)
	var peers []*peer
	for i := 0; i < 5; i++ {
		peers = append(peers, w.connect(""))
	}
	all := connCids(w.connz(monitor.ConnzOptions{}))
	cz := w.connz(monitor.ConnzOptions{Offset: 1, Limit: 2})
	if cz.Total != 5 || cz.NumConns != 2 || !slices.Equal(connCids(cz), all[1:3]) || cz.Offset != 1 || cz.Limit != 2 {
		t.Fatalf("page 1,2: total %d conns %v of %v", cz.Total, connCids(cz), all)
	}
	cz = w.connz(monitor.ConnzOptions{Offset: 4, Limit: 10})
	if cz.NumConns != 1 || cz.Conns[0].Cid != all[4] {
		t.Fatalf("last page: %v", connCids(cz))
	}
	cz = w.connz(monitor.ConnzOptions{Offset: 9})
	if cz.NumConns != 0 || cz.Total != 5 || cz.Conns == nil {
		t.Fatalf("past the end: %+v", cz)
	}
	cz = w.connz(monitor.ConnzOptions{CID: all[2]})
	if cz.NumConns != 1 || cz.Conns[0].Cid != all[2] || cz.Limit != 1 {
		t.Fatalf("cid: %+v", cz)
	}
	if cz = w.connz(monitor.ConnzOptions{CID: 999}); cz.NumConns != 0 {
		t.Fatalf("unknown cid: %v", connCids(cz))
	}
	_ = peers
}

func TestConnzErrorsAndUnknownAccount(t *testing.T) {
	w := newWorld(t, nil)
	w.connect("")
	for _, tc := range []struct {
		o    monitor.ConnzOptions
		want string
	}{
		{monitor.ConnzOptions{Sort: "bogus"}, "invalid sorting option: bogus"},
		{monitor.ConnzOptions{Sort: monitor.ByStop}, "sort by stop only valid on closed connections"},
		{monitor.ConnzOptions{Sort: monitor.ByReason, State: monitor.ConnAll}, "sort by reason only valid on closed connections"},
	} {
		if _, err := w.srv.Connz(&tc.o); err == nil || err.Error() != tc.want {
			t.Errorf("%+v: %v, want %q", tc.o, err, tc.want)
		}
	}
	cz := w.connz(monitor.ConnzOptions{Account: "NOPE"})
	if cz.ID != "" || cz.Conns != nil || cz.Total != 0 {
		t.Fatalf("unknown account: %+v", cz)
	}
	if cz = w.connz(monitor.ConnzOptions{Account: GlobalAccount}); cz.Total != 1 {
		t.Fatalf("account $G: %+v", cz)
	}
}

func TestConnzClosedConnections(t *testing.T) {
	opts := &Options{Auth: auth.Config{Users: []*auth.User{{Username: "alice", Password: "pa"}, {Username: "bob", Password: "pb"}}}}
	w := newWorld(t, opts)
	a := w.connect(`"user":"alice","pass":"pa","name":"gone"`)
	a.send("SUB x.> 1\r\nSUB y q 2\r\nPING\r\n")
	a.expectAll("PONG\r\n")
	b := w.connect(`"user":"bob","pass":"pb"`)
	w.advance(5 * time.Second)
	a.hangUp()
	w.advance(time.Second)
	c := w.dial()
	c.send(`CONNECT {"user":"alice","pass":"wrong","verbose":false}` + "\r\n")
	c.expectClosed()
	w.pump()

	cz := w.connz(monitor.ConnzOptions{State: monitor.ConnClosed, Username: true, SubscriptionsDetail: true})
	if cz.Total != 2 || cz.NumConns != 2 {
		t.Fatalf("closed: total %d conns %v", cz.Total, connCids(cz))
	}
	ga := cz.Conns[0]
	if ga.Name != "gone" || ga.Reason != "Client Closed" || ga.Stop == nil || ga.Uptime != "5s" || ga.AuthorizedUser != "alice" {
		t.Fatalf("closed a: %+v", ga)
	}
	if !ga.Stop.Equal(ga.Start.Add(5*time.Second)) || ga.NumSubs != 2 || len(ga.SubsDetail) != 2 {
		t.Fatalf("closed a: stop %v start %v subs %d %+v", ga.Stop, ga.Start, ga.NumSubs, ga.SubsDetail)
	}
	if sd := ga.SubsDetail[0]; sd.Subject != "x.>" || sd.Account != GlobalAccount || sd.AccountTag != GlobalAccount || sd.Cid != ga.Cid {
		t.Fatalf("closed a's subscription: %+v", sd)
	}
	if cz.Conns[1].Reason != "Authentication Failure" {
		t.Fatalf("closed c: %+v", cz.Conns[1])
	}

	cz = w.connz(monitor.ConnzOptions{State: monitor.ConnClosed, User: "alice", Subscriptions: true})
	if cz.NumConns != 2 || !slices.Equal(cz.Conns[0].Subs, []string{"x.>", "y"}) || cz.Conns[0].AuthorizedUser != "" {
		t.Fatalf("closed, user alice, subs: %+v", cz.Conns)
	}
	cz = w.connz(monitor.ConnzOptions{State: monitor.ConnAll, Sort: monitor.ByCid})
	if cz.Total != 3 || !slices.Equal(connCids(cz), []uint64{1, 2, 3}) {
		t.Fatalf("all: total %d cids %v", cz.Total, connCids(cz))
	}
	cz = w.connz(monitor.ConnzOptions{State: monitor.ConnClosed, Sort: monitor.ByStop})
	if !slices.Equal(connCids(cz), []uint64{3, 1}) {
		t.Fatalf("by stop, latest first: %v", connCids(cz))
	}
	cz = w.connz(monitor.ConnzOptions{State: monitor.ConnClosed, Sort: monitor.ByReason})
	if !slices.Equal(connCids(cz), []uint64{3, 1}) {
		t.Fatalf("by reason (Authentication < Client): %v", connCids(cz))
	}
	cz = w.connz(monitor.ConnzOptions{State: monitor.ConnAll, CID: 1})
	if cz.NumConns != 1 || cz.Conns[0].Reason != "Client Closed" {
		t.Fatalf("closed by cid: %+v", cz.Conns)
	}
	_ = b
}

func TestConnzClosedRingIsBounded(t *testing.T) {
	w := newWorld(t, &Options{MaxClosedClients: 3})
	for i := 0; i < 7; i++ {
		w.connect("").hangUp()
	}
	cz := w.connz(monitor.ConnzOptions{State: monitor.ConnClosed})
	if cz.Total != 3 || !slices.Equal(connCids(cz), []uint64{5, 6, 7}) {
		t.Fatalf("ring of 3 after 7 closes: total %d cids %v", cz.Total, connCids(cz))
	}
	if w.srv.mon.closed.total != 7 || len(w.srv.mon.closed.entries) != 3 {
		t.Fatalf("ring: total %d entries %d", w.srv.mon.closed.total, len(w.srv.mon.closed.entries))
	}
	// The default bound.
	w2 := newWorld(t, nil)
	if w2.srv.mon.closed.max != DefaultMaxClosedClients {
		t.Fatalf("default max closed clients %d", w2.srv.mon.closed.max)
	}
}

func TestSubszStatsAndList(t *testing.T) {
	w := newWorld(t, &Options{NoSystemAccount: true})
	a := w.connect("")
	a.send("SUB foo.* 1\r\nSUB foo.bar q 2\r\nSUB baz 3\r\nPING\r\n")
	a.expectAll("PONG\r\n")
	a.send("PUB foo.bar 1\r\nx\r\nPING\r\n")
	a.output()

	sz, err := w.srv.Subsz(nil)
	if err != nil || sz.NumSubs != 3 || sz.Subs != nil || sz.Total != 0 || sz.Limit != 1024 || sz.ID != w.srv.ID() {
		t.Fatalf("stats only: %+v %v", sz, err)
	}
	if sz.NumCache != 1 {
		t.Fatalf("one subject matched, cache %d", sz.NumCache)
	}
	sz, _ = w.srv.Subsz(&monitor.SubszOptions{Subscriptions: true})
	if sz.Total != 3 || len(sz.Subs) != 3 || sz.Subs[0].Subject != "foo.*" || sz.Subs[1].Queue != "q" ||
		sz.Subs[0].Account != GlobalAccount || sz.Subs[0].Msgs != 1 {
		t.Fatalf("list: %+v", sz.Subs)
	}
	sz, _ = w.srv.Subsz(&monitor.SubszOptions{Subscriptions: true, Test: "foo.bar"})
	if sz.Total != 2 {
		t.Fatalf("test foo.bar: %+v", sz.Subs)
	}
	sz, _ = w.srv.Subsz(&monitor.SubszOptions{Subscriptions: true, Offset: 2, Limit: 5})
	if sz.Total != 3 || len(sz.Subs) != 1 || sz.Subs[0].Subject != "baz" {
		t.Fatalf("page: %+v", sz.Subs)
	}
	if _, err := w.srv.Subsz(&monitor.SubszOptions{Test: "foo.*"}); err == nil ||
		err.Error() != "invalid test subject, must be valid publish subject: foo.*" {
		t.Fatalf("wildcard test subject: %v", err)
	}
	if sz, _ = w.srv.Subsz(&monitor.SubszOptions{Subscriptions: true, Account: "OTHER"}); sz.NumSubs != 0 || sz.Total != 0 {
		t.Fatalf("other account: %+v", sz)
	}
}

func TestHealthz(t *testing.T) {
	w := newWorld(t, nil)
	if h := w.srv.Healthz(nil); h.Status != "ok" || h.StatusCode != 200 || h.Error != "" {
		t.Fatalf("healthy: %+v", h)
	}
	h := w.srv.Healthz(&monitor.HealthzOptions{Stream: "S"})
	if h.Status != "error" || h.StatusCode != 400 || h.Error != `"account" must not be empty when checking stream health` {
		t.Fatalf("stream without account: %+v", h)
	}
	h = w.srv.Healthz(&monitor.HealthzOptions{Account: "A", Consumer: "C", Details: true})
	if h.Status != "error" || h.StatusCode != 400 || h.Error != "" || len(h.Errors) != 1 || h.Errors[0].Type != monitor.HealthzErrorBadRequest {
		t.Fatalf("consumer without stream, details: %+v", h)
	}
	w.srv.Shutdown(nil)
	w.pump()
	h = w.srv.Healthz(nil)
	if h.StatusCode != 500 || h.Error != "failed to be ready for connections after 1ms: server" {
		t.Fatalf("after shutdown: %+v", h)
	}
}

func TestAccountzAndAccstatz(t *testing.T) {
	w := newWorld(t, nil)
	p := w.connect("")
	p.send("SUB a 1\r\nPUB a 2\r\nhi\r\nPING\r\n")
	p.output()

	az, err := w.srv.Accountz(nil)
	if err != nil || !slices.Equal(az.Accounts, []string{"$G", "$SYS"}) || az.SystemAccount != "$SYS" || az.Account != nil {
		t.Fatalf("accountz: %+v %v", az, err)
	}
	az, err = w.srv.Accountz(&monitor.AccountzOptions{Account: "$G"})
	if err != nil || az.Accounts != nil {
		t.Fatalf("accountz $G: %+v %v", az, err)
	}
	ai := az.Account
	if ai.AccountName != "$G" || ai.ClientCnt != 1 || ai.SubCnt != 1 || ai.IsSystem || !ai.Complete || ai.NameTag != "$G" || ai.Sublist.NumSubs != 1 {
		t.Fatalf("$G detail: %+v", ai)
	}
	if az, _ = w.srv.Accountz(&monitor.AccountzOptions{Account: "$SYS"}); !az.Account.IsSystem || az.Account.ClientCnt != 0 {
		t.Fatalf("$SYS detail: %+v", az.Account)
	}
	if _, err = w.srv.Accountz(&monitor.AccountzOptions{Account: "NOPE"}); err == nil || err.Error() != "Account NOPE does not exist" {
		t.Fatalf("unknown account: %v", err)
	}

	st, _ := w.srv.Accstatz(nil)
	if len(st.Accounts) != 1 || st.Accounts[0].Account != "$G" {
		t.Fatalf("accstatz without unused: %+v", st.Accounts)
	}
	g := st.Accounts[0]
	if g.Conns != 1 || g.TotalConns != 1 || g.NumSubs != 1 || g.Received.Msgs != 1 || g.Received.Bytes != 2 || g.Sent.Msgs != 1 || g.Sent.Routes == nil {
		t.Fatalf("$G stat: %+v", g)
	}
	st, _ = w.srv.Accstatz(&monitor.AccStatzOptions{IncludeUnused: true})
	if len(st.Accounts) != 2 || st.Accounts[1].Account != "$SYS" || st.Accounts[1].Conns != 0 {
		t.Fatalf("accstatz unused: %+v", st.Accounts)
	}
	st, _ = w.srv.Accstatz(&monitor.AccStatzOptions{Accounts: []string{"$SYS", "NOPE"}, IncludeUnused: true})
	if len(st.Accounts) != 1 || st.Accounts[0].Account != "$SYS" {
		t.Fatalf("accstatz for $SYS: %+v", st.Accounts)
	}
}

func TestDisabledFeatureEndpoints(t *testing.T) {
	w := newWorld(t, nil)
	js, err := w.srv.Jsz(nil)
	if err != nil || !js.Disabled || js.ID != w.srv.ID() {
		t.Fatalf("jsz: %+v %v", js, err)
	}
	if _, err = w.srv.Jsz(&monitor.JszOptions{LeaderOnly: true}); err == nil || err.Error() != "filtered response: not leader" {
		t.Fatalf("jsz leader-only: %v", err)
	}
	lz, _ := w.srv.Leafz(nil)
	gz, _ := w.srv.Gatewayz(nil)
	if lz.Leafs == nil || lz.NumLeafs != 0 || gz.OutboundGateways == nil || gz.InboundGateways == nil {
		t.Fatalf("leafz %+v gatewayz %+v", lz, gz)
	}
}

func TestRoutezAndClusterVarz(t *testing.T) {
	m := newMesh(t)
	o2, o1 := clusterOpts("n2"), clusterOpts("n1", "n2")
	o1.NoSystemAccount, o2.NoSystemAccount = true, true
	m.start("n2", o2)
	n1 := m.start("n1", o1)
	m.expectRoutes(1, "n1", "n2")
	sub := m.client("n2")
	sub.send("SUB foo.* 1\r\nSUB foo.* q 2\r\nPING\r\n")
	sub.take()
	pub := m.client("n1")
	pub.send("PUB foo.bar 2\r\nhi\r\nPING\r\n")
	pub.take()
	m.advance(2 * time.Second)

	rz, err := n1.Routez(&monitor.RoutezOptions{SubscriptionsDetail: true})
	if err != nil || rz.NumRoutes != 1 || len(rz.Routes) != 1 || rz.Name != "n1" || rz.ID != n1.ID() {
		t.Fatalf("routez: %+v %v", rz, err)
	}
	r := rz.Routes[0]
	if r.RemoteName != "n2" || !r.DidSolicit || !r.IsConfigured || r.IP != "n2" || r.Port != 6222 || r.NumSubs != 2 {
		t.Fatalf("route: %+v", r)
	}
	// One message, to the plain and the queue interest: sent once.
	if r.OutMsgs != 1 || r.OutBytes != 2 || r.Compression != "off" {
		t.Fatalf("route traffic: out %d/%d compression %q", r.OutMsgs, r.OutBytes, r.Compression)
	}
	if len(r.SubsDetail) != 2 || r.SubsDetail[0].Sid != "R foo.*" || r.SubsDetail[1].Sid != "R foo.* q" || r.SubsDetail[1].Queue != "q" {
		t.Fatalf("route interest: %+v", r.SubsDetail)
	}
	rz, _ = n1.Routez(&monitor.RoutezOptions{Subscriptions: true})
	if !slices.Equal(rz.Routes[0].Subs, []string{"foo.*", "foo.*"}) {
		t.Fatalf("route subs: %v", rz.Routes[0].Subs)
	}
	v := n1.Varz()
	if v.Routes != 1 || v.Remotes != 1 || v.Cluster.Name != "c" || v.Cluster.Port != 6222 || v.Cluster.Host != "n1" ||
		!slices.Equal(v.Cluster.URLs, []string{"n2:6222"}) || v.Cluster.AuthTimeout != 2 {
		t.Fatalf("cluster varz: routes %d remotes %d %+v", v.Routes, v.Remotes, v.Cluster)
	}
	if v.OutMsgs != 1 || v.OutClientMsgs != 0 || v.InClientMsgs != 1 {
		t.Fatalf("varz route vs client traffic: out %d out_client %d in_client %d", v.OutMsgs, v.OutClientMsgs, v.InClientMsgs)
	}
	if sz, _ := n1.Subsz(nil); sz.NumSubs != 2 {
		t.Fatalf("n1 subsz counts the routed interest: %d", sz.NumSubs)
	}
	w := newWorld(t, nil)
	if rz, _ = w.srv.Routez(nil); rz.Routes == nil || rz.NumRoutes != 0 {
		t.Fatalf("not clustered: %+v", rz)
	}
}
