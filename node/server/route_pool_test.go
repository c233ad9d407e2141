package server

import (
	"strings"
	"testing"
	"time"

	"jsnode/net"
)

// Tests of how this server meets a peer that pools routes (nats-server
// 2.10+, several connections per pair of servers, some dedicated to one
// account): it advertises no pool size, so that the peer falls back to
// one route, refuses dedicated account routes, and keeps the connection
// it registered first, as the peer does.

// poolPeerID sorts after any id this server draws, so the rule between
// two jsnode servers (the smaller dialler's connection wins) would pick
// the connection this server dialled.
const poolPeerID = "NZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"

// poolPeerInfo is the INFO of a pooling peer, optionally for a route
// dedicated to account.
func poolPeerInfo(account string) string {
	acc := ""
	if account != "" {
		acc = `,"route_account":"` + account + `"`
	}
	return `INFO {"server_id":"` + poolPeerID + `","server_name":"pool","version":"2.15.2","proto":3,` +
		`"host":"pool","port":6222,"headers":true,"max_payload":1048576,"cluster":"c",` +
		`"connect_urls":["pool:4222"],"route_pool_size":3` + acc + "}\r\n"
}

const poolPeerConnect = `CONNECT {"echo":true,"verbose":false,"pedantic":false,"tls_required":false,` +
	`"headers":true,"name":"` + poolPeerID + `","cluster":"c"}` + "\r\n"

func TestRouteInfoAdvertisesNoPoolSize(t *testing.T) {
	m := newMesh(t)
	m.start("n1", clusterOpts("n1"))
	info := m.dialTest("n1:6222").take()
	if !strings.HasPrefix(info, "INFO {") || strings.Contains(info, "route_pool_size") {
		t.Fatalf("route INFO %q: want one without route_pool_size", info)
	}
}

func TestRouteRefusesDedicatedAccountRoute(t *testing.T) {
	m := newMesh(t)
	n1 := m.start("n1", clusterOpts("n1"))
	peer := m.dialTest("n1:6222")
	peer.take()
	peer.send(poolPeerConnect + poolPeerInfo("$SYS"))
	want := `-ERR 'Not possible to have a dedicated route for account "$SYS" between those servers'` + "\r\n"
	if got := peer.take(); got != want || !peer.closed {
		t.Fatalf("got %q closed=%v, want %q and closed", got, peer.closed, want)
	}
	if numRoutes(n1) != 0 {
		t.Fatal("a dedicated account route was registered")
	}
	// The peer's plain route is taken, and its interest in both accounts
	// counts.
	plain := m.dialTest("n1:6222")
	plain.take()
	plain.send(poolPeerConnect + poolPeerInfo("") + "RS+ $SYS $SYS.REQ.>\r\nRS+ $G orders.>\r\n")
	if plain.closed || numRoutes(n1) != 1 || n1.NumRemoteSubscriptions() != 2 ||
		n1.SystemAccount().remote.Count() != 1 {
		t.Fatalf("plain route: closed=%v routes=%d remote subs=%d, want open, 1, 2 (one in $SYS)",
			plain.closed, numRoutes(n1), n1.NumRemoteSubscriptions())
	}
}

func TestRoutePoolingPeerKeepsFirstConnection(t *testing.T) {
	m := newMesh(t)
	n1 := m.start("n1", clusterOpts("n1", "pool")) // nothing listens there yet
	accepted := m.dialTest("n1:6222")
	accepted.take()
	accepted.send(poolPeerConnect + poolPeerInfo("") + "RS+ $G orders.>\r\n")
	if numRoutes(n1) != 1 {
		t.Fatalf("accepted route from the pooling peer not registered: %d routes", numRoutes(n1))
	}
	var dialed *tclient
	m.listeners["pool:6222"] = func(c net.Conn) net.Handler {
		dialed = &tclient{m: m, conn: c.(*meshConn)}
		return dialed
	}
	m.advance(2 * routeConnectDelay)
	if dialed == nil {
		t.Fatal("n1 did not redial its configured route")
	}
	dialed.send(poolPeerInfo(""))
	if !dialed.closed || accepted.closed {
		t.Fatalf("dialled closed=%v accepted closed=%v: want the dialled one closed, the first kept",
			dialed.closed, accepted.closed)
	}
	if numRoutes(n1) != 1 || n1.NumRemoteSubscriptions() != 1 {
		t.Fatalf("routes=%d remote subs=%d, want 1 and 1", numRoutes(n1), n1.NumRemoteSubscriptions())
	}
	m.advance(time.Second)
	if accepted.closed {
		t.Fatal("the kept route was closed later")
	}
}
