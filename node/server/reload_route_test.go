package server

import (
	"testing"
	"time"

	"jsnode/node/auth"
)

// reloadOn applies opts to host's server in the mesh.
func (m *mesh) reloadOn(host string, opts *Options) {
	m.t.Helper()
	if err := m.servers[host].Reload(opts); err != nil {
		m.t.Fatalf("%s: Reload: %v", host, err)
	}
	m.pump()
}

func TestReloadAddsAndRemovesRoutes(t *testing.T) {
	m := newMesh(t)
	m.start("n1", clusterOpts("n1"))
	m.start("n2", clusterOpts("n2"))
	n1, n2 := m.servers["n1"], m.servers["n2"]
	if n1.NumRoutes() != 0 {
		t.Fatal("routes before any is configured")
	}
	m.reloadOn("n2", clusterOpts("n2", "n1"))
	m.expectLog("n2", "Reloaded: cluster routes")
	m.expectRoutes(1, "n1", "n2")

	sub := m.client("n1")
	sub.send("SUB foo 1\r\nPING\r\n")
	sub.take()
	pub := m.client("n2")
	pub.pub("foo", 1)
	if got := sub.msgs(); len(got) != 1 || got[0] != "foo 1  1" {
		t.Fatalf("subscriber on n1 got %q", got)
	}

	m.reloadOn("n2", clusterOpts("n2"))
	m.expectLog("n2", "Removed route nats-route://n1:6222")
	m.advance(5 * time.Second) // no redial
	if n1.NumRoutes() != 0 || n2.NumRoutes() != 0 || len(routeConnsOf(n2)) != 0 {
		t.Fatalf("routes after removal: n1 %d, n2 %d", n1.NumRoutes(), n2.NumRoutes())
	}
	if len(n2.cluster.dialers) != 0 {
		t.Fatalf("n2 still dials %d routes", len(n2.cluster.dialers))
	}
	if closed := n2.mon.closed.list(); len(closed) != 0 {
		t.Fatalf("route closes recorded as client closes: %d", len(closed))
	}
}

func TestReloadClusterAuthorizationCutsPeersThatNoLongerPass(t *testing.T) {
	m := newMesh(t)
	o1 := clusterOpts("n1")
	o1.Cluster.Username, o1.Cluster.Password = "r", "old"
	m.start("n1", o1)
	o2 := clusterOpts("n2")
	o2.Cluster.Routes = []string{"nats-route://r:old@n1:6222"}
	m.start("n2", o2)
	m.expectRoutes(1, "n1", "n2")

	same := clusterOpts("n1")
	same.Cluster.Username, same.Cluster.Password = "r", "old"
	same.Debug = false
	m.reloadOn("n1", same)
	m.expectRoutes(1, "n1", "n2")

	next := clusterOpts("n1")
	next.Cluster.Username, next.Cluster.Password = "r", "new"
	m.reloadOn("n1", next)
	m.expectLog("n1", "Reloaded: cluster")
	m.expectLog("n1", "authentication error")
	m.advance(3 * time.Second)
	if m.servers["n1"].NumRoutes() != 0 {
		t.Fatal("n2 is still routed with the old password")
	}
}

func TestReloadClusterNameIsAdopted(t *testing.T) {
	m := newMesh(t)
	m.start("n1", clusterOpts("n1"))
	next := clusterOpts("n1")
	next.Cluster.Name = "other"
	m.reloadOn("n1", next)
	m.expectLog("n1", "Cluster name updated to other")
	if got := m.servers["n1"].clusterName(); got != "other" {
		t.Fatalf("cluster name %q", got)
	}
	bad := clusterOpts("n1")
	bad.Cluster.Name = "other"
	bad.Cluster.Port = 6223
	if err := m.servers["n1"].Reload(bad); err == nil || err.Error() != "config reload not supported for cluster port: old=6222, new=6223" {
		t.Fatalf("Reload: %v", err)
	}
}

// TestReloadAddedAccountGetsPeersInterest: n2 learns of a subscription in
// account X (which it does not have) before a reload adds X there; a
// publish in X on n2 must then reach the subscriber on n1.
func TestReloadAddedAccountGetsPeersInterest(t *testing.T) {
	withX := func(o *Options) *Options {
		o.Auth = auth.Config{Users: []*auth.User{{Username: "x", Password: "x", Account: "X"}, {Username: "g", Password: "g"}}}
		o.Accounts = []*AccountOpts{{Name: "X"}}
		return o
	}
	without := func(o *Options) *Options {
		o.Auth = auth.Config{Users: []*auth.User{{Username: "g", Password: "g"}}}
		return o
	}
	m := newMesh(t)
	m.start("n1", withX(clusterOpts("n1")))
	m.start("n2", without(clusterOpts("n2", "n1")))
	m.expectRoutes(1, "n1", "n2")
	sub := m.login("n1", "x")
	sub.send("SUB foo 1\r\nPING\r\n")
	sub.take()

	m.reloadOn("n2", withX(clusterOpts("n2", "n1")))
	pub := m.login("n2", "x")
	pub.pub("foo", 1)
	if got := sub.msgs(); len(got) != 1 || got[0] != "foo 1  1" {
		t.Fatalf("subscriber in X on n1 got %q", got)
	}

	// Dropping X again puts the interest aside; the account's subscriber
	// on n1 is unaffected, and re-adding X routes to it again.
	m.reloadOn("n2", without(clusterOpts("n2", "n1")))
	if m.servers["n2"].Account("X") != nil {
		t.Fatal("X still exists on n2")
	}
	m.reloadOn("n2", withX(clusterOpts("n2", "n1")))
	pub = m.login("n2", "x")
	pub.pub("foo", 1)
	if got := sub.msgs(); len(got) != 1 {
		t.Fatalf("subscriber in X on n1 got %q after X came back", got)
	}
}

// TestReloadStreamImportInterestReachesPeers: a reload adding a stream
// import on n1 must make n2 route the exporter's messages to n1.
func TestReloadStreamImportInterestReachesPeers(t *testing.T) {
	m := newMesh(t)
	accs := func(o *Options, imports bool) *Options {
		a := twoAccounts()
		if !imports {
			a.Accounts[1].Imports = nil
		}
		o.Auth, o.Accounts = a.Auth, a.Accounts
		return o
	}
	m.start("n1", accs(clusterOpts("n1"), false))
	m.start("n2", accs(clusterOpts("n2", "n1"), true))
	m.expectRoutes(1, "n1", "n2")
	b1 := m.login("n1", "b")
	b1.send("SUB from_a.pub.> 1\r\nPING\r\n")
	b1.take()
	m.reloadOn("n1", accs(clusterOpts("n1"), true))
	a2 := m.login("n2", "a")
	a2.pub("pub.x", 1)
	if got := b1.msgs(); len(got) != 1 || got[0] != "from_a.pub.x 1  1" {
		t.Fatalf("B on n1 got %q", got)
	}
}
