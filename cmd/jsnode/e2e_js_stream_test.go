package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"jsnode/node/server"
)

// startJSNode runs a node with JetStream on, its store in a test
// directory.
func startJSNode(t *testing.T, opts *server.Options) *runningNode {
	t.Helper()
	if opts == nil {
		opts = &server.Options{}
	}
	opts.JetStream.Enabled = true
	if opts.JetStream.StoreDir == "" {
		opts.JetStream.StoreDir = t.TempDir()
	}
	n, _ := startTestNode(t, opts)
	return n
}

func jsContext(t *testing.T, nc *nats.Conn, opts ...jetstream.JetStreamOpt) (jetstream.JetStream, context.Context) {
	t.Helper()
	js, err := jetstream.New(nc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	t.Cleanup(cancel)
	return js, ctx
}

// apiErrCode is the JetStream error code of err (0 if none).
func apiErrCode(err error) jetstream.ErrorCode {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode
	}
	return 0
}

func TestJSMemoryStreamLifecycle(t *testing.T) {
	n := startJSNode(t, nil)
	nc := connect(t, n)
	js, ctx := jsContext(t, nc)

	info, err := js.AccountInfo(ctx)
	if err != nil {
		t.Fatalf("AccountInfo: %v", err)
	}
	if info.Streams != 0 || info.API.Level == 0 {
		t.Fatalf("account info before any stream: %+v", info)
	}
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"},
		Storage: jetstream.MemoryStorage, MaxMsgsPerSubject: 2, AllowDirect: true})
	if err != nil {
		t.Fatalf("CreateStream: %v", err)
	}
	cfg := s.CachedInfo().Config
	if cfg.Retention != jetstream.LimitsPolicy || cfg.MaxMsgs != -1 || cfg.Duplicates != 2*time.Minute ||
		cfg.Replicas != 1 || cfg.Discard != jetstream.DiscardOld {
		t.Fatalf("defaults not applied: %+v", cfg)
	}
	for i := 1; i <= 5; i++ {
		ack, err := js.Publish(ctx, fmt.Sprintf("orders.%d", i%2), []byte(fmt.Sprintf("m%d", i)))
		if err != nil {
			t.Fatalf("Publish %d: %v", i, err)
		}
		if ack.Stream != "ORDERS" || ack.Sequence != uint64(i) {
			t.Fatalf("ack %d: %+v", i, ack)
		}
	}
	si, err := s.Info(ctx, jetstream.WithSubjectFilter(">"))
	if err != nil {
		t.Fatal(err)
	}
	// max_msgs_per_subject 2: orders.1 keeps 3 and 5, orders.0 keeps 2 and 4.
	st := si.State
	if st.Msgs != 4 || st.FirstSeq != 2 || st.LastSeq != 5 || st.NumSubjects != 2 ||
		st.Subjects["orders.1"] != 2 || st.Subjects["orders.0"] != 2 {
		t.Fatalf("state after 5 publishes: %+v", st)
	}
	m, err := s.GetMsg(ctx, 3)
	if err != nil || string(m.Data) != "m3" || m.Subject != "orders.1" {
		t.Fatalf("GetMsg 3: %+v %v", m, err)
	}
	m, err = s.GetLastMsgForSubject(ctx, "orders.0")
	if err != nil || m.Sequence != 4 {
		t.Fatalf("last for orders.0: %+v %v", m, err)
	}
	if _, err := s.GetMsg(ctx, 1); !errors.Is(err, jetstream.ErrMsgNotFound) {
		t.Fatalf("GetMsg of a removed message: %v", err)
	}
	if err := s.DeleteMsg(ctx, 3); err != nil {
		t.Fatalf("DeleteMsg: %v", err)
	}
	if err := s.DeleteMsg(ctx, 3); err == nil || !strings.Contains(err.Error(), "err_code=10043") {
		t.Fatalf("second DeleteMsg: %v, want sequence not found (10043)", err)
	}
	if err := s.Purge(ctx, jetstream.WithPurgeSubject("orders.0")); err != nil {
		t.Fatal(err)
	}
	si, _ = s.Info(ctx)
	if si.State.Msgs != 1 || si.State.FirstSeq != 5 || si.State.LastSeq != 5 {
		t.Fatalf("after delete 3 and purge of orders.0: %+v", si.State)
	}
	names := js.StreamNames(ctx)
	var got []string
	for name := range names.Name() {
		got = append(got, name)
	}
	if len(got) != 1 || got[0] != "ORDERS" {
		t.Fatalf("stream names %v", got)
	}
	if err := js.DeleteStream(ctx, "ORDERS"); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Stream(ctx, "ORDERS"); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Fatalf("stream after delete: %v", err)
	}
}

func TestJSPublishRules(t *testing.T) {
	n := startJSNode(t, nil)
	nc := connect(t, n)
	js, ctx := jsContext(t, nc)
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "K", Subjects: []string{"k.>"},
		Storage: jetstream.MemoryStorage, AllowRollup: true})
	if err != nil {
		t.Fatal(err)
	}
	a1, err := js.Publish(ctx, "k.a", []byte("1"), jetstream.WithMsgID("id-1"))
	if err != nil {
		t.Fatal(err)
	}
	a2, err := js.Publish(ctx, "k.a", []byte("1 again"), jetstream.WithMsgID("id-1"))
	if err != nil || !a2.Duplicate || a2.Sequence != a1.Sequence {
		t.Fatalf("duplicate publish: %+v %v (first %+v)", a2, err, a1)
	}
	if _, err := js.Publish(ctx, "k.a", []byte("x"), jetstream.WithExpectStream("OTHER")); apiErrCode(err) != 10060 {
		t.Fatalf("expected stream mismatch: %v", err)
	}
	if _, err := js.Publish(ctx, "k.a", []byte("x"), jetstream.WithExpectLastSequence(7)); apiErrCode(err) != 10071 {
		t.Fatalf("expected last sequence mismatch: %v", err)
	}
	if _, err := js.Publish(ctx, "k.b", []byte("x"), jetstream.WithExpectLastSequencePerSubject(0)); err != nil {
		t.Fatalf("create-if-absent on k.b: %v", err)
	}
	if _, err := js.Publish(ctx, "k.b", []byte("y"), jetstream.WithExpectLastSequencePerSubject(0)); apiErrCode(err) != 10071 {
		t.Fatalf("second create on k.b: %v", err)
	}
	if _, err := js.Publish(ctx, "k.a", []byte("x"), jetstream.WithExpectLastMsgID("nope")); apiErrCode(err) != 10070 {
		t.Fatalf("expected last msg id mismatch: %v", err)
	}
	msg := nats.NewMsg("k.a")
	msg.Data = []byte("rolled")
	msg.Header.Set("Nats-Rollup", "sub")
	if _, err := js.PublishMsg(ctx, msg); err != nil {
		t.Fatalf("rollup: %v", err)
	}
	si, _ := s.Info(ctx, jetstream.WithSubjectFilter("k.a"))
	if si.State.Subjects["k.a"] != 1 || si.State.Msgs != 2 {
		t.Fatalf("after rollup of k.a: %+v", si.State)
	}
	msg = nats.NewMsg("k.a")
	msg.Header.Set("Nats-TTL", "5s")
	if _, err := js.PublishMsg(ctx, msg); apiErrCode(err) != 10166 {
		t.Fatalf("TTL on a stream without allow_msg_ttl: %v", err)
	}
}

func TestJSStreamConfigErrors(t *testing.T) {
	n := startJSNode(t, nil)
	nc := connect(t, n)
	js, ctx := jsContext(t, nc)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "A", Subjects: []string{"a.>"},
		Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cfg  jetstream.StreamConfig
		code jetstream.ErrorCode
	}{
		{jetstream.StreamConfig{Name: "B", Subjects: []string{"a.b"}, Storage: jetstream.MemoryStorage}, 10065},
		{jetstream.StreamConfig{Name: "A", Subjects: []string{"a.>"}, Storage: jetstream.MemoryStorage, MaxMsgs: 5}, 10058},
		{jetstream.StreamConfig{Name: "C", Subjects: []string{"c"}, Replicas: 3, Storage: jetstream.MemoryStorage}, 10074},
		{jetstream.StreamConfig{Name: "D", Subjects: []string{"d"}, MaxAge: time.Millisecond, Storage: jetstream.MemoryStorage}, 10052},
	} {
		_, err := js.CreateStream(ctx, c.cfg)
		if apiErrCode(err) != c.code {
			t.Errorf("create %+v: %v, want error code %d", c.cfg, err, c.code)
		}
	}
	// An identical create is idempotent.
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "A", Subjects: []string{"a.>"},
		Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatalf("identical create: %v", err)
	}
	// Update: subjects may change, storage may not.
	if _, err := js.UpdateStream(ctx, jetstream.StreamConfig{Name: "A", Subjects: []string{"a.>", "aa"},
		Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatalf("update subjects: %v", err)
	}
	if _, err := js.UpdateStream(ctx, jetstream.StreamConfig{Name: "A", Subjects: []string{"a.>"},
		Storage: jetstream.FileStorage}); apiErrCode(err) != 10052 {
		t.Fatalf("update storage: %v", err)
	}
}

func TestJSNotEnabled(t *testing.T) {
	n, _ := startTestNode(t, nil)
	nc := connect(t, n)
	js, ctx := jsContext(t, nc)
	if _, err := js.AccountInfo(ctx); !errors.Is(err, jetstream.ErrJetStreamNotEnabled) {
		t.Fatalf("AccountInfo with JetStream off: %v", err)
	}
}

func TestJSFileStreamSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	opts := &server.Options{}
	opts.JetStream.StoreDir = dir
	n := startJSNode(t, opts)
	nc := connect(t, n)
	js, ctx := jsContext(t, nc)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "F", Subjects: []string{"f.>"},
		MaxMsgsPerSubject: 3}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 10; i++ {
		if _, err := js.Publish(ctx, fmt.Sprintf("f.%d", i%2), []byte(fmt.Sprint(i)), jetstream.WithMsgID(fmt.Sprint("id", i))); err != nil {
			t.Fatal(err)
		}
	}
	nc.Close()
	n.Shutdown()

	opts2 := &server.Options{}
	opts2.JetStream.StoreDir = dir
	n2 := startJSNode(t, opts2)
	nc2 := connect(t, n2)
	js2, ctx := jsContext(t, nc2)
	s, err := js2.Stream(ctx, "F")
	if err != nil {
		t.Fatalf("stream after restart: %v", err)
	}
	st := s.CachedInfo().State
	if st.Msgs != 6 || st.LastSeq != 10 || st.FirstSeq != 5 {
		t.Fatalf("state after restart: %+v", st)
	}
	// The dedupe window survives the restart.
	ack, err := js2.Publish(ctx, "f.0", []byte("10 again"), jetstream.WithMsgID("id10"))
	if err != nil || !ack.Duplicate || ack.Sequence != 10 {
		t.Fatalf("retry after restart: %+v %v", ack, err)
	}
	ack, err = js2.Publish(ctx, "f.0", []byte("11"))
	if err != nil || ack.Sequence != 11 {
		t.Fatalf("publish after restart: %+v %v", ack, err)
	}
	m, err := s.GetMsg(ctx, 7)
	if err != nil || string(m.Data) != "7" {
		t.Fatalf("message 7 after restart: %+v %v", m, err)
	}
}

func TestJSInAClusterIsRefused(t *testing.T) {
	opts := &server.Options{Host: "127.0.0.1", Port: -1}
	opts.Cluster.Host, opts.Cluster.Port, opts.Cluster.Name = "127.0.0.1", -1, "c"
	opts.JetStream.Enabled, opts.JetStream.StoreDir = true, t.TempDir()
	n, err := startNode(opts, &memLog{})
	if err == nil {
		n.Shutdown()
		t.Fatal("JetStream with cluster {} started")
	}
	if !strings.Contains(err.Error(), "JetStream in a cluster") {
		t.Fatalf("error %q does not say why", err)
	}
}

func TestJSStoreDirProblems(t *testing.T) {
	// A store directory that cannot be created is a clear start-up error.
	file := filepath.Join(t.TempDir(), "plain-file")
	os.WriteFile(file, []byte("x"), 0o644)
	opts := &server.Options{Host: "127.0.0.1", Port: -1}
	opts.JetStream.Enabled, opts.JetStream.StoreDir = true, filepath.Join(file, "store")
	if n, err := startNode(opts, &memLog{}); err == nil {
		n.Shutdown()
		t.Fatal("started on a store directory under a file")
	} else if !strings.Contains(err.Error(), "jetstream store directory") {
		t.Fatalf("error %q does not name the store directory", err)
	}

	// A stream directory left without meta.inf (a crash during create)
	// and one whose meta.inf is damaged are skipped, their files kept;
	// the good stream opens.
	dir := t.TempDir()
	o := &server.Options{}
	o.JetStream.StoreDir = dir
	n := startJSNode(t, o)
	nc := connect(t, n)
	js, ctx := jsContext(t, nc)
	for _, name := range []string{"GOOD", "DAMAGED"} {
		if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{name}}); err != nil {
			t.Fatal(err)
		}
		js.Publish(ctx, name, []byte("m"))
	}
	nc.Close()
	n.Shutdown()
	streams := filepath.Join(dir, "jetstream", "$G", "streams")
	os.MkdirAll(filepath.Join(streams, "HALF"), 0o755)
	meta := filepath.Join(streams, "DAMAGED", "meta.inf")
	b, _ := os.ReadFile(meta)
	os.WriteFile(meta, []byte(strings.Replace(string(b), `"max_msgs":-1`, `"max_msgs":1`, 1)), 0o644)

	o2 := &server.Options{}
	o2.JetStream.StoreDir = dir
	n2 := startJSNode(t, o2)
	js2, ctx := jsContext(t, connect(t, n2))
	var names []string
	for name := range js2.StreamNames(ctx).Name() {
		names = append(names, name)
	}
	if len(names) != 1 || names[0] != "GOOD" {
		t.Fatalf("streams after restart: %v, want only GOOD", names)
	}
	if _, err := os.Stat(filepath.Join(streams, "DAMAGED", "msgs")); err != nil {
		t.Fatalf("the damaged stream's messages were not kept: %v", err)
	}
}

func TestJSEncryptedCompressedStream(t *testing.T) {
	dir := t.TempDir()
	newOpts := func(key string) *server.Options {
		o := &server.Options{}
		o.JetStream.StoreDir, o.JetStream.Cipher, o.JetStream.Key = dir, "chachapoly", key
		return o
	}
	n := startJSNode(t, newOpts("s3cr3t"))
	nc := connect(t, n)
	js, ctx := jsContext(t, nc)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "E", Subjects: []string{"e"},
		Compression: jetstream.S2Compression}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		if _, err := js.Publish(ctx, "e", []byte(fmt.Sprintf("secret-payload-%03d", i))); err != nil {
			t.Fatal(err)
		}
	}
	nc.Close()
	n.Shutdown()
	filepath.Walk(filepath.Join(dir, "jetstream"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			if b, _ := os.ReadFile(p); strings.Contains(string(b), "secret-payload") {
				t.Errorf("%s holds a payload in the clear", p)
			}
		}
		return nil
	})
	// The right key reads everything back; the stream keeps s2.
	n2 := startJSNode(t, newOpts("s3cr3t"))
	js2, ctx := jsContext(t, connect(t, n2))
	s, err := js2.Stream(ctx, "E")
	if err != nil || s.CachedInfo().State.Msgs != 50 || s.CachedInfo().Config.Compression != jetstream.S2Compression {
		t.Fatalf("after restart: %+v %v", s, err)
	}
	m, err := s.GetMsg(ctx, 42)
	if err != nil || string(m.Data) != "secret-payload-041" {
		t.Fatalf("message 42: %+v %v", m, err)
	}
	n2.Shutdown()
	// Another key opens nothing it cannot decrypt: the stream is not served.
	n3 := startJSNode(t, newOpts("wrong"))
	js3, ctx := jsContext(t, connect(t, n3))
	if _, err := js3.Stream(ctx, "E"); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Fatalf("stream opened with the wrong key: %v", err)
	}
}
