package main

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"jsnode/node/server"
)

// Nats-TTL through nats.go: a message published with "never" outlives
// max_age, also after a restart, while the messages around it age out.
func TestJSMsgTTLNever(t *testing.T) {
	dir := t.TempDir()
	opts := &server.Options{}
	opts.JetStream.StoreDir = dir
	n := startJSNode(t, opts)
	nc := connect(t, n)
	js, ctx := jsContext(t, nc)
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "T", Subjects: []string{"t.>"},
		MaxAge: 2 * time.Second, AllowMsgTTL: true})
	if err != nil {
		t.Fatal(err)
	}
	pub := func(subj, ttl string) uint64 {
		msg := nats.NewMsg(subj)
		msg.Data = []byte(subj)
		if ttl != "" {
			msg.Header.Set("Nats-TTL", ttl)
		}
		ack, err := js.PublishMsg(ctx, msg)
		if err != nil {
			t.Fatalf("publish %s ttl %q: %v", subj, ttl, err)
		}
		return ack.Sequence
	}
	pub("t.old", "")
	keep := pub("t.keep", "never")
	pub("t.short", "1s")
	if _, err := js.PublishMsg(ctx, &nats.Msg{Subject: "t.bad", Header: nats.Header{"Nats-TTL": {"soon"}}}); apiErrCode(err) != 10165 {
		t.Fatalf("an invalid TTL: %v, want 10165", err)
	}
	waitFor(t, "max_age to remove all but the never message", func() bool {
		si, err := s.Info(ctx)
		return err == nil && si.State.Msgs == 1
	})
	if m, err := s.GetMsg(ctx, keep); err != nil || m.Subject != "t.keep" || m.Header.Get("Nats-TTL") != "never" {
		t.Fatalf("the never message: %+v %v", m, err)
	}
	nc.Close()
	n.Shutdown()

	opts2 := &server.Options{}
	opts2.JetStream.StoreDir = dir
	n2 := startJSNode(t, opts2)
	nc2 := connect(t, n2)
	js2, ctx2 := jsContext(t, nc2)
	s2, err := js2.Stream(ctx2, "T")
	if err != nil {
		t.Fatal(err)
	}
	msg := nats.NewMsg("t.new")
	if _, err := js2.PublishMsg(ctx2, msg); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "max_age after the restart", func() bool {
		si, err := s2.Info(ctx2)
		return err == nil && si.State.Msgs == 1 && si.State.LastSeq == 4
	})
	if m, err := s2.GetMsg(ctx2, keep); err != nil || m.Subject != "t.keep" {
		t.Fatalf("the never message after a restart: %+v %v", m, err)
	}
}
