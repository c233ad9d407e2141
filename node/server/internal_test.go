package server

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// gotMsg is one message an internal handler received.
type gotMsg struct{ subject, reply, msg string }

// recorder returns a handler appending to *into.
func recorder(into *[]gotMsg) func(subject, reply string, msg []byte) {
	return func(subject, reply string, msg []byte) {
		*into = append(*into, gotMsg{subject, reply, string(msg)})
	}
}

// payloadOnly adapts a (subject, reply, payload) handler.
func payloadOnly(h func(string, string, []byte)) MsgHandler {
	if h == nil {
		return nil
	}
	return func(m *Msg) { h(m.Subject, m.Reply, m.Data) }
}

// These tests talk in $G, where the test clients are.
func mustSubscribe(t *testing.T, s *Server, subj, queue string, h func(string, string, []byte)) func() {
	t.Helper()
	unsub, err := s.GlobalAccount().Subscribe(subj, queue, payloadOnly(h))
	if err != nil {
		t.Fatalf("Subscribe(%q, %q): %v", subj, queue, err)
	}
	return unsub
}

func TestInternalLocalDelivery(t *testing.T) {
	m := newMesh(t)
	n1 := m.start("n1", clusterOpts("n1"))
	base := n1.InternalStats().Subscriptions // the system account's services
	var got []gotMsg
	mustSubscribe(t, n1, "svc.*", "", recorder(&got))

	c := m.client("n1")
	before := n1.InternalStats() // the client's CONNECT advisory is an internal publish
	c.send("SUB svc.b 1\r\nHPUB svc.a _INBOX.x 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\n")
	if len(got) != 1 || got[0] != (gotMsg{"svc.a", "_INBOX.x", "hi"}) {
		t.Fatalf("handler got %+v, want svc.a _INBOX.x hi (headers stripped)", got)
	}
	c.take()

	n1.GlobalAccount().Publish("svc.b", "r.1", []byte("NATS/1.0\r\nA: 1\r\n\r\n"), []byte("yo"))
	if len(got) != 2 || got[1] != (gotMsg{"svc.b", "r.1", "yo"}) {
		t.Fatalf("handler got %+v after internal publish", got)
	}
	m.pump()
	if out := c.take(); !strings.Contains(out, "HMSG svc.b 1 r.1 18 20\r\nNATS/1.0\r\nA: 1\r\n\r\nyo") {
		t.Fatalf("client subscriber got %q", out)
	}
	st := n1.InternalStats()
	if st.Subscriptions != base+1 || st.Published-before.Published != 1 || st.Delivered-before.Delivered != 2 || st.Dropped != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestInternalAcrossRoutes(t *testing.T) {
	m := newMesh(t)
	n1 := m.start("n1", clusterOpts("n1"))
	n2 := m.start("n2", clusterOpts("n2", "n1"))
	m.expectRoutes(1, "n1", "n2")
	var got []gotMsg
	unsub := mustSubscribe(t, n1, "$NRG.g.a", "", recorder(&got))
	m.pump()
	if n2.GlobalAccount().NumRemoteSubscriptions() != 1 {
		t.Fatalf("n2 knows %d remote subscriptions, want the internal one", n2.GlobalAccount().NumRemoteSubscriptions())
	}
	n2.GlobalAccount().Publish("$NRG.g.a", "", nil, []byte("vote"))
	m.pump()
	if len(got) != 1 || got[0].msg != "vote" {
		t.Fatalf("n1's handler got %+v", got)
	}

	unsub()
	unsub() // a second call is harmless
	m.pump()
	if n2.GlobalAccount().NumRemoteSubscriptions() != 0 {
		t.Fatalf("RS- not sent: n2 still knows %d", n2.GlobalAccount().NumRemoteSubscriptions())
	}
	before := routeTo(n2, "n1").stats.OutMsgs
	n2.GlobalAccount().Publish("$NRG.g.a", "", nil, []byte("again"))
	m.pump()
	if len(got) != 1 || routeTo(n2, "n1").stats.OutMsgs != before {
		t.Fatalf("message routed after unsubscribe: got %+v", got)
	}
}

func TestInternalInterestBeforeStart(t *testing.T) {
	m := newMesh(t)
	m.start("n2", clusterOpts("n2"))
	env := Env{Clock: m.clock, Net: &meshNet{m: m, host: "n1"}, Rand: rand.New(rand.NewPCG(99, 7)), Log: &recLog{}}
	n1, err := New(clusterOpts("n1", "n2"), env)
	if err != nil {
		t.Fatal(err)
	}
	var got []gotMsg
	mustSubscribe(t, n1, "$NRG.g.early", "", recorder(&got))
	if err := n1.Start(); err != nil {
		t.Fatal(err)
	}
	m.servers["n1"] = n1
	m.pump()
	m.servers["n2"].GlobalAccount().Publish("$NRG.g.early", "", nil, []byte("x"))
	m.pump()
	if len(got) != 1 {
		t.Fatalf("subscription made before Start not announced to the route: got %+v", got)
	}
}

func TestInternalQueueGroupOncePerGroup(t *testing.T) {
	m := newMesh(t)
	n1 := m.start("n1", clusterOpts("n1"))
	n2 := m.start("n2", clusterOpts("n2", "n1"))
	m.expectRoutes(1, "n1", "n2")
	var a, b []gotMsg
	mustSubscribe(t, n1, "kv.req", "kv", recorder(&a))
	mustSubscribe(t, n2, "kv.req", "kv", recorder(&b))
	m.pump()
	c := m.client("n1")
	const n = 40
	c.pub("kv.req", n)
	m.pump()
	if len(a)+len(b) != n || len(a) == 0 || len(b) == 0 {
		t.Fatalf("queue group got %d + %d of %d (each member should get some, once each)", len(a), len(b), n)
	}
}

func TestInternalHandlerMayPublishAndUnsubscribe(t *testing.T) {
	m := newMesh(t)
	n1 := m.start("n1", clusterOpts("n1"))
	var order []string
	var unsubB func()
	mustSubscribe(t, n1, "a", "", func(subject, reply string, msg []byte) {
		order = append(order, "a:"+string(msg))
		n1.GlobalAccount().Publish("b", "", nil, []byte("from-a"))
		order = append(order, "a-done")
		unsubB() // b's queued message must not run now
	})
	unsubB = mustSubscribe(t, n1, "b", "", func(subject, reply string, msg []byte) {
		order = append(order, "b:"+string(msg))
	})
	mustSubscribe(t, n1, "b", "", func(subject, reply string, msg []byte) {
		order = append(order, "b2:"+string(msg))
	})
	n1.GlobalAccount().Publish("a", "", nil, []byte("1"))
	want := "a:1 a-done b2:from-a"
	if got := strings.Join(order, " "); got != want {
		t.Fatalf("handler order %q, want %q", got, want)
	}
}

func TestInternalOnlySubjectsHiddenFromClients(t *testing.T) {
	m := newMesh(t)
	n1 := m.start("n1", clusterOpts("n1"))
	c := m.client("n1")
	c.send("SUB > 1\r\nPING\r\n")
	c.take()
	n1.GlobalAccount().Publish("$NRG.g.x", "", nil, []byte("secret"))
	n1.GlobalAccount().Publish("other", "", nil, []byte("public"))
	m.pump()
	out := c.take()
	if strings.Contains(out, "secret") || !strings.Contains(out, "public") {
		t.Fatalf("client with SUB > got %q", out)
	}
	c.send("PUB $NRG.g.x 1\r\nz\r\nPING\r\n")
	if out := c.take(); !strings.Contains(out, "Permissions Violation for Publish") {
		t.Fatalf("client publish to $NRG not refused: %q", out)
	}
}

func TestInternalBadInput(t *testing.T) {
	m := newMesh(t)
	n1 := m.start("n1", clusterOpts("n1"))
	h := func(string, string, []byte) {}
	for _, tc := range []struct{ subj, queue string }{{"", ""}, {"a..b", ""}, {"a b", ""}, {"a", "q q"}} {
		if _, err := n1.GlobalAccount().Subscribe(tc.subj, tc.queue, payloadOnly(h)); !errors.Is(err, ErrBadInternalSubscription) {
			t.Errorf("Subscribe(%q, %q) = %v, want ErrBadInternalSubscription", tc.subj, tc.queue, err)
		}
	}
	if _, err := n1.GlobalAccount().Subscribe("a", "", nil); !errors.Is(err, ErrBadInternalSubscription) {
		t.Errorf("nil handler accepted: %v", err)
	}
	n1.GlobalAccount().Publish("a.*", "", nil, nil)
	n1.GlobalAccount().Publish("a", "bad reply", nil, nil)
	if st := n1.InternalStats(); st.Dropped != 2 || st.Published != 0 {
		t.Fatalf("stats %+v, want 2 dropped", st)
	}
	m.stop("n1")
	if _, err := n1.GlobalAccount().Subscribe("a", "", payloadOnly(h)); !errors.Is(err, ErrServerStopped) {
		t.Fatalf("subscribe after shutdown: %v", err)
	}
	n1.GlobalAccount().Publish("a", "", nil, nil)
	if st := n1.InternalStats(); st.Dropped != 3 {
		t.Fatalf("publish after shutdown not dropped: %+v", st)
	}
}

func TestInternalQueueBound(t *testing.T) {
	m := newMesh(t)
	n1 := m.start("n1", clusterOpts("n1"))
	runs := 0
	mustSubscribe(t, n1, "loop", "", func(subject, reply string, msg []byte) {
		runs++
		for i := 0; i < 4; i++ {
			n1.GlobalAccount().Publish("loop", "", nil, nil) // fan-out without end
		}
	})
	n1.GlobalAccount().Publish("loop", "", nil, nil)
	st := n1.InternalStats()
	if st.Dropped == 0 || runs > 4*internalQueueMax {
		t.Fatalf("runaway handler not bounded: runs %d, stats %+v", runs, st)
	}
}
