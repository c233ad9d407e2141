package sim

import (
	"errors"
	"fmt"
)

// check verifies the request/reply invariants (see reqrep) and fills stats.
func (rr *reqrep) check(stats map[string]int) error {
	if err := rr.firstProblem(); err != nil {
		return err
	}
	for _, q := range rr.requesters {
		if err := rr.checkRequester(q, stats); err != nil {
			return fmt.Errorf("%s: requester %d (%s, account %s, %s): %w", rr.label, q.idx, q.c.host.name, q.account, q.subject, err)
		}
	}
	return nil
}

// firstProblem reports the first problem of a check the run performs.
func (rr *reqrep) firstProblem() error {
	for _, p := range rr.problems {
		if p.check == "" {
			return fmt.Errorf("%s: %d problems, first: %s", rr.label, len(rr.problems), p.msg)
		}
		if rr.r.checks.on(p.check) {
			return violationf(p.check, "%s: %d problems, first: %s", rr.label, len(rr.problems), p.msg)
		}
	}
	return nil
}

func (rr *reqrep) stat(name string) string { return rr.statPrefix + name }

func (rr *reqrep) checkRequester(q *requester, stats map[string]int) error {
	st := q.c.Stats()
	stats[rr.stat("late-replies")] += st.RepliesLate
	on := rr.r.checks.on
	if st.RepliesDup > 0 && on("no-duplicate-reply") {
		return violationf("no-duplicate-reply", "%d duplicate replies", st.RepliesDup)
	}
	finals := 0
	for n, o := range q.outcomes {
		stats[rr.stat("requests")]++
		if o.calls != 1 && on("request-completes-once") {
			return violationf("request-completes-once", "request %d completed %d times", n+1, o.calls)
		}
		switch {
		case o.err == nil:
			stats[rr.stat("answered")]++
		case errors.Is(o.err, ErrTimeout):
			stats[rr.stat("timeouts")]++
		case errors.Is(o.err, ErrNoResponders):
			stats[rr.stat("no-responders")]++
		}
		if o.final {
			finals++
		}
		if q.serves == nil {
			if !on("service-import-replies") {
				continue
			}
			if err := rr.checkUnserved(q, o); err != nil {
				return fmt.Errorf("request %d (sent at %v, final=%v): %w", n+1, o.at, o.final, err)
			}
			continue
		}
		must := o.final || rr.mustAnswer(q, o)
		if must {
			stats[rr.stat("must-answer")]++
		}
		answered := "request-completes-once"
		if hasAccounts(rr.r.sc) {
			answered = "service-import-replies"
		}
		if o.err != nil && must && on(answered) {
			return violationf(answered, "request %d (sent at %v, final=%v) failed: %v", n+1, o.at, o.final, o.err)
		}
	}
	if rr.inFinal && finals != rr.timing.finalRound && on("liveness") {
		return violationf("liveness", "sent %d of %d final requests", finals, rr.timing.finalRound)
	}
	return nil
}

// checkUnserved: a request the graph leads to no responders is never
// answered, and the server says so at once unless the session broke.
func (rr *reqrep) checkUnserved(q *requester, o reqOutcome) error {
	if o.err == nil {
		return violation("service-import-replies", errors.New("answered, yet the account graph leads it to no responders"))
	}
	held := !q.c.SessionEndedBy(o.gen, o.at+rr.timing.timeout)
	if (o.final || held) && !errors.Is(o.err, ErrNoResponders) {
		return violationf("service-import-replies", "failed with %v, want no responders", o.err)
	}
	return nil
}

// mustAnswer reports whether nothing broke that could excuse a failed
// request: the requester's session held until the timeout, some member of
// the group serving it was subscribed through it (long enough before for
// the interest to cross the routes), no member's session ended around
// it, and in a cluster every route, and the requester's reply
// subscription, held from before the interest could cross.
func (rr *reqrep) mustAnswer(q *requester, o reqOutcome) bool {
	end := o.at + rr.timing.timeout
	if q.c.SessionEndedBy(o.gen, end) || q.c.CutWithin(o.at, end) {
		return false
	}
	settle := rr.settle()
	if rr.routes != nil {
		conf, ok := q.c.respSub.ConfirmedBefore(o.at - settle)
		if !ok || conf.Gen != o.gen || !rr.routes.meshStable(o.at-settle, end) {
			return false
		}
	}
	some := false
	for _, s := range q.serves.subs {
		if s.c.SessionEndedWithin(o.at-breakNoticeMargin, end) || s.c.CutWithin(o.at, end) {
			return false
		}
		if conf, ok := s.ConfirmedBefore(o.at - settle); ok && !s.c.SessionEndedBy(conf.Gen, end) {
			some = true
		}
	}
	return some
}
