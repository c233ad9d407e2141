package sim

import (
	"errors"
	"strconv"
	"time"

	"jsnode/node/raftgroup/kv"
)

// kvClient is one sim client of the kv workload. It runs one operation
// at a time: attempts go to the shared request subject, or to a member's
// own subject once a member named the leader; a refusal that proves the
// operation was not applied (not leader, lost, refused, no responders)
// retries the same operation; a timeout makes a put or CAS unknown (the
// history records it so, and the client continues under a new ClientId)
// and abandons a get.
type kvClient struct {
	p      *raftKV
	c      *Client
	idx    int
	pid    int // porcupine ClientId
	seq    int
	target string
	// seen is what this client last learned of each key (for CAS).
	seen map[string]kvOutput

	cur       *kvPending
	redirects int // consecutive not-leader redirects of cur
	finalLeft int // definite operations still owed in the final round
	stats     kvClientStats
}

// kvPending is the operation in flight.
type kvPending struct {
	in   kvInput
	call time.Duration
}

type kvClientStats struct {
	ok, unknown, abandoned, attempts, notLeader, retries int
}

// Client pacing.
const (
	// kvRetryBackoff is the pause before retrying after a refusal that
	// names no leader, or after too many redirects in a row.
	kvRetryBackoff = 50 * time.Millisecond
	// kvRedirectsMax is how many not-leader redirects are followed at
	// once before backing off.
	kvRedirectsMax = 3
	// Operation mix, in percent.
	kvPutPercent = 45
	kvGetPercent = 35
)

// scheduleNext starts the next operation after a think time, unless the
// workload has stopped (and no final operations are owed).
func (kc *kvClient) scheduleNext() {
	iv := int64(kc.p.spec.Interval)
	gap := time.Duration(iv/2 + kc.c.host.rng.Int64N(iv))
	kc.c.host.After(gap, func() {
		if kc.cur != nil || (kc.p.stopped && kc.finalLeft == 0) {
			return
		}
		kc.begin()
	})
}

// begin draws and starts a new operation.
func (kc *kvClient) begin() {
	r := kc.c.host.rng
	key := "k" + strconv.Itoa(r.IntN(kc.p.spec.Keys))
	kc.seq++
	value := strconv.Itoa(kc.idx) + "." + strconv.Itoa(kc.seq)
	in := kvInput{Key: key}
	switch pick := r.IntN(100); {
	case pick < kvPutPercent:
		in.Op, in.Value = kv.OpPut, value
	case pick < kvPutPercent+kvGetPercent:
		in.Op = kv.OpGet
	default:
		in.Op, in.Value = kv.OpCAS, value
		last := kc.seen[key]
		in.Old, in.OldAbsent = last.Value, !last.Found
	}
	kc.cur = &kvPending{in: in, call: kc.p.r.w.Elapsed()}
	kc.redirects = 0
	kc.attempt()
}

// attempt sends the current operation once.
func (kc *kvClient) attempt() {
	op := kc.cur
	if op == nil {
		return
	}
	kc.stats.attempts++
	req := kv.EncodeRequest(kv.Request{Op: op.in.Op, Key: op.in.Key, Value: op.in.Value, Old: op.in.Old, OldAbsent: op.in.OldAbsent})
	err := kc.c.Request(kc.target, req, kc.p.spec.Timeout, func(m Msg, err error) { kc.answered(op, m, err) })
	if err != nil {
		kc.retryLater()
	}
}

// retryLater retries the current operation after the backoff, through
// the shared subject.
func (kc *kvClient) retryLater() {
	kc.stats.retries++
	kc.target = kv.RequestSubject(kc.p.spec.Group)
	op := kc.cur
	kc.c.host.After(kvRetryBackoff, func() {
		if kc.cur == op {
			kc.attempt()
		}
	})
}

// answered handles the outcome of one attempt.
func (kc *kvClient) answered(op *kvPending, m Msg, err error) {
	if kc.cur != op {
		return
	}
	switch {
	case errors.Is(err, ErrTimeout):
		kc.target = kv.RequestSubject(kc.p.spec.Group)
		kc.timedOut()
		return
	case err != nil: // no responders: nobody got it
		kc.retryLater()
		return
	}
	rep, derr := kv.DecodeReply(m.Data)
	if derr != nil {
		kc.p.badReply("undecodable reply " + derr.Error())
		kc.retryLater()
		return
	}
	switch rep.Status {
	case kv.StatusOK, kv.StatusMismatch:
		kc.finish(kvOutput{Mismatch: rep.Status == kv.StatusMismatch, Value: rep.Value, Found: rep.Found})
	case kv.StatusUnknown:
		kc.timedOut()
	case kv.StatusNotLeader:
		kc.stats.notLeader++
		kc.redirect(rep.Leader)
	default: // lost, error: not applied
		kc.retryLater()
	}
}

// redirect retries at the leader a member named, a few times in a row,
// then backs off.
func (kc *kvClient) redirect(leader string) {
	kc.redirects++
	if leader == "" || kc.redirects > kvRedirectsMax {
		kc.redirects = 0
		kc.retryLater()
		return
	}
	kc.target = kv.MemberSubject(kc.p.spec.Group, leader)
	kc.attempt()
}

// finish records a definite outcome.
func (kc *kvClient) finish(out kvOutput) {
	op := kc.cur
	kc.cur = nil
	kc.stats.ok++
	in := op.in
	switch {
	case in.Op == kv.OpGet || out.Mismatch:
		kc.seen[in.Key] = kvOutput{Value: out.Value, Found: out.Found}
	default:
		kc.seen[in.Key] = kvOutput{Value: in.Value, Found: true}
	}
	kc.p.hist.add(kc.pid, in, out, op.call, kc.p.r.w.Elapsed())
	if kc.finalLeft > 0 {
		kc.finalLeft--
	}
	kc.scheduleNext()
}

// timedOut ends the operation without a definite outcome.
func (kc *kvClient) timedOut() {
	op := kc.cur
	kc.cur = nil
	if op.in.Op == kv.OpGet {
		kc.stats.abandoned++
	} else {
		kc.stats.unknown++
		kc.unknown(op)
	}
	kc.scheduleNext()
}

// unknown records a put or CAS that may have happened, and moves the
// client to a fresh ClientId.
func (kc *kvClient) unknown(op *kvPending) {
	kc.p.hist.ops = append(kc.p.hist.ops, unknownOp(kc.pid, op))
	kc.pid = kc.p.hist.newClientID()
	delete(kc.seen, op.in.Key)
}

// endInFlight, when the run ends, records the operation still in flight
// as timedOut does: a put or CAS may have happened.
func (kc *kvClient) endInFlight() {
	if op := kc.cur; op != nil && op.in.Op != kv.OpGet {
		kc.cur = nil
		kc.unknown(op)
	}
}

// idle reports whether no operation is in flight.
func (kc *kvClient) idle() bool { return kc.cur == nil }
