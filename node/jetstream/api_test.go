package jetstream

import (
	"strings"
	"testing"
)

// last is the last message sent to a subject nobody subscribes to.
func (tj *testJS) last(subj string) *serverMsg {
	for i := len(tj.acc.sent) - 1; i >= 0; i-- {
		if m := tj.acc.sent[i]; m.Subject == subj {
			return &serverMsg{m.Subject, string(m.Header), string(m.Data)}
		}
	}
	return nil
}

type serverMsg struct{ subj, hdr, data string }

func TestTransformRepublishFirstSeq(t *testing.T) {
	tj := newTestJS(t)
	r := tj.api("$JS.API.STREAM.CREATE.T", `{"name":"T","subjects":["in.*"],"storage":"memory","first_seq":100,
		"subject_transform":{"src":"in.*","dest":"stored.{{wildcard(1)}}"},
		"republish":{"src":"stored.>","dest":"out.>","headers_only":true}}`)
	if errCodeOf(r) != 0 {
		t.Fatalf("create: %v", r)
	}
	ack := tj.request("in.a", nil, []byte("hello"))
	if ack == nil || string(ack.Data) != `{"stream":"T","seq":100}` {
		t.Fatalf("ack: %+v", ack)
	}
	m, err := tj.jsa.streams["T"].store.Load(100)
	if err != nil || m.Subject != "stored.a" || string(m.Data) != "hello" {
		t.Fatalf("stored: %+v %v", m, err)
	}
	rp := tj.last("out.a")
	if rp == nil || rp.data != "" || !strings.Contains(rp.hdr, "Nats-Stream: T\r\n") || !strings.Contains(rp.hdr, "Nats-Sequence: 100\r\n") ||
		!strings.Contains(rp.hdr, "Nats-Subject: stored.a\r\n") || !strings.Contains(rp.hdr, "Nats-Msg-Size: 5\r\n") ||
		!strings.Contains(rp.hdr, "Nats-Last-Sequence: 0\r\n") {
		t.Fatalf("republished: %+v", rp)
	}
}

func TestSealedDenyDeleteDenyPurge(t *testing.T) {
	tj := newTestJS(t)
	tj.api("$JS.API.STREAM.CREATE.D", `{"name":"D","storage":"memory","deny_delete":true,"deny_purge":true}`)
	tj.request("D", nil, []byte("1"))
	if r := tj.api("$JS.API.STREAM.MSG.DELETE.D", `{"seq":1}`); errCodeOf(r) != 10057 {
		t.Fatalf("delete with deny_delete: %v", r)
	}
	if r := tj.api("$JS.API.STREAM.PURGE.D", ``); errCodeOf(r) != 10110 {
		t.Fatalf("purge with deny_purge: %v", r)
	}
	if r := tj.api("$JS.API.STREAM.UPDATE.D", `{"name":"D","storage":"memory"}`); errCodeOf(r) != 10052 {
		t.Fatalf("lifting deny_delete: %v", r)
	}
	if r := tj.api("$JS.API.STREAM.UPDATE.D", `{"name":"D","storage":"memory","deny_delete":true,"deny_purge":true,"sealed":true}`); errCodeOf(r) != 0 {
		t.Fatalf("seal: %v", r)
	}
	ack := tj.request("D", nil, []byte("2"))
	if ack == nil || !strings.Contains(string(ack.Data), `"err_code":10109`) {
		t.Fatalf("publish to a sealed stream: %+v", ack)
	}
	if r := tj.api("$JS.API.STREAM.UPDATE.D", `{"name":"D","storage":"memory","deny_delete":true,"deny_purge":true}`); errCodeOf(r) != 10052 {
		t.Fatalf("unseal: %v", r)
	}
	if st := tj.jsa.streams["D"].store.State(); st.Msgs != 1 {
		t.Fatalf("state: %+v", st)
	}
}

func TestAccountAndServerLimits(t *testing.T) {
	tj := newTestJS(t)
	tj.jsa.limits.MaxMemory = 300
	tj.js.opts.MaxStore = 1000
	if r := tj.api("$JS.API.STREAM.CREATE.BIG", `{"name":"BIG","storage":"memory","max_bytes":400}`); errCodeOf(r) != 10028 {
		t.Fatalf("reserving past the account's max_memory: %v", r)
	}
	if r := tj.api("$JS.API.STREAM.CREATE.F", `{"name":"F","max_bytes":2000}`); errCodeOf(r) != 10047 {
		t.Fatalf("reserving past the server's max_file_store: %v", r)
	}
	tj.api("$JS.API.STREAM.CREATE.M", `{"name":"M","storage":"memory"}`)
	for i := 0; i < 2; i++ {
		if ack := tj.request("M", nil, make([]byte, 100)); ack == nil || strings.Contains(string(ack.Data), "error") {
			t.Fatalf("publish %d: %+v", i, ack)
		}
	}
	ack := tj.request("M", nil, make([]byte, 100))
	if ack == nil || !strings.Contains(string(ack.Data), `"err_code":10002`) {
		t.Fatalf("publish past the account's max_memory: %+v", ack)
	}
	info := tj.api("$JS.API.INFO", "")
	if info["memory"] != 234.0 || info["streams"] != 1.0 {
		t.Fatalf("account info: %v", info)
	}
}
