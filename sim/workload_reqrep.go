package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"jsnode/node/proto"
)

// ReqRepSpec is request/reply traffic: responders in one queue group
// answer "svc.echo"; requesters send requests with a timeout.
type ReqRepSpec struct {
	Responders, Requesters int
	// Interval is the mean gap between one requester's requests.
	Interval time.Duration
	Timeout  time.Duration
	// FinalRound is how many requests each requester sends in the
	// liveness round; every one must be answered.
	FinalRound int
}

const (
	reqRepSubject = "svc.echo"
	reqRepGroup   = "responders"
	replyPrefix   = "ok "
)

// reqrepWorkload is the request_reply { } workload on one node: reqrep
// with the scenario's clients, all in one account, on svc.echo.
type reqrepWorkload struct {
	*reqrep
	spec ReqRepSpec
}

func newReqRep(spec ReqRepSpec) *reqrepWorkload {
	t := requestTiming{interval: spec.Interval, timeout: spec.Timeout, finalRound: spec.FinalRound}
	return &reqrepWorkload{reqrep: newRequestTraffic("reqrep", "", t, &accountGraph{}), spec: spec}
}

func (rw *reqrepWorkload) start(r *run) {
	rr := rw.reqrep
	rr.attach(r, nil)
	for _, c := range r.takeClients(rw.spec.Responders) {
		rr.addResponder(c, "", reqRepSubject, reqRepGroup)
	}
	for _, c := range r.takeClients(rw.spec.Requesters) {
		rr.addRequester(c, "", reqRepSubject)
	}
	rr.begin()
}

// requestTiming is how requesters send.
type requestTiming struct {
	// interval is the mean gap between one requester's requests.
	interval time.Duration
	timeout  time.Duration
	// finalRound is how many requests each requester sends in the
	// liveness round.
	finalRound int
}

// reqrep is request/reply traffic between requesters and queue groups of
// responders, each client in an account; the account graph says which
// group, if any, a requester's requests reach, and on which subject. It
// checks: every request completes exactly once (a reply, no responders,
// or a timeout); each reply answers its own request and none arrives
// twice; a responder only gets requests the graph leads to its group, on
// the subject the graph maps them to, and a request from another account
// names that account in Nats-Request-Info; a request the graph leads to
// no group is never answered, and fails with no responders whenever the
// requester's session held. A request to a group is answered whenever
// the requester's session and every member's session held from its send
// until its timeout (and, in a cluster, every route was intact from
// before the interest could cross it); in the liveness round every
// request is answered.
type reqrep struct {
	label      string // names the workload in errors
	statPrefix string
	timing     requestTiming
	graph      *accountGraph
	r          *run
	// routes are the route samples of a cluster (nil on one node).
	routes         *routeTracker
	groups         []*responderGroup
	requesters     []*requester
	stopped        bool
	inFinal        bool
	finalCompleted int
	finalDue       int
	problems       []reqProblem
}

// reqProblem is one wrong request or reply seen while traffic ran, with
// the check it violates ("" when no check owns it: always reported).
type reqProblem struct{ check, msg string }

// responderGroup is one queue group of responders: they share an
// account, a subject and the queue name.
type responderGroup struct {
	account, subject, queue string
	subs                    []*Sub
}

type requester struct {
	idx              int
	c                *Client
	account, subject string
	// serves is the group the graph leads the requests to (nil: none),
	// and via the subject its members see them on.
	serves   *responderGroup
	via      string
	outcomes []reqOutcome // request n is outcomes[n-1]
}

type reqOutcome struct {
	at    time.Duration
	gen   int
	calls int
	err   error
	final bool
}

func newRequestTraffic(label, statPrefix string, t requestTiming, g *accountGraph) *reqrep {
	return &reqrep{label: label, statPrefix: statPrefix, timing: t, graph: g}
}

// attach binds the traffic to the run and, in a cluster, to the route
// samples.
func (rr *reqrep) attach(r *run, routes *routeTracker) { rr.r, rr.routes = r, routes }

// addResponder makes c, logged into account, answer requests on subject
// in queue group queue.
func (rr *reqrep) addResponder(c *Client, account, subject, queue string) {
	var g *responderGroup
	for _, have := range rr.groups {
		if have.queue == queue && have.account == account {
			g = have
		}
	}
	if g == nil {
		g = &responderGroup{account: account, subject: subject, queue: queue}
		rr.groups = append(rr.groups, g)
	}
	g.subs = append(g.subs, c.Subscribe(subject, queue, func(m Msg) { rr.answer(g, c, m) }))
}

// addRequester makes c, logged into account, send requests on subject.
func (rr *reqrep) addRequester(c *Client, account, subject string) {
	rr.requesters = append(rr.requesters, &requester{idx: len(rr.requesters), c: c, account: account, subject: subject})
}

// begin works out which group serves each requester, then starts the
// requests.
func (rr *reqrep) begin() {
	for _, q := range rr.requesters {
		q.serves, q.via = servedBy(rr.graph, q.account, q.subject, rr.groups)
		rr.scheduleRequest(q)
	}
}

// servedBy returns the first group a request published in acc on subject
// reaches, and the subject it sees it on. The workload's loader refuses
// layouts where a request reaches more than one group.
func servedBy(g *accountGraph, acc, subject string, groups []*responderGroup) (*responderGroup, string) {
	for _, d := range g.requestDeliveries(acc, subject) {
		for _, grp := range groups {
			if grp.account == d.account && matchSubject(grp.subject, d.subject) {
				return grp, d.subject
			}
		}
	}
	return nil, ""
}

// answer checks a request against the graph, then echoes it.
func (rr *reqrep) answer(g *responderGroup, c *Client, m Msg) {
	if err := rr.checkRequest(g, m); err != nil {
		check := ""
		if hasAccounts(rr.r.sc) {
			check = "account-graph"
		}
		rr.problem(check, "responder %s (account %s, queue %s): %v", c.host.name, g.account, g.queue, err)
	}
	_ = c.Publish(m.Reply, "", append([]byte(replyPrefix), m.Data...))
}

// checkRequest verifies that the requester the request names is one the
// graph leads to g, on the subject the graph maps it to, and that a
// request from another account says which in Nats-Request-Info.
func (rr *reqrep) checkRequest(g *responderGroup, m Msg) error {
	f := strings.Fields(string(m.Data))
	qi := -1
	if len(f) == 3 && f[0] == "req" {
		qi, _ = strconv.Atoi(f[1])
	}
	if qi < 0 || qi >= len(rr.requesters) {
		return fmt.Errorf("malformed request %.40q on %s", m.Data, m.Subject)
	}
	q := rr.requesters[qi]
	switch {
	case q.serves != g:
		return fmt.Errorf("got %q on %s from requester %d (account %s, subject %s): the account graph does not lead there",
			m.Data, m.Subject, qi, q.account, q.subject)
	case m.Subject != q.via:
		return fmt.Errorf("got %q from requester %d (account %s, subject %s) on %s, want %s",
			m.Data, qi, q.account, q.subject, m.Subject, q.via)
	case q.account != g.account:
		if acc := requestInfoAccount(m.Header); acc != q.account {
			return fmt.Errorf("request %q from account %s names account %q in %s", m.Data, q.account, acc, requestInfoHeader)
		}
	}
	return nil
}

// requestInfoHeader carries, on a request that crossed a service import,
// the requester's details (nats-server's ClientInfo JSON, "acc" naming
// its account).
const requestInfoHeader = "Nats-Request-Info"

// requestInfoAccount returns the account named by the header block's
// Nats-Request-Info ("" when there is none).
func requestInfoAccount(hdr []byte) string {
	if hdr == nil {
		return ""
	}
	_, _, fields, err := proto.ParseHeader(hdr)
	if err != nil {
		return ""
	}
	for _, kv := range fields {
		if strings.EqualFold(kv[0], requestInfoHeader) {
			var info struct {
				Account string `json:"acc"`
			}
			if json.Unmarshal([]byte(kv[1]), &info) == nil {
				return info.Account
			}
		}
	}
	return ""
}

func (rr *reqrep) problem(check, format string, args ...any) {
	rr.problems = append(rr.problems, reqProblem{check, fmt.Sprintf(format, args...)})
}

func (rr *reqrep) scheduleRequest(q *requester) {
	iv := int64(rr.timing.interval)
	q.c.host.After(time.Duration(iv/2+q.c.host.rng.Int64N(iv)), func() {
		if rr.stopped {
			return
		}
		rr.request(q)
		rr.scheduleRequest(q)
	})
}

func (rr *reqrep) request(q *requester) {
	n := len(q.outcomes) + 1
	data := []byte("req " + strconv.Itoa(q.idx) + " " + strconv.Itoa(n))
	final := rr.inFinal
	err := q.c.Request(q.subject, data, rr.timing.timeout, func(m Msg, err error) {
		o := &q.outcomes[n-1]
		o.calls++
		o.err = err
		if err == nil && !bytes.Equal(m.Data, append([]byte(replyPrefix), data...)) {
			rr.problem("reply-matches-request", "request %q got reply %.40q", data, m.Data)
		}
		if final {
			rr.finalCompleted++
		}
	})
	if err == nil {
		q.outcomes = append(q.outcomes, reqOutcome{at: rr.r.w.Elapsed(), gen: q.c.ConnGen(), final: final})
		if final {
			rr.finalDue++
		}
	}
}

func (rr *reqrep) stop() { rr.stopped = true }

// settle is how long interest needs before a request relies on it: none
// on one node, interestSettle across routes.
func (rr *reqrep) settle() time.Duration {
	if rr.routes == nil {
		return 0
	}
	return interestSettle
}

// ready: every responder is subscribed and every requester connected
// (in a cluster: for long enough that the interest, the requesters'
// reply subscriptions included, crossed the intact mesh).
func (rr *reqrep) ready() bool {
	now, settle := rr.r.w.Elapsed(), rr.settle()
	settled := func(s *Sub) bool {
		_, at := s.ConfirmedAt()
		return s.Confirmed() && at <= now-settle
	}
	for _, g := range rr.groups {
		for _, s := range g.subs {
			if !settled(s) {
				return false
			}
		}
	}
	for _, q := range rr.requesters {
		if !q.c.Connected() || settle > 0 && q.c.respSub != nil && !settled(q.c.respSub) {
			return false
		}
	}
	return rr.routes == nil || rr.routes.meshStable(now-settle, now)
}

func (rr *reqrep) final() {
	rr.inFinal = true
	for _, q := range rr.requesters {
		for i := 0; i < rr.timing.finalRound; i++ {
			rr.request(q)
		}
	}
}

// finalDone waits for every final request, and every earlier one, to
// have completed; check then requires the final ones to be answered.
func (rr *reqrep) finalDone() bool {
	if rr.finalCompleted < rr.finalDue {
		return false
	}
	for _, q := range rr.requesters {
		if q.c.PendingRequests() > 0 {
			return false
		}
	}
	return true
}
