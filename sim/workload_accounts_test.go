package sim

import (
	"strings"
	"testing"
)

// The small accounts scenario runs clean, and its counters show that the
// checks had something to check: deliveries required across routes, in
// the queue group, answers through the service import, and C's requests
// refused with no responders.
func TestAccountsWorkloadRuns(t *testing.T) {
	sc, err := ParseScenario("acc.conf", []byte(accountsScenario+`faults { conn_reset { every: "1s" } }`), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := RunScenario(sc, 1, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, res)
	}
	t.Log(res)
	for _, k := range []string{"accounts-cross-required", "accounts-queue-required", "accounts-answered", "accounts-must-answer", "accounts-no-responders"} {
		if res.Stats[k] == 0 {
			t.Errorf("%s = 0 (stats %v)", k, res.Stats)
		}
	}
}

// accountsFixture is the traffic of accountsScenario's graph with clients
// that never connect: the tests hand deliveries to it directly.
func accountsFixture(t *testing.T) (*clusterTraffic, *reqrep) {
	t.Helper()
	sc, err := ParseScenario("acc.conf", []byte(accountsScenario), nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := newAccountGraph(&sc.Topology.Nodes[0].Options)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorld(1, DefaultOptions())
	client := func(name string) *Client { return w.NewClient(name, nil, ClientOptions{}) }
	ct := newClusterTraffic("accounts", streamTiming{interval: minWorkloadInterval}, g)
	ct.addPublisher(client("c1"), "A", "ev.0")
	ct.addSubscriber(client("c2"), "B", "fa.ev.*", "")
	ct.addSubscriber(client("c3"), "C", "ev.>", "")
	ct.begin()
	rr := newRequestTraffic("accounts", "accounts-", requestTiming{interval: minWorkloadInterval, timeout: minWorkloadInterval}, g)
	rr.addResponder(client("c4"), "A", "svc.echo", "svc")
	rr.addRequester(client("c5"), "B", "echo")
	rr.addRequester(client("c6"), "C", "svc.echo")
	rr.begin()
	// The checks see the run they belong to: an accounts scenario that
	// performs every check.
	r := &run{sc: &Scenario{Workload: Workload{Accounts: &AccountsSpec{}}}, w: w}
	ct.r, rr.r = r, r
	return ct, rr
}

func TestAccountsChecksRefuseStrayMessages(t *testing.T) {
	ct, _ := accountsFixture(t)
	inB, inC := ct.plain[0], ct.plain[1]
	ct.receive(inB, Msg{Subject: "fa.ev.0", Data: []byte("0 1 x")})
	if len(ct.badMsgs) != 0 || len(inB.got[0]) != 1 {
		t.Fatalf("the imported message was refused: %v", ct.badMsgs)
	}
	for _, tc := range []struct {
		s    *csub
		subj string
		want string
	}{
		{inB, "ev.0", "as ev.0, want fa.ev.0"},
		{inC, "ev.0", "the account graph does not lead there"},
	} {
		ct.badMsgs = nil
		ct.receive(tc.s, Msg{Subject: tc.subj, Data: []byte("0 2 x")})
		if len(ct.badMsgs) != 1 || !strings.Contains(ct.badMsgs[0], tc.want) {
			t.Errorf("delivery on %s in account %s: %v, want %q", tc.subj, tc.s.account, ct.badMsgs, tc.want)
		}
	}
}

func TestAccountsChecksRefuseStrayRequests(t *testing.T) {
	_, rr := accountsFixture(t)
	g := rr.groups[0]
	info := func(acc string) []byte {
		return []byte("NATS/1.0\r\n" + requestInfoHeader + `: {"acc":"` + acc + `","svc":"A"}` + "\r\n\r\n")
	}
	if rr.requesters[0].serves != g || rr.requesters[0].via != "svc.echo" || rr.requesters[1].serves != nil {
		t.Fatalf("servedBy: B -> %v via %q, C -> %v", rr.requesters[0].serves, rr.requesters[0].via, rr.requesters[1].serves)
	}
	if err := rr.checkRequest(g, Msg{Subject: "svc.echo", Header: info("B"), Data: []byte("req 0 1")}); err != nil {
		t.Fatalf("B's request through the import was refused: %v", err)
	}
	for _, tc := range []struct {
		m    Msg
		want string
	}{
		{Msg{Subject: "svc.echo", Data: []byte("req 0 1")}, `names account ""`},
		{Msg{Subject: "svc.echo", Header: info("C"), Data: []byte("req 0 1")}, `names account "C"`},
		{Msg{Subject: "echo", Header: info("B"), Data: []byte("req 0 1")}, "on echo, want svc.echo"},
		{Msg{Subject: "svc.echo", Data: []byte("req 1 1")}, "the account graph does not lead there"},
		{Msg{Subject: "svc.echo", Data: []byte("req 7 1")}, "malformed request"},
	} {
		if err := rr.checkRequest(g, tc.m); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: %v, want %q", tc.m.Subject, tc.m.Data, err, tc.want)
		}
	}
}

// A request the graph leads nowhere must never be answered, and in the
// liveness round must fail with no responders.
func TestAccountsChecksUnservedRequests(t *testing.T) {
	_, rr := accountsFixture(t)
	q := rr.requesters[1]
	for _, tc := range []struct {
		o    reqOutcome
		want string
	}{
		{reqOutcome{calls: 1, err: ErrNoResponders, final: true}, ""},
		{reqOutcome{calls: 1, err: ErrTimeout}, ""}, // its session never held
		{reqOutcome{calls: 1}, "answered, yet the account graph leads it to no responders"},
		{reqOutcome{calls: 1, err: ErrTimeout, final: true}, "want no responders"},
	} {
		q.outcomes = []reqOutcome{tc.o}
		err := rr.checkRequester(q, map[string]int{})
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("outcome %+v: %v, want %q", tc.o, err, tc.want)
		}
	}
}

// A scenario built in Go skips the loader's layout checks; the run then
// reports the layout's error instead of running the workload.
func TestAccountsWorkloadReportsBadLayout(t *testing.T) {
	sc, err := ParseScenario("acc.conf", []byte(accountsScenario), nil)
	if err != nil {
		t.Fatal(err)
	}
	sc.Workload.Accounts.Requesters[0].Users = []string{"zed"}
	if _, err := RunScenario(sc, 1, nil); err == nil || !strings.HasPrefix(err.Error(), "accounts: ") || !strings.Contains(err.Error(), `requesters[0]: no user "zed"`) {
		t.Fatalf("run error %v", err)
	}
}
