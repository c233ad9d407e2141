package sim

import (
	"errors"
	"fmt"
)

// check verifies the request/reply invariants (see reqrep) and fills stats.
func (rr *reqrep) check(stats map[string]int) error {
	if len(rr.problems) > 0 {
		return fmt.Errorf("reqrep: %s", rr.problems[0])
	}
	for _, q := range rr.requesters {
		if err := rr.checkRequester(q, stats); err != nil {
			return fmt.Errorf("reqrep: requester %d: %w", q.idx, err)
		}
	}
	return nil
}

func (rr *reqrep) checkRequester(q *requester, stats map[string]int) error {
	st := q.c.Stats()
	stats["late-replies"] += st.RepliesLate
	if st.RepliesDup > 0 {
		return fmt.Errorf("%d duplicate replies", st.RepliesDup)
	}
	finals := 0
	for n, o := range q.outcomes {
		stats["requests"]++
		if o.calls != 1 {
			return fmt.Errorf("request %d completed %d times", n+1, o.calls)
		}
		switch {
		case o.err == nil:
			stats["answered"]++
		case errors.Is(o.err, ErrTimeout):
			stats["timeouts"]++
		case errors.Is(o.err, ErrNoResponders):
			stats["no-responders"]++
		}
		if o.final {
			finals++
		}
		must := o.final || rr.mustAnswer(q, o)
		if must {
			stats["must-answer"]++
		}
		if o.err != nil && must {
			return fmt.Errorf("request %d (sent at %v, final=%v) failed: %v", n+1, o.at, o.final, o.err)
		}
	}
	if rr.inFinal && finals != rr.spec.FinalRound {
		return fmt.Errorf("sent %d of %d final requests", finals, rr.spec.FinalRound)
	}
	return nil
}

// mustAnswer reports whether nothing broke that could excuse a failed
// request: the requester's session held until the timeout, some responder
// was subscribed through it, and no responder's session ended around it.
func (rr *reqrep) mustAnswer(q *requester, o reqOutcome) bool {
	end := o.at + rr.spec.Timeout
	if q.c.SessionEndedBy(o.gen, end) {
		return false
	}
	some := false
	for _, s := range rr.responders {
		if s.c.SessionEndedWithin(o.at-breakNoticeMargin, end) {
			return false
		}
		if conf, ok := s.ConfirmedBefore(o.at); ok && !s.c.SessionEndedBy(conf.Gen, end) {
			some = true
		}
	}
	return some
}
