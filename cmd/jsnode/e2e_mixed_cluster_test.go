package main

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// End-to-end tests of a mixed cluster: one nats-server (the reference
// implementation, from the repository's .tools directory) and one jsnode
// node routed to each other, with nats.go clients on both. nats-server
// pools routes (3 connections per pair by default); jsnode advertises no
// pool size, so nats-server keeps a single route to it, and this checks
// that messages flow both ways over it. Skipped when the binary is absent.

// natsServerBin is where the repository keeps the reference server.
const natsServerBin = "../../.tools/nats-server"

// probeInterval spaces the probes sent while interest propagates.
const probeInterval = 20 * time.Millisecond

// mixedCluster is a running nats-server and jsnode pair.
type mixedCluster struct {
	ns   string // nats-server client URL
	js   *runningNode
	jlog *memLog
}

// startMixedCluster starts nats-server and a jsnode node, each with a
// configured route to the other, and waits for the route.
func startMixedCluster(t *testing.T) *mixedCluster {
	t.Helper()
	ports := freePorts(t, 3) // nats-server client, nats-server route, jsnode route
	runNatsServer(t, "ns1", "-a", "127.0.0.1", "-p", strconv.Itoa(ports[0]), "-n", "ns1",
		"--cluster", "nats://127.0.0.1:"+strconv.Itoa(ports[1]), "--cluster_name", "mix",
		"--routes", "nats://127.0.0.1:"+strconv.Itoa(ports[2]))
	js, jlog := startTestNode(t, clusterNodeOpts("js1", "mix", ports[2], []int{ports[1]}))
	mc := &mixedCluster{ns: "nats://127.0.0.1:" + strconv.Itoa(ports[0]), js: js, jlog: jlog}
	waitFor(t, "jsnode to have a route to nats-server", func() bool { return numRoutesOf(t, js) == 1 })
	return mc
}

// runNatsServer starts the reference nats-server (skipping the test when
// it is not installed) with args; it is killed when the test ends, and
// its output is logged if the test failed.
func runNatsServer(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(natsServerPath(t), args...)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nats-server: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("nats-server %s output:\n%s", name, out.String())
		}
	})
}

// connectNS opens a nats.go connection to the nats-server, retrying while
// it starts up.
func (mc *mixedCluster) connectNS(t *testing.T) *nats.Conn {
	t.Helper()
	var nc *nats.Conn
	waitFor(t, "nats-server to take clients", func() bool {
		var err error
		nc, err = nats.Connect(mc.ns)
		return err == nil
	})
	t.Cleanup(nc.Close)
	return nc
}

// awaitRouted publishes probes on subj from pub until one arrives on ch:
// the subscriber's interest has then crossed the route.
func awaitRouted(t *testing.T, pub *nats.Conn, subj string, ch chan *nats.Msg) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		if err := pub.Publish(subj, []byte("probe")); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ch:
			return
		case <-time.After(probeInterval):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no probe on %q crossed the route", subj)
		}
	}
}

// checkPlainDirection sends n messages (the first with a header) from pub
// to a wildcard subscriber on sub and expects them all, in order.
func checkPlainDirection(t *testing.T, pub, sub *nats.Conn, n int) {
	t.Helper()
	ch := make(chan *nats.Msg, 4*n)
	s, err := sub.ChanSubscribe("mix.>", ch)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Unsubscribe()
	sub.Flush()
	awaitRouted(t, pub, "mix.probe", ch)
	hm := nats.NewMsg("mix.data")
	hm.Header.Set("X-Seq", "0")
	hm.Data = []byte("0")
	if err := pub.PublishMsg(hm); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < n; i++ {
		pub.Publish("mix.data", []byte(strconv.Itoa(i)))
	}
	pub.Publish("mix.end", nil)
	pub.Flush()
	got := 0
	for {
		select {
		case m := <-ch:
			switch m.Subject {
			case "mix.probe":
				continue
			case "mix.end":
				if got != n {
					t.Fatalf("got %d of %d messages before the end marker", got, n)
				}
				return
			}
			if string(m.Data) != strconv.Itoa(got) {
				t.Fatalf("message %d is %q", got, m.Data)
			}
			if got == 0 && m.Header.Get("X-Seq") != "0" {
				t.Fatalf("header lost across the route: %v", m.Header)
			}
			got++
		case <-time.After(waitLimit):
			t.Fatalf("got %d of %d messages, then nothing", got, n)
		}
	}
}

func TestE2EMixedClusterPubSub(t *testing.T) {
	mc := startMixedCluster(t)
	ns := mc.connectNS(t)
	js := connect(t, mc.js)
	t.Run("nats-server to jsnode", func(t *testing.T) { checkPlainDirection(t, ns, js, 50) })
	t.Run("jsnode to nats-server", func(t *testing.T) { checkPlainDirection(t, js, ns, 50) })
	if n := numRoutesOf(t, mc.js); n != 1 {
		t.Fatalf("jsnode has %d routes to nats-server, want 1", n)
	}
}

// checkQueueDirection puts two queue members of one group on sub's
// server only and expects every message from pub exactly once.
func checkQueueDirection(t *testing.T, pub, sub1, sub2 *nats.Conn, n int) {
	t.Helper()
	ch := make(chan *nats.Msg, 4*n)
	for _, c := range []*nats.Conn{sub1, sub2} {
		s, err := c.ChanQueueSubscribe("work.>", "workers", ch)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Unsubscribe()
		c.Flush()
	}
	awaitRouted(t, pub, "work.probe", ch)
	for i := 0; i < n; i++ {
		pub.Publish("work.item", []byte(strconv.Itoa(i)))
	}
	pub.Flush()
	seen := make(map[string]int)
	for count := 0; count < n; {
		select {
		case m := <-ch:
			if m.Subject == "work.probe" {
				continue
			}
			seen[string(m.Data)]++
			count++
		case <-time.After(waitLimit):
			t.Fatalf("queue group got %d of %d messages", count, n)
		}
	}
	for i := 0; i < n; i++ {
		if k := seen[strconv.Itoa(i)]; k != 1 {
			t.Fatalf("message %d delivered %d times to the queue group", i, k)
		}
	}
}

func TestE2EMixedClusterQueueGroups(t *testing.T) {
	mc := startMixedCluster(t)
	ns1, ns2 := mc.connectNS(t), mc.connectNS(t)
	js1, js2 := connect(t, mc.js), connect(t, mc.js)
	t.Run("nats-server to jsnode", func(t *testing.T) { checkQueueDirection(t, ns1, js1, js2, 40) })
	t.Run("jsnode to nats-server", func(t *testing.T) { checkQueueDirection(t, js1, ns1, ns2, 40) })
}

// checkRequestDirection answers requests on svc's server and sends them
// from req's server.
func checkRequestDirection(t *testing.T, req, svc *nats.Conn, n int) {
	t.Helper()
	s, err := svc.QueueSubscribe("svc.echo", "svc", func(m *nats.Msg) { m.Respond(append([]byte("echo:"), m.Data...)) })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Unsubscribe()
	svc.Flush()
	waitFor(t, "the responder's interest to cross the route", func() bool {
		_, err := req.Request("svc.echo", nil, 200*time.Millisecond)
		return err == nil
	})
	for i := 0; i < n; i++ {
		m, err := req.Request("svc.echo", []byte(strconv.Itoa(i)), waitLimit)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if want := "echo:" + strconv.Itoa(i); string(m.Data) != want {
			t.Fatalf("reply %d is %q, want %q", i, m.Data, want)
		}
	}
}

func TestE2EMixedClusterRequestReply(t *testing.T) {
	mc := startMixedCluster(t)
	ns := mc.connectNS(t)
	js := connect(t, mc.js)
	t.Run("nats-server to jsnode", func(t *testing.T) { checkRequestDirection(t, ns, js, 20) })
	t.Run("jsnode to nats-server", func(t *testing.T) { checkRequestDirection(t, js, ns, 20) })
	if _, err := js.Request("svc.nobody", nil, waitLimit); err != nats.ErrNoResponders {
		t.Fatalf("request without responders anywhere: %v, want no responders", err)
	}
}

// lockedBuffer collects a child process's output safely.
type lockedBuffer struct {
	log memLog
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.log.add("", "%s", p)
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.log.mu.Lock()
	defer b.log.mu.Unlock()
	return strings.Join(b.log.lines, "")
}
