package main

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"jsnode/node/server"
)

// End-to-end cluster tests: three nodes in this process over real TCP on
// loopback, full mesh through configured routes, with nats.go clients.

// freePorts reserves n distinct free loopback ports and releases them.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// testCluster is a running cluster and the nodes' logs.
type testCluster struct {
	t     *testing.T
	nodes []*runningNode
	logs  []*memLog
	ports []int // cluster ports
}

// clusterNodeOpts are the options of node i of a cluster on ports.
func clusterNodeOpts(name, cluster string, port int, routes []int) *server.Options {
	o := &server.Options{ServerName: name}
	o.Cluster = server.ClusterOpts{Name: cluster, Host: "127.0.0.1", Port: port}
	for _, p := range routes {
		o.Cluster.Routes = append(o.Cluster.Routes, "nats-route://127.0.0.1:"+strconv.Itoa(p))
	}
	return o
}

// startTestCluster starts n nodes, each configured with routes to all the
// others, and waits for the full mesh.
func startTestCluster(t *testing.T, n int) *testCluster {
	t.Helper()
	tc := &testCluster{t: t, ports: freePorts(t, n)}
	for i := 0; i < n; i++ {
		var others []int
		for j, p := range tc.ports {
			if j != i {
				others = append(others, p)
			}
		}
		node, log := startTestNode(t, clusterNodeOpts(fmt.Sprintf("n%d", i+1), "e2e", tc.ports[i], others))
		tc.nodes = append(tc.nodes, node)
		tc.logs = append(tc.logs, log)
	}
	for i, node := range tc.nodes {
		waitFor(t, fmt.Sprintf("n%d to have %d routes", i+1, n-1), func() bool { return numRoutesOf(t, node) == n-1 })
	}
	return tc
}

func numRoutesOf(t *testing.T, n *runningNode) int {
	var r int
	if err := n.Do(func(s *server.Server) { r = s.NumRoutes() }); err != nil {
		return -1
	}
	return r
}

func remoteSubsOf(t *testing.T, n *runningNode) int {
	var r int
	if err := n.Do(func(s *server.Server) { r = s.GlobalAccount().NumRemoteSubscriptions() }); err != nil {
		return -1
	}
	return r
}

// waitInterest waits until every node but skip knows at least k remote
// interests (RS+ travels asynchronously after a client's SUB).
func (tc *testCluster) waitInterest(k int, skip ...int) {
	tc.t.Helper()
	for i, n := range tc.nodes {
		if slices.Contains(skip, i) {
			continue
		}
		waitFor(tc.t, fmt.Sprintf("n%d to learn %d remote interests", i+1, k), func() bool { return remoteSubsOf(tc.t, n) >= k })
	}
}

func TestE2EClusterPubSubAcrossNodes(t *testing.T) {
	tc := startTestCluster(t, 3)
	sub := connect(t, tc.nodes[1])
	if name := sub.ConnectedClusterName(); name != "e2e" {
		t.Fatalf("ConnectedClusterName() = %q, want e2e", name)
	}
	msgs := make(chan *nats.Msg, 100)
	if _, err := sub.ChanSubscribe("orders.*.created", msgs); err != nil {
		t.Fatal(err)
	}
	sub.Flush()
	tc.waitInterest(1, 1)
	for i, n := range []*runningNode{tc.nodes[0], tc.nodes[2]} {
		pub := connect(t, n)
		pub.Publish("orders.eu.created", []byte("from "+strconv.Itoa(i)))
		pub.Publish("orders.eu.deleted", []byte("no"))
		pub.Flush()
	}
	got := map[string]bool{}
	for len(got) < 2 {
		select {
		case m := <-msgs:
			if m.Subject != "orders.eu.created" || got[string(m.Data)] {
				t.Fatalf("unexpected or duplicate message %s %q", m.Subject, m.Data)
			}
			got[string(m.Data)] = true
		case <-time.After(waitLimit):
			t.Fatalf("got %v, want messages from n1 and n3", got)
		}
	}
	select {
	case m := <-msgs:
		t.Fatalf("extra message %s %q", m.Subject, m.Data)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestE2EClusterQueueGroupsOncePerGroup(t *testing.T) {
	tc := startTestCluster(t, 3)
	const n = 900
	var mu sync.Mutex
	counts := map[string]map[string]int{"workers": {}, "auditors": {}}
	perNode := map[string]int{}
	for i, node := range tc.nodes {
		nc := connect(t, node)
		for _, group := range []string{"workers", "auditors"} {
			group, name := group, fmt.Sprintf("n%d", i+1)
			if _, err := nc.QueueSubscribe("jobs.>", group, func(m *nats.Msg) {
				mu.Lock()
				counts[group][string(m.Data)]++
				if group == "workers" {
					perNode[name]++
				}
				mu.Unlock()
			}); err != nil {
				t.Fatal(err)
			}
		}
		nc.Flush()
	}
	tc.waitInterest(2)
	pub := connect(t, tc.nodes[0])
	for i := 0; i < n; i++ {
		pub.Publish("jobs.a", []byte(strconv.Itoa(i)))
	}
	pub.Flush()
	waitFor(t, "every message once per group", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(counts["workers"]) == n && len(counts["auditors"]) == n
	})
	time.Sleep(100 * time.Millisecond) // let any duplicate arrive before checking
	mu.Lock()
	defer mu.Unlock()
	for group, c := range counts {
		for payload, k := range c {
			if k != 1 {
				t.Fatalf("%s got message %s %d times", group, payload, k)
			}
		}
	}
	if len(perNode) < 3 {
		t.Fatalf("queue messages not spread over the cluster: %v", perNode)
	}
}

func TestE2EClusterRequestReply(t *testing.T) {
	tc := startTestCluster(t, 3)
	svc := connect(t, tc.nodes[2])
	svc.QueueSubscribe("svc.echo", "svc", func(m *nats.Msg) { m.Respond(append([]byte("echo:"), m.Data...)) })
	svc.Flush()
	tc.waitInterest(1, 2)
	req := connect(t, tc.nodes[0])
	for i := 0; i < 20; i++ {
		m, err := req.Request("svc.echo", []byte(strconv.Itoa(i)), waitLimit)
		if err != nil || string(m.Data) != "echo:"+strconv.Itoa(i) {
			t.Fatalf("request %d across nodes: %v %v", i, err, m)
		}
	}
	if _, err := req.Request("svc.nobody", nil, waitLimit); err != nats.ErrNoResponders {
		t.Fatalf("request without responders anywhere: %v, want no responders", err)
	}
}

func TestE2EClusterDiscoveryAndFailover(t *testing.T) {
	tc := startTestCluster(t, 3)
	reconnected := make(chan string, 4)
	nc := connect(t, tc.nodes[0],
		nats.ReconnectWait(50*time.Millisecond), nats.MaxReconnects(-1),
		nats.ReconnectHandler(func(c *nats.Conn) { reconnected <- c.ConnectedUrl() }))
	want := []string{tc.nodes[1].ClientURL(), tc.nodes[2].ClientURL()}
	waitFor(t, "nats.go to discover the other nodes", func() bool {
		d := nc.DiscoveredServers()
		return slices.Contains(d, want[0]) && slices.Contains(d, want[1])
	})
	sub := connect(t, tc.nodes[2])
	msgs := make(chan *nats.Msg, 10)
	sub.ChanSubscribe("after.failover", msgs)
	sub.Flush()
	tc.waitInterest(1, 2)

	tc.nodes[0].Shutdown()
	select {
	case url := <-reconnected:
		if url == tc.nodes[0].ClientURL() {
			t.Fatalf("reconnected to the node that was shut down")
		}
	case <-time.After(waitLimit):
		t.Fatal("nats.go did not reconnect to a surviving node")
	}
	waitFor(t, "interest on the new node", func() bool {
		return remoteSubsOf(t, tc.nodes[1]) >= 1
	})
	if err := nc.Publish("after.failover", []byte("still here")); err != nil {
		t.Fatal(err)
	}
	nc.Flush()
	select {
	case m := <-msgs:
		if string(m.Data) != "still here" {
			t.Fatalf("got %q", m.Data)
		}
	case <-time.After(waitLimit):
		t.Fatal("publish after failover not delivered")
	}
	waitFor(t, "the surviving nodes to drop the dead route", func() bool {
		return numRoutesOf(t, tc.nodes[1]) == 1 && numRoutesOf(t, tc.nodes[2]) == 1
	})
}

func TestE2EClusterNameMismatchRejected(t *testing.T) {
	ports := freePorts(t, 2)
	_, log1 := startTestNode(t, clusterNodeOpts("a1", "alpha", ports[0], nil))
	b, log2 := startTestNode(t, clusterNodeOpts("b1", "beta", ports[1], ports[:1]))
	log1.waitLog(t, `Rejecting connection, cluster name "beta" does not match "alpha"`)
	log2.waitLog(t, "Cluster Name Conflict")
	if numRoutesOf(t, b) != 0 {
		t.Fatal("route between different clusters registered")
	}
}

func TestE2EClusterRouteAuth(t *testing.T) {
	ports := freePorts(t, 3)
	o := clusterNodeOpts("a1", "auth", ports[0], nil)
	o.Cluster.Username, o.Cluster.Password = "route", "s3cret"
	a, logA := startTestNode(t, o)

	bad := clusterNodeOpts("b1", "auth", ports[1], nil)
	bad.Cluster.Routes = []string{fmt.Sprintf("nats-route://route:wrong@127.0.0.1:%d", ports[0])}
	b, logB := startTestNode(t, bad)
	logA.waitLog(t, `authentication error - User "route"`)
	logB.waitLog(t, "Route Error 'Authorization Violation'")
	if numRoutesOf(t, b) != 0 {
		t.Fatal("route with a wrong password registered")
	}

	good := clusterNodeOpts("c1", "auth", ports[2], nil)
	good.Cluster.Routes = []string{fmt.Sprintf("nats-route://route:s3cret@127.0.0.1:%d", ports[0])}
	c, _ := startTestNode(t, good)
	waitFor(t, "the authorized route", func() bool { return numRoutesOf(t, c) == 1 && numRoutesOf(t, a) >= 1 })
	if strings.Contains(strings.Join(logB.lines, "\n"), "wrong") {
		t.Fatal("a route password appears in the log")
	}
}
