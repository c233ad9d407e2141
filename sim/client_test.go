package sim

import (
	"fmt"
	"testing"
	"time"

	"jsnode/node/server"
)

func startNode(t *testing.T, w *World, name string) *NodeHandle {
	t.Helper()
	n, err := w.StartNode(name, &server.Options{Port: 4222})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestClientPubSubAndRequest(t *testing.T) {
	w := NewWorld(1, DefaultOptions())
	n := startNode(t, w, "n1")
	sub := w.NewClient("c1", []string{n.Addr()}, ClientOptions{Name: "sub", Headers: true, NoResponders: true})
	pub := w.NewClient("c2", []string{"nats://" + n.Addr()}, ClientOptions{Name: "pub", Headers: true, NoResponders: true})
	if !w.RunUntil(func() bool { return sub.Connected() && pub.Connected() }, 5*time.Second) {
		t.Fatal("clients did not connect")
	}
	var got []string
	s := sub.Subscribe("foo.>", "", func(m Msg) { got = append(got, m.Subject+"="+string(m.Data)) })
	sub.Subscribe("svc", "q", func(m Msg) { _ = sub.Publish(m.Reply, "", append([]byte("re:"), m.Data...)) })
	if !w.RunUntil(s.Confirmed, 5*time.Second) {
		t.Fatal("subscription not confirmed")
	}
	for i := 0; i < 3; i++ {
		if err := pub.Publish(fmt.Sprintf("foo.%d", i), "", []byte{byte('a' + i)}); err != nil {
			t.Fatal(err)
		}
	}
	var reply string
	var replyErr error
	if err := pub.Request("svc", []byte("x"), time.Second, func(m Msg, err error) { reply, replyErr = string(m.Data), err }); err != nil {
		t.Fatal(err)
	}
	var noResp error
	_ = pub.Request("nobody", nil, time.Second, func(_ Msg, err error) { noResp = err })
	w.RunFor(2 * time.Second)
	if fmt.Sprint(got) != "[foo.0=a foo.1=b foo.2=c]" {
		t.Fatalf("subscriber got %v", got)
	}
	if reply != "re:x" || replyErr != nil {
		t.Fatalf("reply %q err %v", reply, replyErr)
	}
	if noResp != ErrNoResponders {
		t.Fatalf("request without responders: %v", noResp)
	}
	if n.Server().NumClients() != 2 {
		t.Fatalf("server sees %d clients", n.Server().NumClients())
	}
}

func TestClientReconnectsAfterNodeRestart(t *testing.T) {
	w := NewWorld(2, DefaultOptions())
	n := startNode(t, w, "n1")
	c := w.NewClient("c1", []string{n.Addr()}, ClientOptions{ReconnectWait: 500 * time.Millisecond, MaxReconnects: -1})
	got := 0
	s := c.Subscribe("a", "", func(Msg) { got++ })
	if !w.RunUntil(s.Confirmed, 5*time.Second) {
		t.Fatal("not subscribed")
	}
	n.Crash()
	w.RunFor(3 * time.Second)
	if c.Connected() || c.Stats().Disconnects != 1 {
		t.Fatalf("connected=%v stats=%+v", c.Connected(), c.Stats())
	}
	if err := n.Restart(); err != nil {
		t.Fatal(err)
	}
	if !w.RunUntil(s.Confirmed, 10*time.Second) {
		t.Fatal("not re-subscribed after restart")
	}
	_ = c.Publish("a", "", nil)
	w.RunFor(time.Second)
	if got != 1 || c.Stats().Reconnects != 1 {
		t.Fatalf("got %d stats %+v", got, c.Stats())
	}
}

func TestClientAutoUnsubscribeAndHeaders(t *testing.T) {
	w := NewWorld(3, DefaultOptions())
	n := startNode(t, w, "n1")
	c := w.NewClient("c1", []string{n.Addr()}, ClientOptions{Headers: true})
	var hdrs []string
	s := c.Subscribe("h", "", func(m Msg) { hdrs = append(hdrs, string(m.Header)+"|"+string(m.Data)) })
	if !w.RunUntil(s.Confirmed, 5*time.Second) {
		t.Fatal("not subscribed")
	}
	c.Unsubscribe(s, 2)
	hdr := []byte("NATS/1.0\r\nK: v\r\n\r\n")
	for i := 0; i < 4; i++ {
		if err := c.HPublish("h", "", hdr, []byte{byte('0' + i)}); err != nil {
			t.Fatal(err)
		}
	}
	w.RunFor(time.Second)
	want := "[NATS/1.0\r\nK: v\r\n\r\n|0 NATS/1.0\r\nK: v\r\n\r\n|1]"
	if fmt.Sprint(hdrs) != want || s.Delivered() != 2 || s.Confirmed() {
		t.Fatalf("got %q delivered %d confirmed %v", hdrs, s.Delivered(), s.Confirmed())
	}
	if st := c.Stats(); st.MsgsUnmatched != 0 || st.MsgsIn != 2 {
		t.Fatalf("stats %+v: the node sent past the auto-unsubscribe max", st)
	}
}

func TestClientAuth(t *testing.T) {
	w := NewWorld(4, DefaultOptions())
	opts := &server.Options{Port: 4222}
	opts.Auth.Token = "s3cret"
	n, err := w.StartNode("n1", opts)
	if err != nil {
		t.Fatal(err)
	}
	good := w.NewClient("c1", []string{n.Addr()}, ClientOptions{Token: "s3cret"})
	bad := w.NewClient("c2", []string{n.Addr()}, ClientOptions{Token: "wrong", MaxReconnects: 1, ReconnectWait: time.Second})
	w.RunFor(10 * time.Second)
	if !good.Connected() {
		t.Fatal("client with the right token did not connect")
	}
	st := bad.Stats()
	if bad.Connected() || st.Connects != 0 || len(st.Errors) != 2 || st.Errors[0] != "Authorization Violation" {
		t.Fatalf("bad client: connected=%v stats %+v", bad.Connected(), st)
	}
	if err := bad.Publish("x", "", nil); err != ErrNotConnected {
		t.Fatalf("publish on a refused client: %v", err)
	}
}

func TestClientDetectsPartitionAndRecovers(t *testing.T) {
	w := NewWorld(5, DefaultOptions())
	n := startNode(t, w, "n1")
	c := w.NewClient("c1", []string{n.Addr()}, ClientOptions{
		PingInterval: time.Second, MaxPingsOut: 2, ReconnectWait: 500 * time.Millisecond, MaxReconnects: -1,
	})
	if !w.RunUntil(c.Connected, 5*time.Second) {
		t.Fatal("not connected")
	}
	var lostErr error
	c.OnDisconnect = func(err error) { lostErr = err }
	reconnected := 0
	c.OnReconnect = func() { reconnected++ }
	w.Partition([]string{"c1"}, []string{"n1"})
	if !w.RunUntil(func() bool { return !c.Connected() }, 10*time.Second) {
		t.Fatal("client did not notice the partition")
	}
	if lostErr != errStaleConn {
		t.Fatalf("disconnect reason %v, want stale connection", lostErr)
	}
	w.RunFor(10 * time.Second)
	if c.Connected() {
		t.Fatal("client reconnected across a partition")
	}
	w.Heal()
	if !w.RunUntil(c.Connected, 10*time.Second) || reconnected != 1 {
		t.Fatalf("after heal: connected=%v reconnected=%d", c.Connected(), reconnected)
	}
}
