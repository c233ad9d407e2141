package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"jsnode/node/auth"
	"jsnode/node/server"
)

// jsRequest sends a raw API request and decodes the JSON answer.
func jsRequest(t *testing.T, nc *nats.Conn, subj, body string) map[string]any {
	t.Helper()
	m, err := nc.Request(subj, []byte(body), waitLimit)
	if err != nil {
		t.Fatalf("request %s: %v", subj, err)
	}
	var out map[string]any
	if err := json.Unmarshal(m.Data, &out); err != nil {
		t.Fatalf("%s answered %q: %v", subj, m.Data, err)
	}
	return out
}

// errCode is the err_code of an API answer (0 if it has no error).
func errCode(resp map[string]any) int {
	e, _ := resp["error"].(map[string]any)
	if e == nil {
		return 0
	}
	c, _ := e["err_code"].(float64)
	return int(c)
}

func TestJSDirectGet(t *testing.T) {
	n := startJSNode(t, nil)
	nc := connect(t, n)
	js, ctx := jsContext(t, nc)
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "D", Subjects: []string{"d.>"},
		Storage: jetstream.MemoryStorage, AllowDirect: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, subj := range []string{"d.a", "d.b", "d.a", "d.c"} {
		if _, err := js.Publish(ctx, subj, []byte(fmt.Sprint(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	// The client uses DIRECT.GET for a stream with allow_direct.
	m, err := s.GetLastMsgForSubject(ctx, "d.a")
	if err != nil || m.Sequence != 3 || string(m.Data) != "3" {
		t.Fatalf("direct last for d.a: %+v %v", m, err)
	}
	// The last-by-subject form: the subject after the stream name.
	r, err := nc.Request("$JS.API.DIRECT.GET.D.d.b", nil, waitLimit)
	if err != nil || r.Header.Get("Nats-Sequence") != "2" || r.Header.Get("Nats-Stream") != "D" ||
		r.Header.Get("Nats-Subject") != "d.b" || string(r.Data) != "2" {
		t.Fatalf("DIRECT.GET.D.d.b: %+v %v", r, err)
	}
	r, _ = nc.Request("$JS.API.DIRECT.GET.D.d.zz", nil, waitLimit)
	if r == nil || r.Header.Get("Status") != "404" {
		t.Fatalf("missing subject: %+v", r)
	}
	r, _ = nc.Request("$JS.API.DIRECT.GET.D", []byte("{bad"), waitLimit)
	if r == nil || r.Header.Get("Status") != "408" {
		t.Fatalf("malformed request: %+v", r)
	}
	// A batch: each message with its pending count, then 204 EOB.
	sub, _ := nc.SubscribeSync(nats.NewInbox())
	defer sub.Unsubscribe()
	nc.PublishRequest("$JS.API.DIRECT.GET.D", sub.Subject, []byte(`{"seq":2,"batch":2}`))
	var seqs []string
	for {
		m, err := sub.NextMsg(waitLimit)
		if err != nil {
			t.Fatalf("batch: %v after %v", err, seqs)
		}
		if m.Header.Get("Status") == "204" {
			if m.Header.Get("Nats-Num-Pending") != "1" || m.Header.Get("Nats-Last-Sequence") != "3" {
				t.Fatalf("EOB headers: %v", m.Header)
			}
			break
		}
		seqs = append(seqs, m.Header.Get("Nats-Sequence"))
	}
	if strings.Join(seqs, ",") != "2,3" {
		t.Fatalf("batch from 2: %v", seqs)
	}
	// multi_last: the last of every subject, in sequence order.
	nc.PublishRequest("$JS.API.DIRECT.GET.D", sub.Subject, []byte(`{"multi_last":["d.>"]}`))
	seqs = nil
	for {
		m, err := sub.NextMsg(waitLimit)
		if err != nil {
			t.Fatalf("multi_last: %v after %v", err, seqs)
		}
		if m.Header.Get("Status") == "204" {
			break
		}
		seqs = append(seqs, m.Header.Get("Nats-Subject")+"@"+m.Header.Get("Nats-Sequence"))
	}
	if strings.Join(seqs, ",") != "d.b@2,d.a@3,d.c@4" {
		t.Fatalf("multi_last: %v", seqs)
	}
	// A stream without allow_direct has no DIRECT.GET responder.
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "N", Subjects: []string{"n"},
		Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Request("$JS.API.DIRECT.GET.N.n", nil, time.Second); err != nats.ErrNoResponders {
		t.Fatalf("direct get without allow_direct: %v, want no responders", err)
	}
}

func TestJSAPIRequests(t *testing.T) {
	n := startJSNode(t, nil)
	nc := connect(t, n)
	js, ctx := jsContext(t, nc)
	for i := 0; i < 3; i++ {
		if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: fmt.Sprintf("S%d", i),
			Subjects: []string{fmt.Sprintf("s%d.*", i)}, Storage: jetstream.MemoryStorage}); err != nil {
			t.Fatal(err)
		}
	}
	resp := jsRequest(t, nc, "$JS.API.STREAM.NAMES", `{"subject":"s1.x"}`)
	if names, _ := resp["streams"].([]any); len(names) != 1 || names[0] != "S1" || resp["total"] != 1.0 {
		t.Fatalf("names by subject: %v", resp)
	}
	resp = jsRequest(t, nc, "$JS.API.STREAM.LIST", `{"offset":1}`)
	if list, _ := resp["streams"].([]any); len(list) != 2 || resp["total"] != 3.0 || resp["offset"] != 1.0 {
		t.Fatalf("list from offset 1: %v", resp)
	}
	for i := 0; i < 6; i++ {
		js.Publish(ctx, fmt.Sprintf("s0.%d", i%2), nil)
	}
	resp = jsRequest(t, nc, "$JS.API.STREAM.PURGE.S0", `{"keep":2}`)
	if resp["purged"] != 4.0 || resp["success"] != true {
		t.Fatalf("purge keep 2: %v", resp)
	}
	resp = jsRequest(t, nc, "$JS.API.STREAM.PURGE.S0", `{"seq":6}`)
	if resp["purged"] != 1.0 {
		t.Fatalf("purge to seq 6: %v", resp)
	}
	resp = jsRequest(t, nc, "$JS.API.STREAM.PURGE.S0", `{"seq":6,"keep":1}`)
	if errCode(resp) != 10003 {
		t.Fatalf("purge with seq and keep: %v", resp)
	}
	js.Publish(ctx, "s1.a", nil)
	js.Publish(ctx, "s1.a", nil)
	js.Publish(ctx, "s1.a", nil)
	jsRequest(t, nc, "$JS.API.STREAM.MSG.DELETE.S1", `{"seq":2,"no_erase":true}`)
	resp = jsRequest(t, nc, "$JS.API.STREAM.INFO.S1", `{"deleted_details":true}`)
	state := resp["state"].(map[string]any)
	if d, _ := state["deleted"].([]any); len(d) != 1 || d[0] != 2.0 || state["num_deleted"] != 1.0 {
		t.Fatalf("deleted details: %v", state)
	}
	for _, c := range []struct {
		subj, body string
		code       int
	}{
		{"$JS.API.STREAM.CREATE.X", `{"name":"X","subjects":["x"],"storage":"memory","bogus":1,"pedantic":true}`, 10157},
		{"$JS.API.STREAM.CREATE.X", `{"name":"Y","subjects":["x"]}`, 10056},
		{"$JS.API.STREAM.CREATE.X", `{"name":"X","subjects":["x"],"retention":"sometimes"}`, 10025},
		{"$JS.API.STREAM.CREATE.X", `{not json`, 10025},
		{"$JS.API.STREAM.CREATE.X", `{"name":"X","subjects":["x"],"storage":"memory","max_msgs":-5,"pedantic":true}`, 10157},
		{"$JS.API.STREAM.CREATE.bad", `{"name":"a b"}`, 10056},
		{"$JS.API.STREAM.INFO.NOPE", ``, 10059},
		{"$JS.API.STREAM.MSG.GET.S1", `{"seq":99}`, 10037},
		{"$JS.API.STREAM.MSG.GET.S1", `{"seq":1,"last_by_subj":"s1.a"}`, 10003},
		{"$JS.API.STREAM.BOGUS", ``, 10003},
	} {
		if resp := jsRequest(t, nc, c.subj, c.body); errCode(resp) != c.code {
			t.Errorf("%s %s: %v, want err_code %d", c.subj, c.body, resp, c.code)
		}
	}
	if resp := jsRequest(t, nc, "$JS.API.STREAM.CREATE.X", `{"name":"X","subjects":["x"],"storage":"memory","max_msgs":-5}`); errCode(resp) != 0 {
		t.Fatalf("max_msgs -5 without pedantic is turned into -1: %v", resp)
	}
	info := jsRequest(t, nc, "$JS.API.INFO", "")
	if info["streams"] != 4.0 || info["type"] != "io.nats.jetstream.api.v1.account_info_response" {
		t.Fatalf("account info: %v", info)
	}
}

func TestJSDiscardAndLimits(t *testing.T) {
	n := startJSNode(t, nil)
	nc := connect(t, n)
	js, ctx := jsContext(t, nc)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "NEW", Subjects: []string{"new"},
		Storage: jetstream.MemoryStorage, MaxMsgs: 2, Discard: jetstream.DiscardNew, MaxMsgSize: 8}); err != nil {
		t.Fatal(err)
	}
	js.Publish(ctx, "new", []byte("1"))
	js.Publish(ctx, "new", []byte("2"))
	if _, err := js.Publish(ctx, "new", []byte("3")); apiErrCode(err) != 10077 ||
		!strings.Contains(err.Error(), "maximum messages exceeded") {
		t.Fatalf("third publish to a full discard-new stream: %v", err)
	}
	if _, err := js.Publish(ctx, "new", []byte("0123456789")); apiErrCode(err) != 10054 {
		t.Fatalf("oversized message: %v", err)
	}
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "AGE", Subjects: []string{"age"},
		Storage: jetstream.MemoryStorage, MaxAge: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	js.Publish(ctx, "age", []byte("x"))
	waitFor(t, "max_age expiry", func() bool {
		si, err := s.Info(ctx)
		return err == nil && si.State.Msgs == 0 && si.State.LastSeq == 1
	})
}

func TestJSAccountsAndDomain(t *testing.T) {
	lim := server.JetStreamUnlimited
	lim.MaxStreams = 1
	opts := &server.Options{Accounts: []*server.AccountOpts{{Name: "A", JetStream: &lim}, {Name: "B"}}}
	opts.Auth = auth.Config{Users: []*auth.User{{Username: "a", Password: "a", Account: "A"},
		{Username: "b", Password: "b", Account: "B"}}}
	opts.JetStream.Domain = "hub"
	n := startJSNode(t, opts)

	na := connect(t, n, nats.UserInfo("a", "a"))
	js, err := jetstream.NewWithDomain(na, "hub")
	if err != nil {
		t.Fatal(err)
	}
	_, ctx := jsContext(t, na)
	info, err := js.AccountInfo(ctx)
	if err != nil || info.Domain != "hub" || info.Limits.MaxStreams != 1 {
		t.Fatalf("account A info over the hub domain: %+v %v", info, err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ONE", Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "TWO", Storage: jetstream.MemoryStorage}); apiErrCode(err) != 10027 {
		t.Fatalf("second stream past max_streams 1: %v", err)
	}
	ack, err := js.Publish(ctx, "ONE", []byte("x"))
	if err != nil || ack.Domain != "hub" || ack.Stream != "ONE" {
		t.Fatalf("publish: %+v %v", ack, err)
	}

	nb := connect(t, n, nats.UserInfo("b", "b"))
	jb, ctx := jsContext(t, nb)
	if _, err := jb.AccountInfo(ctx); !errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) {
		t.Fatalf("account B without JetStream: %v", err)
	}
	// B does not see A's stream subject: accounts are isolated.
	if _, err := nb.Request("ONE", nil, 200*time.Millisecond); err != nats.ErrNoResponders {
		t.Fatalf("B publishing to A's stream subject: %v", err)
	}
}
