package server

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"jsnode/net"
)

// numRoutes is how many registered routes s has.
func numRoutes(s *Server) int { return len(s.cluster.routes) }

// expectRoutes checks every server has n registered routes and n route
// connections open (no leftover duplicates).
func (m *mesh) expectRoutes(n int, hosts ...string) {
	m.t.Helper()
	for _, h := range hosts {
		s := m.servers[h]
		if got := numRoutes(s); got != n {
			m.t.Fatalf("%s has %d routes, want %d; log:\n%s", h, got, n, strings.Join(m.logs[h].lines, "\n"))
		}
		if got := len(routeConnsOf(s)); got != n {
			m.t.Fatalf("%s has %d route connections, want %d", h, got, n)
		}
	}
}

func TestRouteHandshakeAndInterest(t *testing.T) {
	m := newMesh(t)
	m.start("n2", clusterOpts("n2"))
	n1 := m.start("n1", clusterOpts("n1", "n2"))
	m.expectRoutes(1, "n1", "n2")
	m.expectLog("n1", "Route connection created")
	m.expectLog("n2", "Registering remote route")
	if r := routeTo(n1, "n2"); r == nil || !r.route.didSolicit {
		t.Fatalf("n1's route to n2 is missing or not solicited")
	}

	sub := m.client("n2")
	sub.send("SUB foo.* 1\r\nSUB foo.* q 2\r\nSUB foo.* q 3\r\nPING\r\n")
	sub.take()
	if got := n1.GlobalAccount().NumRemoteSubscriptions(); got != 2 {
		t.Fatalf("n1 knows %d remote subscriptions, want 2 (plain, queue)", got)
	}
	if rs := n1.remoteIndex().Match("foo.x").Queues; len(rs) != 1 || rs[0].Members[0].weight != 2 {
		t.Fatalf("queue interest on n1: %+v, want weight 2", rs)
	}

	pub := m.client("n1")
	pub.send("PUB foo.bar 2\r\nhi\r\n")
	got := sub.msgs()
	if len(got) != 2 || got[0] != "foo.bar 1  hi" || (got[1] != "foo.bar 2  hi" && got[1] != "foo.bar 3  hi") {
		t.Fatalf("subscriber on n2 got %q", got)
	}

	sub.send("UNSUB 1\r\nUNSUB 2\r\nUNSUB 3\r\nPING\r\n")
	if got := n1.GlobalAccount().NumRemoteSubscriptions(); got != 0 {
		t.Fatalf("n1 still knows %d remote subscriptions after UNSUB", got)
	}
	before := routeTo(n1, "n2").stats.OutMsgs
	pub.send("PUB foo.bar 2\r\nhi\r\n")
	if after := routeTo(n1, "n2").stats.OutMsgs; after != before {
		t.Fatalf("message forwarded to a route without interest (%d -> %d)", before, after)
	}
}

func TestRouteQueueWeightAndFullStateOnConnect(t *testing.T) {
	m := newMesh(t)
	n1 := m.start("n1", clusterOpts("n1"))
	c := m.client("n1")
	c.send("SUB a 1\r\nSUB a 2\r\nSUB b g 3\r\nSUB b g 4\r\nSUB b g 5\r\nPING\r\n")
	n2 := m.start("n2", clusterOpts("n2", "n1"))
	m.expectRoutes(1, "n1", "n2")
	r := n2.remoteIndex()
	if got := n2.GlobalAccount().NumRemoteSubscriptions(); got != 2 {
		t.Fatalf("n2 learned %d interests, want 2 (a once, b g)", got)
	}
	if q := r.Match("b").Queues; len(q) != 1 || q[0].Members[0].weight != 3 {
		t.Fatalf("queue weight %+v, want 3", q)
	}
	c.send("UNSUB 3\r\nPING\r\n")
	if q := r.Match("b").Queues; q[0].Members[0].weight != 2 {
		t.Fatalf("weight after UNSUB %d, want 2", q[0].Members[0].weight)
	}
	c.send("UNSUB 1\r\nPING\r\n")
	if r.Match("a").Empty() {
		t.Fatal("plain interest dropped while a subscriber remains")
	}
	c.send("UNSUB 2\r\nPING\r\n")
	if !r.Match("a").Empty() {
		t.Fatal("plain interest kept after the last subscriber left")
	}
	_ = n1
}

func TestRouteGossipMakesFullMesh(t *testing.T) {
	m := newMesh(t)
	m.start("n1", clusterOpts("n1"))
	m.start("n2", clusterOpts("n2", "n1"))
	m.start("n3", clusterOpts("n3", "n1"))
	m.expectRoutes(2, "n1", "n2", "n3")
	for _, h := range []string{"n2", "n3"} {
		if r := routeTo(m.servers[h], map[string]string{"n2": "n3", "n3": "n2"}[h]); r == nil {
			t.Fatalf("%s has no route to its gossiped peer", h)
		}
	}
}

func TestRouteDuplicateKeepsOneDeterministically(t *testing.T) {
	m := newMesh(t)
	// Both servers dial each other at the same time.
	n1, err := m.tryStartNoPump("n1", clusterOpts("n1", "n2"))
	if err != nil {
		t.Fatal(err)
	}
	n2, err := m.tryStartNoPump("n2", clusterOpts("n2", "n1"))
	if err != nil {
		t.Fatal(err)
	}
	m.pump()
	m.advance(3 * time.Second)
	m.expectRoutes(1, "n1", "n2")
	r1, r2 := routeTo(n1, "n2"), routeTo(n2, "n1")
	want := min(n1.ID(), n2.ID())
	if r1.route.dialedBy != want || r2.route.dialedBy != want {
		t.Fatalf("kept routes dialled by %s / %s, want both by the smaller id %s",
			r1.route.dialedBy[:6], r2.route.dialedBy[:6], want[:6])
	}
	// Interest still flows over the surviving connection.
	sub := m.client("n2")
	sub.send("SUB x 1\r\nPING\r\n")
	sub.take()
	m.client("n1").send("PUB x 1\r\nz\r\n")
	if got := sub.msgs(); len(got) != 1 {
		t.Fatalf("after duplicate resolution got %q", got)
	}
}

// tryStartNoPump starts a server without running its first events, so
// two servers can dial each other simultaneously.
func (m *mesh) tryStartNoPump(host string, opts *Options) (*Server, error) {
	events := m.events
	m.events = nil
	s, err := m.tryStart(host, opts)
	m.events = append(events, m.events...)
	return s, err
}

func TestRouteClusterNameMismatchRejected(t *testing.T) {
	m := newMesh(t)
	m.start("n2", clusterOpts("n2"))
	o := clusterOpts("n1", "n2")
	o.Cluster.Name = "other"
	m.start("n1", o)
	m.expectRoutes(0, "n1", "n2")
	m.expectLog("n2", `Rejecting connection, cluster name "other" does not match "c"`)
	m.expectLog("n1", "Cluster Name Conflict")
	// The configured route keeps being retried, and keeps failing.
	m.advance(3 * time.Second)
	m.expectRoutes(0, "n1", "n2")
}

func TestRouteAuthorization(t *testing.T) {
	m := newMesh(t)
	o2 := clusterOpts("n2")
	o2.Cluster.Username, o2.Cluster.Password = "ruser", "secret"
	m.start("n2", o2)
	bad := clusterOpts("n1")
	bad.Cluster.Routes = []string{"nats-route://ruser:wrong@n2:6222"}
	m.start("n1", bad)
	m.expectRoutes(0, "n1", "n2")
	m.expectLog("n2", `authentication error - User "ruser"`)
	m.expectLog("n1", "Route Error 'Authorization Violation'")

	good := clusterOpts("n3")
	good.Cluster.Routes = []string{"nats-route://ruser:secret@n2:6222"}
	m.start("n3", good)
	if numRoutes(m.servers["n3"]) != 1 || routeTo(m.servers["n2"], "n3") == nil {
		t.Fatal("route with the right credentials not registered")
	}
}

// A bcrypt cluster password is checked off the loop (Env.Offload, here
// its inline default: the outcome is a later event); right and wrong
// passwords are told apart as with a plain one.
func TestRouteAuthorizationBcrypt(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	m := newMesh(t)
	o2 := clusterOpts("n2")
	o2.Cluster.Username, o2.Cluster.Password = "ruser", string(hash)
	m.start("n2", o2)
	bad := clusterOpts("n1")
	bad.Cluster.Routes = []string{"nats-route://ruser:wrong@n2:6222"}
	m.start("n1", bad)
	m.advance(time.Millisecond)
	m.expectRoutes(0, "n1", "n2")
	m.expectLog("n2", `authentication error - User "ruser"`)

	good := clusterOpts("n3")
	good.Cluster.Routes = []string{"nats-route://ruser:secret@n2:6222"}
	m.start("n3", good)
	m.advance(time.Millisecond)
	if numRoutes(m.servers["n3"]) != 1 || routeTo(m.servers["n2"], "n3") == nil {
		t.Fatal("route with the right bcrypt-checked credentials not registered")
	}
}

// With debug and trace on, neither the route CONNECTs (right and wrong
// password) nor the dial and error lines show a route password.
func TestRouteLogsHideCredentials(t *testing.T) {
	m := newMesh(t)
	o2 := clusterOpts("n2")
	o2.Debug, o2.Trace = true, true
	o2.Cluster.Username, o2.Cluster.Password = "ruser", "S3cr3tRight"
	m.start("n2", o2)
	for _, d := range []struct{ host, pass string }{{"n1", "S3cr3tWrong"}, {"n3", "S3cr3tRight"}} {
		o := clusterOpts(d.host)
		o.Debug, o.Trace = true, true
		o.Cluster.Routes = []string{"nats-route://ruser:" + d.pass + "@n2:6222"}
		m.start(d.host, o)
	}
	m.expectLog("n2", `"pass":"[REDACTED]"`)
	m.expectLog("n1", "ruser:xxxxx@n2:6222")
	for host, log := range m.logs {
		for _, line := range log.lines {
			if strings.Contains(line, "S3cr3t") {
				t.Errorf("%s: log line shows a password: %s", host, line)
			}
		}
	}
}

func TestRouteAuthTimeout(t *testing.T) {
	m := newMesh(t)
	o := clusterOpts("n1")
	o.Cluster.Username, o.Cluster.Password = "u", "p"
	o.Cluster.AuthTimeout = 500 * time.Millisecond
	m.start("n1", o)
	tc := m.dialTest("n1:6222")
	if !strings.HasPrefix(tc.take(), "INFO {") {
		t.Fatal("route port did not send INFO first")
	}
	m.advance(time.Second)
	if got := tc.take(); got != "-ERR 'Authentication Timeout'\r\n" || !tc.closed {
		t.Fatalf("after the auth timeout got %q closed=%v", got, tc.closed)
	}
}

func TestRoutePortBadInput(t *testing.T) {
	m := newMesh(t)
	m.start("n1", clusterOpts("n1"))
	cases := []struct{ name, in, want string }{
		{"op before CONNECT", "RS+ $G foo\r\n", "-ERR 'Authorization Violation'\r\n"},
		{"client on route port", `CONNECT {"lang":"go","version":"1.55.0"}` + "\r\n", "-ERR 'attempted to connect to route port'\r\n"},
		{"unknown op", `CONNECT {"name":"NX","cluster":"c"}` + "\r\nBLAH\r\n", "-ERR 'Unknown Protocol Operation'\r\n"},
		{"bad RS+ args", `CONNECT {"name":"NX","cluster":"c"}` + "\r\nRS+ $G\r\n", ""},
		{"other cluster", `CONNECT {"name":"NX","cluster":"x"}` + "\r\n", `-ERR 'Rejecting connection, cluster name "x" does not match "c"'` + "\r\n"},
		{"garbage", "\x00\xff\r\n", "-ERR 'Authorization Violation'\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := m.dialTest("n1:6222")
			c.take()
			c.send(tc.in)
			if got := c.take(); got != tc.want || !c.closed {
				t.Fatalf("got %q closed=%v, want %q and closed", got, c.closed, tc.want)
			}
		})
	}
	if n := m.servers["n1"]; numRoutes(n) != 0 || len(routeConnsOf(n)) != 0 {
		t.Fatal("bad peers left routes behind")
	}
}

func TestRouteMessagesNeverLoop(t *testing.T) {
	m := newMesh(t)
	m.start("n1", clusterOpts("n1"))
	m.start("n2", clusterOpts("n2", "n1"))
	m.start("n3", clusterOpts("n3", "n1", "n2"))
	m.expectRoutes(2, "n1", "n2", "n3")
	subs := map[string]*tclient{}
	for _, h := range []string{"n1", "n2", "n3"} {
		subs[h] = m.client(h)
		subs[h].send("SUB loop.> 1\r\nPING\r\n")
		subs[h].take()
	}
	m.client("n1").pub("loop.a", 5)
	for h, c := range subs {
		if got := c.msgs(); len(got) != 5 {
			t.Fatalf("%s got %d messages, want 5 exactly once each: %q", h, len(got), got)
		}
	}
	// n2 and n3 received the messages from n1 and forwarded them nowhere.
	for _, h := range []string{"n2", "n3"} {
		for _, r := range m.servers[h].cluster.routes {
			if r.stats.OutMsgs != 0 {
				t.Fatalf("%s forwarded %d routed messages to %s", h, r.stats.OutMsgs, r.route.remoteName)
			}
		}
	}
}

func TestRouteQueueGroupOncePerGroupAcrossCluster(t *testing.T) {
	m := newMesh(t)
	m.start("n1", clusterOpts("n1"))
	m.start("n2", clusterOpts("n2", "n1"))
	m.start("n3", clusterOpts("n3", "n1", "n2"))
	members := map[string]*tclient{}
	for _, h := range []string{"n1", "n2", "n2b"} {
		host := h[:2]
		members[h] = m.client(host)
		members[h].send("SUB work.* workers 1\r\nSUB work.* other 2\r\nPING\r\n")
		members[h].take()
	}
	const n = 600
	m.client("n3").pub("work.x", n)
	seen := map[string]map[string]int{"1": {}, "2": {}}
	for h, c := range members {
		msgs := c.msgs()
		per := map[string]int{}
		for _, line := range msgs {
			f := strings.Fields(line)
			seen[f[1]][f[2]]++
			per[f[1]]++
		}
		if per["1"] < n/10 || per["2"] < n/10 {
			t.Errorf("member %s got %v of %d: the cluster does not spread queue messages", h, per, n)
		}
	}
	for sid, got := range seen {
		if len(got) != n {
			t.Fatalf("group of sid %s received %d distinct messages, want %d", sid, len(got), n)
		}
		for payload, k := range got {
			if k != 1 {
				t.Fatalf("group of sid %s got message %s %d times", sid, payload, k)
			}
		}
	}
}

func TestRouteRequestReplyAndNoResponders(t *testing.T) {
	m := newMesh(t)
	m.start("n1", clusterOpts("n1"))
	m.start("n2", clusterOpts("n2", "n1"))
	req := m.client("n1")
	req.send("SUB _INBOX.r.> 1\r\nPING\r\n")
	req.take()
	req.send("PUB svc _INBOX.r.1 2\r\nq1\r\n")
	if got := req.take(); !strings.Contains(got, "NATS/1.0 503") {
		t.Fatalf("no-responders not sent without interest anywhere: %q", got)
	}
	svc := m.client("n2")
	svc.send("SUB svc g 7\r\nPING\r\n")
	svc.take()
	req.send("PUB svc _INBOX.r.2 2\r\nq2\r\n")
	if got := req.take(); got != "" {
		t.Fatalf("requester got %q although a responder exists on n2", got)
	}
	got := svc.msgs()
	if len(got) != 1 || got[0] != "svc 7 _INBOX.r.2 q2" {
		t.Fatalf("responder got %q", got)
	}
	svc.send("PUB _INBOX.r.2 1\r\nA\r\n")
	if got := req.msgs(); len(got) != 1 || got[0] != "_INBOX.r.2 1  A" {
		t.Fatalf("reply across the route: %q", got)
	}
}

func TestRouteHeadersCrossRoute(t *testing.T) {
	m := newMesh(t)
	m.start("n1", clusterOpts("n1"))
	m.start("n2", clusterOpts("n2", "n1"))
	sub := m.client("n2")
	sub.send("SUB h 1\r\nPING\r\n")
	sub.take()
	m.client("n1").send("HPUB h 12 14\r\nNATS/1.0\r\n\r\nhi\r\n")
	if got := sub.take(); got != "HMSG h 1 12 14\r\nNATS/1.0\r\n\r\nhi\r\n" {
		t.Fatalf("header message across the route: %q", got)
	}
}

// connectURLs decodes the connect_urls of an INFO JSON.
func connectURLs(t *testing.T, info string) []string {
	t.Helper()
	var v struct {
		URLs []string `json:"connect_urls"`
		LDM  bool     `json:"ldm"`
	}
	if err := json.Unmarshal([]byte(info), &v); err != nil {
		t.Fatal(err)
	}
	return v.URLs
}

func TestRouteConnectURLsAndAsyncInfo(t *testing.T) {
	m := newMesh(t)
	m.start("n1", clusterOpts("n1"))
	c := m.client("n1")
	m.start("n2", clusterOpts("n2", "n1"))
	infos := c.infos()
	if len(infos) != 1 || !slices.Equal(connectURLs(t, infos[0]), []string{"n1:4222", "n2:4222"}) {
		t.Fatalf("async INFO after n2 joined: %q", infos)
	}
	late := m.dialTest("n1:4222")
	if first := late.take(); !strings.Contains(first, `"connect_urls":["n1:4222","n2:4222"]`) {
		t.Fatalf("INFO of a new client: %q", first)
	}
	m.stop("n2")
	infos = c.infos()
	if len(infos) != 1 || !slices.Equal(connectURLs(t, infos[0]), []string{"n1:4222"}) {
		t.Fatalf("async INFO after n2 left: %q", infos)
	}
}

func TestRouteNoAdvertise(t *testing.T) {
	m := newMesh(t)
	o := clusterOpts("n1")
	o.Cluster.NoAdvertise = true
	m.start("n1", o)
	c := m.client("n1")
	m.start("n2", clusterOpts("n2", "n1"))
	if infos := c.infos(); len(infos) != 0 {
		t.Fatalf("no_advertise server sent %q", infos)
	}
}

func TestRouteLameDuckRemovesURLs(t *testing.T) {
	m := newMesh(t)
	m.start("n1", clusterOpts("n1"))
	m.start("n2", clusterOpts("n2", "n1"))
	c1, c2 := m.client("n1"), m.client("n2")
	m.servers["n2"].LameDuck(nil)
	m.pump()
	infos := c1.infos()
	if len(infos) != 1 || !slices.Equal(connectURLs(t, infos[0]), []string{"n1:4222"}) {
		t.Fatalf("n1's clients after n2 entered lame duck: %q", infos)
	}
	infos = c2.infos()
	if len(infos) != 1 || !strings.Contains(infos[0], `"ldm":true`) || !slices.Equal(connectURLs(t, infos[0]), []string{"n1:4222"}) {
		t.Fatalf("n2's clients in lame duck: %q", infos)
	}
}

func TestRouteReconnectsAfterLoss(t *testing.T) {
	m := newMesh(t)
	m.start("n2", clusterOpts("n2"))
	n1 := m.start("n1", clusterOpts("n1", "n2"))
	sub := m.client("n2")
	sub.send("SUB r 1\r\nPING\r\n")
	routeTo(n1, "n2").conn.(*meshConn).reset()
	m.pump()
	m.expectRoutes(0, "n1", "n2")
	if n1.GlobalAccount().NumRemoteSubscriptions() != 0 {
		t.Fatal("interest of a lost route kept")
	}
	m.advance(2 * time.Second)
	m.expectRoutes(1, "n1", "n2")
	if n1.GlobalAccount().NumRemoteSubscriptions() != 1 {
		t.Fatal("interest not sent again on the new route")
	}
	m.expectLog("n1", "Attempting reconnect for solicited route")
}

func TestRouteToSelfIgnored(t *testing.T) {
	m := newMesh(t)
	n1 := m.start("n1", clusterOpts("n1", "n1", "n2"))
	m.start("n2", clusterOpts("n2", "n1", "n2"))
	m.advance(3 * time.Second)
	m.expectRoutes(1, "n1", "n2")
	m.expectLog("n1", "Detected route to self")
	for _, d := range n1.cluster.dialers {
		if d.url.hostPort == "n1:6222" {
			t.Fatal("still dialling itself")
		}
	}
}

func TestRouteDialFailuresRetried(t *testing.T) {
	m := newMesh(t)
	n1 := m.start("n1", clusterOpts("n1", "n2"))
	m.advance(3500 * time.Millisecond)
	m.expectLog("n1", "Error trying to connect to route (attempt 1)")
	if d := n1.cluster.dialers; len(d) != 1 || d[0].attempts < 3 {
		t.Fatalf("dialers %+v, want one with >= 3 attempts", d)
	}
	m.start("n2", clusterOpts("n2"))
	m.advance(time.Second)
	m.expectRoutes(1, "n1", "n2")
}

// max_pending applies to clients only, as in nats-server: a route that
// falls behind keeps its queue (the write deadline is its limit).
func TestRouteNotCutByMaxPending(t *testing.T) {
	m := newMesh(t)
	o := clusterOpts("n1")
	o.MaxPending = 64 << 10
	o.MaxPayload = 1024
	n1 := m.start("n1", o)
	m.start("n2", clusterOpts("n2", "n1"))
	sub := m.client("n2")
	sub.send("SUB s 1\r\nPING\r\n")
	m.partition("n1", "n2")
	pub := m.client("n1")
	pub.pub("s", 20000)
	if numRoutes(n1) != 1 || n1.SlowConsumers() != 0 {
		t.Fatalf("route cut by max_pending: routes %d slow %d", numRoutes(n1), n1.SlowConsumers())
	}
	m.heal()
}

func TestRouteStaleConnection(t *testing.T) {
	m := newMesh(t)
	o := clusterOpts("n1")
	o.Cluster.PingInterval = 100 * time.Millisecond
	o.Cluster.MaxPingsOut = 2
	n1 := m.start("n1", o)
	m.start("n2", clusterOpts("n2", "n1"))
	m.partition("n1", "n2")
	m.advance(2 * time.Second)
	if numRoutes(n1) != 0 {
		t.Fatal("route behind a partition not closed as stale")
	}
	m.expectLog("n1", "Stale Connection")
	m.heal()
	m.advance(3 * time.Second)
	m.expectRoutes(1, "n1", "n2")
}

func TestRouteDynamicClusterName(t *testing.T) {
	m := newMesh(t)
	o := clusterOpts("n1")
	o.Cluster.Name = ""
	n1 := m.start("n1", o)
	m.expectLog("n1", "Cluster name was dynamically generated")
	m.start("n2", clusterOpts("n2", "n1"))
	// n2 rejects the INFO n1 sent under its old name, then redials.
	m.advance(2 * time.Second)
	m.expectRoutes(1, "n1", "n2")
	if n1.cluster.name != "c" {
		t.Fatalf("dynamic name not replaced by the configured one: %q", n1.cluster.name)
	}
}

func TestClusterOptionValidation(t *testing.T) {
	env := Env{Clock: newMesh(t).clock, Net: &meshNet{}, Rand: nil}
	cases := []struct {
		name string
		c    ClusterOpts
		want string
	}{
		{"pool size", ClusterOpts{Port: 6222, PoolSize: 3}, "pool_size 3 is not supported"},
		{"name spaces", ClusterOpts{Port: 6222, Name: "a b"}, "cluster name cannot contain spaces"},
		{"routes without port", ClusterOpts{Routes: []string{"nats-route://a:1"}}, "need a cluster port"},
		{"bad route", ClusterOpts{Port: 1, Routes: []string{"nats-route://a"}}, "error parsing route url"},
		{"password hidden", ClusterOpts{Port: 1, Routes: []string{"nats-route://u:pw@%zz"}}, "u:xxxxx@"},
	}
	for _, tc := range cases {
		_, err := New(&Options{Cluster: tc.c}, env)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "pw") {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	for _, ps := range []int{-1, 0, 1} {
		o := ClusterOpts{Port: 1, PoolSize: ps}
		if err := o.validate(); err != nil {
			t.Errorf("pool_size %d: %v", ps, err)
		}
	}
}

func TestParseRouteURL(t *testing.T) {
	cases := []struct{ in, hostPort, user, pass string }{
		{"nats-route://h:6222", "h:6222", "", ""},
		{"nats-route://u:p@127.0.0.1:7/", "127.0.0.1:7", "u", "p"},
		{"nats://[::1]:5", "[::1]:5", "", ""},
		{" nats-route://h:1 ", "h:1", "", ""},
	}
	for _, c := range cases {
		u, err := parseRouteURL(c.in)
		if err != nil || u.hostPort != c.hostPort || u.user != c.user || u.pass != c.pass {
			t.Errorf("%q: %+v %v", c.in, u, err)
		}
	}
	if u, _ := parseRouteURL("nats-route://u:p@h:1"); u.String() != "nats-route://u:xxxxx@h:1" {
		t.Errorf("String() = %q", u.String())
	}
}

func TestRouteShutdownSendsNoURLUpdate(t *testing.T) {
	m := newMesh(t)
	m.start("n1", clusterOpts("n1"))
	m.start("n2", clusterOpts("n2", "n1"))
	c := m.client("n1")
	m.stop("n1")
	if infos := c.infos(); len(infos) != 0 {
		t.Fatalf("a server shutting down sent %q: clients would forget the other servers", infos)
	}
}

func TestRouteWriteDeadlineCutsSlowRoute(t *testing.T) {
	m := newMesh(t)
	n1 := m.start("n1", clusterOpts("n1"))
	m.start("n2", clusterOpts("n2", "n1"))
	r := routeTo(n1, "n2")
	if d := r.conn.(*meshConn).deadline; d != DefaultWriteDeadline {
		t.Fatalf("route write deadline %v, want %v", d, DefaultWriteDeadline)
	}
	r.conn.(*meshConn).end(net.ErrWriteTimeout)
	r.conn.(*meshConn).peer.end(net.ErrClosedByPeer) // the socket is gone
	m.pump()
	m.expectLog("n1", "Slow Consumer Detected: WriteDeadline of 10s exceeded")
	m.expectLog("n1", "Route connection closed: Slow Consumer (Write Deadline) - Remote: n2")
	m.advance(2 * time.Second)
	m.expectRoutes(1, "n1", "n2") // n2 dialled n1 and redials it
}

func TestRouteConnectBackoff(t *testing.T) {
	attempts := func(backoff bool) int {
		m := newMesh(t)
		o := clusterOpts("n1", "n2")
		o.Cluster.ConnectBackoff = backoff
		n1 := m.start("n1", o)
		m.advance(7500 * time.Millisecond)
		return n1.cluster.dialers[0].attempts
	}
	// Attempts at 0s, 1s, 2s, ... without backoff; at 0s, 1s, 3s, 7s with.
	if plain, backoff := attempts(false), attempts(true); plain != 8 || backoff != 4 {
		t.Fatalf("attempts in 7.5s: %d without backoff (want 8), %d with (want 4)", plain, backoff)
	}
}

// TestRouteDialLoopLeavesAWorkingRouteAlone: a configured route still
// being retried finds that the peer dialled in meanwhile; it stops
// instead of opening a second connection, which would replace the
// working one (and lose what was in flight on it).
func TestRouteDialLoopLeavesAWorkingRouteAlone(t *testing.T) {
	m := newMesh(t)
	n1 := m.start("n1", clusterOpts("n1", "n2")) // n2 is not up: n1 keeps retrying
	m.advance(100 * time.Millisecond)
	n2 := m.start("n2", clusterOpts("n2", "n1"))
	m.advance(100 * time.Millisecond)
	first := routeTo(n1, "n2")
	if first == nil || first.route.dialedBy != n2.ID() {
		t.Fatalf("n1's route to n2 = %v, want the one n2 dialled", first)
	}
	m.advance(5 * time.Second) // well past n1's next attempts
	m.expectRoutes(1, "n1", "n2")
	if r := routeTo(n1, "n2"); r != first {
		t.Fatalf("n1's route to n2 was replaced (cid %d, was %d)", r.cid, first.cid)
	}
	if len(n1.cluster.dialers) != 0 {
		t.Fatalf("n1 still has %d dial loops", len(n1.cluster.dialers))
	}
	dials := 0
	for _, c := range m.conns {
		if c.host == "n1" && c.remote == "n2:6222" {
			dials++
		}
	}
	if dials != 0 {
		t.Fatalf("n1 opened %d connections to n2 after n2's route was up", dials)
	}
	if first.route.url == nil || !first.route.explicit {
		t.Fatal("the route n2 dialled must take over n1's duty to redial its configured route")
	}
}
