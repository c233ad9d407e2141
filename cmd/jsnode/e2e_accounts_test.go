package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"jsnode/node/auth"
	"jsnode/node/server"
)

// End-to-end account tests with nats.go: isolation, a stream import and a
// service import, on one node and across a three-node cluster.

// accountOpts gives A (exporting a stream and a service) and B
// (importing both) one user each, plus a $G user.
func accountOpts(o *server.Options) *server.Options {
	o.Auth = auth.Config{Users: []*auth.User{
		{Username: "a", Password: "a", Account: "A"},
		{Username: "b", Password: "b", Account: "B"},
		{Username: "g", Password: "g"},
	}}
	o.Accounts = []*server.AccountOpts{
		{Name: "A", Exports: []server.ExportOpts{{Subject: "events.>"}, {Service: true, Subject: "time.now"}}},
		{Name: "B", Imports: []server.ImportOpts{
			{Account: "A", Subject: "events.>", Prefix: "a"},
			{Service: true, Account: "A", Subject: "time.now", To: "clock"},
		}},
	}
	return o
}

func TestE2EAccountsOneNode(t *testing.T) {
	n, _ := startTestNode(t, accountOpts(&server.Options{}))
	checkAccounts(t, n, n, n)
}

func TestE2EAccountsAcrossCluster(t *testing.T) {
	ports := freePorts(t, 3)
	var nodes []*runningNode
	for i := range ports {
		var others []int
		for j, p := range ports {
			if j != i {
				others = append(others, p)
			}
		}
		o := accountOpts(clusterNodeOpts(fmt.Sprintf("n%d", i+1), "acc", ports[i], others))
		n, _ := startTestNode(t, o)
		nodes = append(nodes, n)
	}
	for i, n := range nodes {
		waitFor(t, fmt.Sprintf("n%d routes", i+1), func() bool { return numRoutesOf(t, n) == 2 })
	}
	checkAccounts(t, nodes[0], nodes[1], nodes[2])
}

// checkAccounts runs the exporter on na, the importer on nb and a $G
// client on ng.
func checkAccounts(t *testing.T, na, nb, ng *runningNode) {
	a := connect(t, na, nats.UserInfo("a", "a"))
	b := connect(t, nb, nats.UserInfo("b", "b"))
	g := connect(t, ng, nats.UserInfo("g", "g"))

	imported := make(chan *nats.Msg, 16)
	leaked := make(chan *nats.Msg, 16)
	if _, err := b.ChanSubscribe("a.events.>", imported); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ChanSubscribe("events.>", leaked); err != nil {
		t.Fatal(err)
	}
	gAll, err := g.ChanSubscribe(">", leaked)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Subscribe("time.now", func(m *nats.Msg) {
		m.Respond([]byte("noon for " + m.Header.Get("Nats-Request-Info")))
	}); err != nil {
		t.Fatal(err)
	}
	b.Flush()
	g.Flush()
	a.Flush()
	// Interest crosses routes asynchronously: retry until the import
	// answers, then check exactly what arrived.
	var reply *nats.Msg
	waitFor(t, "the service import to answer", func() bool {
		m, err := b.Request("clock", []byte("?"), 200*time.Millisecond)
		reply = m
		return err == nil
	})
	if want := `"acc":"B"`; !strings.Contains(string(reply.Data), want) {
		t.Fatalf("reply %q: the responder did not see the requesting account", reply.Data)
	}
	waitFor(t, "B's stream interest to reach A's server", func() bool {
		a.Publish("events.probe", nil)
		a.Flush()
		select {
		case <-imported:
			return true
		case <-time.After(20 * time.Millisecond):
			return false
		}
	})
	for len(imported) > 0 {
		<-imported
	}
	for i := 1; i <= 5; i++ {
		a.Publish("events.n", []byte(strconv.Itoa(i)))
	}
	a.Flush()
	for i := 1; i <= 5; i++ {
		select {
		case m := <-imported:
			if m.Subject != "a.events.n" || string(m.Data) != strconv.Itoa(i) {
				t.Fatalf("import %d: got %s %q", i, m.Subject, m.Data)
			}
		case <-time.After(waitLimit):
			t.Fatalf("import %d never arrived", i)
		}
	}
	select {
	case m := <-leaked:
		t.Fatalf("message crossed accounts without an import: %s %q", m.Subject, m.Data)
	case <-time.After(100 * time.Millisecond):
	}
	gAll.Unsubscribe()
	g.Flush()
	if _, err := g.Request("clock", nil, 2*time.Second); err != nats.ErrNoResponders {
		t.Fatalf("$G request to B's import subject: %v, want no responders", err)
	}
}

// TestE2EMappings: subject mappings apply where a message is published,
// on one node and across a cluster, with nats.go.
func TestE2EMappings(t *testing.T) {
	withMappings := func(o *server.Options) *server.Options {
		o.Mappings = []server.MappingOpts{
			{Source: "orders.*", Dests: []server.MapDest{{Subject: "processed.{{wildcard(1)}}", Weight: 100}}},
			{Source: "split", Dests: []server.MapDest{{Subject: "split.a", Weight: 50}, {Subject: "split.b", Weight: 50}}},
		}
		return o
	}
	ports := freePorts(t, 2)
	n1, _ := startTestNode(t, withMappings(clusterNodeOpts("m1", "map", ports[0], []int{ports[1]})))
	n2, _ := startTestNode(t, withMappings(clusterNodeOpts("m2", "map", ports[1], []int{ports[0]})))
	waitFor(t, "the route", func() bool { return numRoutesOf(t, n1) == 1 && numRoutesOf(t, n2) == 1 })
	sub := connect(t, n2)
	pub := connect(t, n1)
	got := make(chan *nats.Msg, 256)
	if _, err := sub.ChanSubscribe("processed.*", got); err != nil {
		t.Fatal(err)
	}
	if _, err := sub.ChanSubscribe("split.*", got); err != nil {
		t.Fatal(err)
	}
	sub.Flush()
	waitFor(t, "the interest to reach m1", func() bool { return remoteSubsOf(t, n1) >= 2 })
	pub.Publish("orders.42", []byte("o"))
	for i := 0; i < 100; i++ {
		pub.Publish("split", nil)
	}
	pub.Flush()
	counts := map[string]int{}
	for n := 0; n < 101; n++ {
		select {
		case m := <-got:
			counts[m.Subject]++
		case <-time.After(waitLimit):
			t.Fatalf("got %v, want 101 messages", counts)
		}
	}
	if counts["processed.42"] != 1 || counts["split.a"]+counts["split.b"] != 100 || counts["split.a"] < 20 || counts["split.b"] < 20 {
		t.Fatalf("mapped deliveries %v", counts)
	}
}
