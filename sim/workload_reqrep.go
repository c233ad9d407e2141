package sim

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
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

// reqrep checks: every request completes exactly once (a reply, no
// responders, or a timeout), each reply answers its own request, no reply
// arrives twice, a request is answered whenever the requester's session
// and every responder's session held from its send until its timeout, and
// in the liveness round every request is answered.
type reqrep struct {
	spec           ReqRepSpec
	r              *run
	responders     []*Sub
	requesters     []*requester
	stopped        bool
	inFinal        bool
	finalCompleted int
	finalDue       int
	problems       []string
}

type requester struct {
	idx      int
	c        *Client
	outcomes []reqOutcome // request n is outcomes[n-1]
}

type reqOutcome struct {
	at    time.Duration
	gen   int
	calls int
	err   error
	final bool
}

func newReqRep(spec ReqRepSpec) *reqrep { return &reqrep{spec: spec} }

func (rr *reqrep) start(r *run) {
	rr.r = r
	for _, c := range r.takeClients(rr.spec.Responders) {
		c := c
		rr.responders = append(rr.responders, c.Subscribe(reqRepSubject, reqRepGroup, func(m Msg) {
			_ = c.Publish(m.Reply, "", append([]byte(replyPrefix), m.Data...))
		}))
	}
	for i, c := range r.takeClients(rr.spec.Requesters) {
		q := &requester{idx: i, c: c}
		rr.requesters = append(rr.requesters, q)
		rr.scheduleRequest(q)
	}
}

func (rr *reqrep) scheduleRequest(q *requester) {
	iv := int64(rr.spec.Interval)
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
	err := q.c.Request(reqRepSubject, data, rr.spec.Timeout, func(m Msg, err error) {
		o := &q.outcomes[n-1]
		o.calls++
		o.err = err
		if err == nil && !bytes.Equal(m.Data, append([]byte(replyPrefix), data...)) {
			rr.problems = append(rr.problems, fmt.Sprintf("request %q got reply %.40q", data, m.Data))
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

func (rr *reqrep) ready() bool {
	for _, s := range rr.responders {
		if !s.Confirmed() {
			return false
		}
	}
	return true
}

func (rr *reqrep) final() {
	rr.inFinal = true
	for _, q := range rr.requesters {
		for i := 0; i < rr.spec.FinalRound; i++ {
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
