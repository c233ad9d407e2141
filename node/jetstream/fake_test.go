package jetstream

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"jsnode/clock"
	"jsnode/node/server"
	"jsnode/node/subject"
)

// fakeAccount is internal messaging in one process: subscriptions match
// by subject and run at once; publishes nobody subscribes to are kept
// (the answers to inboxes).
type fakeAccount struct {
	name string
	subs []*fakeSub
	sent []*server.Msg
}

type fakeSub struct {
	subj    string
	handler server.MsgHandler
	gone    bool
}

func (a *fakeAccount) Name() string { return a.name }

func (a *fakeAccount) Subscribe(subj, _ string, h server.MsgHandler) (func(), error) {
	s := &fakeSub{subj: subj, handler: h}
	a.subs = append(a.subs, s)
	return func() { s.gone = true }, nil
}

func (a *fakeAccount) Publish(subj, reply string, hdr, msg []byte) {
	m := &server.Msg{Subject: subj, Reply: reply, Header: append([]byte(nil), hdr...), Data: append([]byte(nil), msg...)}
	if len(hdr) == 0 {
		m.Header = nil
	}
	delivered := false
	for _, s := range append([]*fakeSub(nil), a.subs...) {
		if !s.gone && subject.Match(s.subj, subj) {
			delivered = true
			s.handler(m)
		}
	}
	if !delivered {
		a.sent = append(a.sent, m)
	}
}

// testJS is JetStream for one account on a fake account and a manual
// clock, memory storage only.
type testJS struct {
	t     testing.TB
	js    *JetStream
	jsa   *jsAccount
	acc   *fakeAccount
	clock *clock.Manual
	n     int
}

func newTestJS(t testing.TB) *testJS {
	clk := clock.NewManual(time.Unix(1_800_000_000, 0))
	js := &JetStream{clock: clk, rand: rand.New(rand.NewPCG(3, 4)), accounts: map[string]*jsAccount{},
		opts: optsForTest(), log: discardLog{}, serverName: "srv", serverID: "NSRV", maxPending: 64 << 20}
	acc := &fakeAccount{name: "A"}
	jsa := &jsAccount{js: js, acc: acc, limits: UnlimitedAccount, streams: map[string]*stream{}}
	js.accounts["A"], js.order = jsa, []*jsAccount{jsa}
	if err := jsa.subscribeAPI(); err != nil {
		t.Fatal(err)
	}
	return &testJS{t: t, js: js, jsa: jsa, acc: acc, clock: clk}
}

// request publishes body to subj with a fresh reply subject and returns
// the first answer (nil if none).
func (tj *testJS) request(subj string, hdr, body []byte) *server.Msg {
	tj.n++
	reply := "_INBOX.t." + strconv.Itoa(tj.n)
	start := len(tj.acc.sent)
	tj.acc.Publish(subj, reply, hdr, body)
	for _, m := range tj.acc.sent[start:] {
		if m.Subject == reply {
			return m
		}
	}
	return nil
}

// api sends an API request and decodes its JSON answer.
func (tj *testJS) api(subj, body string) map[string]any {
	tj.t.Helper()
	m := tj.request(subj, nil, []byte(body))
	if m == nil {
		return nil
	}
	var out map[string]any
	if err := json.Unmarshal(m.Data, &out); err != nil {
		tj.t.Fatalf("%s answered non-JSON %q", subj, m.Data)
	}
	return out
}

type discardLog struct{}

func (discardLog) Noticef(string, ...any) {}
func (discardLog) Warnf(string, ...any)   {}
func (discardLog) Errorf(string, ...any)  {}
func (discardLog) Debugf(string, ...any)  {}
func (discardLog) Tracef(string, ...any)  {}

func errCodeOf(resp map[string]any) int {
	e, _ := resp["error"].(map[string]any)
	if e == nil {
		return 0
	}
	c, _ := e["err_code"].(float64)
	return int(c)
}
