package main

import (
	"fmt"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"jsnode/node/server"
)

// Interest and work-queue streams through nats.go, before consumers: an
// interest stream acks and sequences what nobody is interested in without
// keeping it, across a restart; a work queue keeps its work; retention
// changes follow nats-server's rules.
func TestJSRetentionPolicies(t *testing.T) {
	dir := t.TempDir()
	opts := &server.Options{}
	opts.JetStream.StoreDir = dir
	n := startJSNode(t, opts)
	nc := connect(t, n)
	js, ctx := jsContext(t, nc)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "EVENTS", Subjects: []string{"ev.>"},
		Retention: jetstream.InterestPolicy}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "JOBS", Subjects: []string{"job.>"},
		Retention: jetstream.WorkQueuePolicy}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		ack, err := js.Publish(ctx, "ev.x", []byte(fmt.Sprint(i)), jetstream.WithMsgID(fmt.Sprint("e", i)))
		if err != nil || ack.Sequence != uint64(i) || ack.Stream != "EVENTS" {
			t.Fatalf("interest publish %d: %+v %v", i, ack, err)
		}
		if ack, err = js.Publish(ctx, "ev.x", nil, jetstream.WithMsgID(fmt.Sprint("e", i))); err != nil ||
			!ack.Duplicate || ack.Sequence != uint64(i) {
			t.Fatalf("retry of interest publish %d: %+v %v", i, ack, err)
		}
		if ack, err = js.Publish(ctx, "job.x", []byte(fmt.Sprint(i))); err != nil || ack.Sequence != uint64(i) {
			t.Fatalf("work-queue publish %d: %+v %v", i, ack, err)
		}
	}
	// retention may change between limits and interest only
	wq, err := js.Stream(ctx, "JOBS")
	if err != nil {
		t.Fatal(err)
	}
	cfg := wq.CachedInfo().Config
	cfg.Retention = jetstream.LimitsPolicy
	if _, err := js.UpdateStream(ctx, cfg); apiErrCode(err) != 10052 {
		t.Fatalf("work queue to limits: %v, want invalid config", err)
	}
	nc.Close()
	n.Shutdown()

	opts2 := &server.Options{}
	opts2.JetStream.StoreDir = dir
	n2 := startJSNode(t, opts2)
	nc2 := connect(t, n2)
	js2, ctx := jsContext(t, nc2)
	ev, err := js2.Stream(ctx, "EVENTS")
	if err != nil {
		t.Fatal(err)
	}
	if st := ev.CachedInfo().State; st.Msgs != 0 || st.LastSeq != 5 || st.FirstSeq != 6 {
		t.Fatalf("interest stream after restart: %+v", st)
	}
	// (a skipped message leaves no record: its id is not in the dedupe
	// window after a restart, as with nats-server)
	ack, err := js2.Publish(ctx, "ev.x", []byte("6"))
	if err != nil || ack.Sequence != 6 {
		t.Fatalf("interest publish after restart: %+v %v", ack, err)
	}
	wq, err = js2.Stream(ctx, "JOBS")
	if err != nil {
		t.Fatal(err)
	}
	if st := wq.CachedInfo().State; st.Msgs != 5 || st.FirstSeq != 1 || st.LastSeq != 5 {
		t.Fatalf("work queue after restart: %+v", st)
	}
	if m, err := wq.GetMsg(ctx, 3); err != nil || string(m.Data) != "3" {
		t.Fatalf("work item 3: %+v %v", m, err)
	}
	// a limits stream switched to interest drops what nobody wants
	lim, err := js2.CreateStream(ctx, jetstream.StreamConfig{Name: "LIM", Subjects: []string{"lim"}})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := js2.Publish(ctx, "lim", nil); err != nil {
			t.Fatal(err)
		}
	}
	cfg = lim.CachedInfo().Config
	cfg.Retention = jetstream.InterestPolicy
	if _, err := js2.UpdateStream(ctx, cfg); err != nil {
		t.Fatalf("limits to interest: %v", err)
	}
	info, err := lim.Info(ctx)
	if err != nil || info.State.Msgs != 0 || info.State.LastSeq != 3 || info.Config.Retention != jetstream.InterestPolicy {
		t.Fatalf("after the switch: %+v %v", info, err)
	}
}

// A stream's compression may change on update: blocks sealed afterwards
// follow it, and everything stays readable across a restart.
func TestJSCompressionUpdate(t *testing.T) {
	dir := t.TempDir()
	opts := &server.Options{}
	opts.JetStream.StoreDir = dir
	n := startJSNode(t, opts)
	nc := connect(t, n)
	js, ctx := jsContext(t, nc)
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "C", Subjects: []string{"c"}})
	if err != nil {
		t.Fatal(err)
	}
	publish := func(js jetstream.JetStream, from, to int) {
		for i := from; i <= to; i++ {
			if _, err := js.Publish(ctx, "c", []byte(fmt.Sprintf("payload-%04d", i))); err != nil {
				t.Fatal(err)
			}
		}
	}
	publish(js, 1, 100)
	cfg := s.CachedInfo().Config
	cfg.Compression = jetstream.S2Compression
	up, err := js.UpdateStream(ctx, cfg)
	if err != nil || up.CachedInfo().Config.Compression != jetstream.S2Compression {
		t.Fatalf("update to s2: %v", err)
	}
	publish(js, 101, 200)
	nc.Close()
	n.Shutdown()

	opts2 := &server.Options{}
	opts2.JetStream.StoreDir = dir
	n2 := startJSNode(t, opts2)
	js2, ctx := jsContext(t, connect(t, n2))
	s, err = js2.Stream(ctx, "C")
	if err != nil || s.CachedInfo().Config.Compression != jetstream.S2Compression || s.CachedInfo().State.Msgs != 200 {
		t.Fatalf("after restart: %+v %v", s.CachedInfo(), err)
	}
	cfg = s.CachedInfo().Config
	cfg.Compression = jetstream.NoCompression
	if _, err := js2.UpdateStream(ctx, cfg); err != nil {
		t.Fatalf("update back to none: %v", err)
	}
	for _, seq := range []uint64{1, 100, 150, 200} {
		m, err := s.GetMsg(ctx, seq)
		if err != nil || string(m.Data) != fmt.Sprintf("payload-%04d", seq) {
			t.Fatalf("message %d: %+v %v", seq, m, err)
		}
	}
}
