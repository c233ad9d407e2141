package sim

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// jsPublisher publishes one logical message at a time and retries it,
// with the same Nats-Msg-Id, until it is acked.
type jsPublisher struct {
	p         *jsWorkload
	c         *Client
	idx, pid  int
	n         int // messages begun
	cur       *jsPending
	acked     []jsAcked // what this publisher got acked, in order
	finalLeft int
	stats     struct{ acked, attempts, probes, retries int }
}

// jsPending is the logical publish in flight.
type jsPending struct {
	in   jsInput
	call time.Duration
}

type jsAcked struct {
	id, subj string
	seq      uint64
}

// pubAck is a PubAck or the error a publish got.
type pubAck struct {
	Stream    string      `json:"stream"`
	Seq       uint64      `json:"seq"`
	Duplicate bool        `json:"duplicate"`
	Error     *jsAPIError `json:"error"`
}

func (pub *jsPublisher) scheduleNext() {
	iv := int64(pub.p.spec.Interval)
	pub.c.host.After(time.Duration(iv/2+pub.c.host.rng.Int64N(iv)), func() {
		if pub.cur != nil || (pub.p.stopped && pub.finalLeft == 0) {
			return
		}
		pub.begin()
	})
}

// begin starts a new message, or now and then resends an acked one.
func (pub *jsPublisher) begin() {
	rng := pub.c.host.rng
	in := jsInput{Kind: jsPublish}
	if n := len(pub.acked); n > 0 && rng.IntN(100) < jsProbePercent {
		a := pub.acked[n-1-rng.IntN(min(n, jsProbeWindow))]
		in.ID, in.Subj, in.Probe = a.id, a.subj, true
		pub.stats.probes++
	} else {
		pub.n++
		in.ID = "p" + strconv.Itoa(pub.idx) + "-" + strconv.Itoa(pub.n)
		in.Subj = jsSubject(rng.IntN(pub.p.spec.Keys))
	}
	pub.cur = &jsPending{in: in, call: pub.p.r.w.Elapsed()}
	pub.attempt()
}

// attempt sends the current message once.
func (pub *jsPublisher) attempt() {
	op := pub.cur
	if op == nil {
		return
	}
	pub.stats.attempts++
	hdr := []byte("NATS/1.0\r\n" + jsMsgIDHeader + ": " + op.in.ID + "\r\n\r\n")
	err := pub.c.HRequest(op.in.Subj, hdr, jsPayload(op.in.ID, pub.p.spec.PayloadSize), pub.p.spec.Timeout,
		func(m Msg, err error) { pub.answered(op, m, err) })
	if err != nil {
		pub.retryLater()
	}
}

// retryLater resends the current message after a pause.
func (pub *jsPublisher) retryLater() {
	pub.stats.retries++
	op := pub.cur
	pub.c.host.After(jsRetryBackoff, func() {
		if pub.cur == op {
			pub.attempt()
		}
	})
}

func (pub *jsPublisher) answered(op *jsPending, m Msg, err error) {
	if pub.cur != op {
		return
	}
	if errors.Is(err, ErrTimeout) {
		pub.stats.retries++
		pub.attempt() // the same id: a stored first attempt makes this a duplicate
		return
	}
	if err != nil { // no responders: the stream is not there (yet)
		pub.retryLater()
		return
	}
	var ack pubAck
	if jerr := json.Unmarshal(m.Data, &ack); jerr != nil {
		pub.p.problem("%s: undecodable PubAck %q", pub.c.host.name, m.Data)
		pub.retryLater()
		return
	}
	if ack.Error != nil || ack.Seq == 0 || ack.Stream != pub.p.spec.Stream {
		pub.retryLater() // a refused publish may still have been stored: same id again
		return
	}
	pub.finish(op, ack)
}

// finish records an acked publish.
func (pub *jsPublisher) finish(op *jsPending, ack pubAck) {
	p := pub.p
	pub.cur = nil
	pub.stats.acked++
	in := op.in
	p.obs.acked(p, in, ack)
	if !in.Probe {
		pub.acked = append(pub.acked, jsAcked{in.ID, in.Subj, ack.Seq})
	}
	p.hist.add(pub.pid, in, jsOutput{Seq: ack.Seq}, op.call, p.r.w.Elapsed())
	if pub.finalLeft > 0 && !in.Probe {
		pub.finalLeft--
	}
	if p.inFinal && pub.finalLeft == 0 {
		p.maybeVerify()
		return
	}
	pub.scheduleNext()
}

// endInFlight records the publish still unacked when the run ends: it
// may or may not be stored.
func (pub *jsPublisher) endInFlight() {
	if op := pub.cur; op != nil {
		pub.cur = nil
		pub.p.hist.addUnknown(pub.pid, op.in, op.call)
	}
}

// jsReader gets messages by sequence and the last of a subject.
type jsReader struct {
	p     *jsWorkload
	c     *Client
	pid   int
	busy  bool
	reads int
}

// msgGetReply is a STREAM.MSG.GET response.
type msgGetReply struct {
	Message *struct {
		Subject string `json:"subject"`
		Seq     uint64 `json:"seq"`
		Header  []byte `json:"hdrs"`
		Data    []byte `json:"data"`
	} `json:"message"`
	Error *jsAPIError `json:"error"`
}

func (rd *jsReader) scheduleNext() {
	iv := int64(rd.p.spec.ReadInterval)
	rd.c.host.After(time.Duration(iv/2+rd.c.host.rng.Int64N(iv)), func() {
		if rd.p.stopped {
			return
		}
		if !rd.busy {
			rd.read()
		}
		rd.scheduleNext()
	})
}

// read gets one message: by a sequence up to just past the largest
// acked one, or the last of a random subject.
func (rd *jsReader) read() {
	p, rng := rd.p, rd.c.host.rng
	in := jsInput{Kind: jsGetSeq}
	if rng.IntN(2) == 0 {
		in.Seq = 1 + rng.Uint64N(p.obs.maxAcked+2)
	} else {
		in.Kind, in.Subj = jsGetLast, jsSubject(rng.IntN(p.spec.Keys))
	}
	call := p.r.w.Elapsed()
	rd.busy = true
	err := p.get(rd.c, in, func(out jsOutput, ok bool) {
		rd.busy = false
		if ok {
			rd.reads++
			p.hist.add(rd.pid, in, out, call, p.r.w.Elapsed())
		}
	})
	if err != nil {
		rd.busy = false
	}
}

// get sends one STREAM.MSG.GET for in on c; done gets the outcome, ok
// false when the get failed (timeout, I/O error: it changed nothing).
// A message served is checked against what its publisher sent.
func (p *jsWorkload) get(c *Client, in jsInput, done func(out jsOutput, ok bool)) error {
	req := map[string]any{"seq": in.Seq}
	if in.Kind == jsGetLast {
		req = map[string]any{"last_by_subj": in.Subj}
	}
	body, _ := json.Marshal(req)
	return c.Request(jsAPIPrefix+"STREAM.MSG.GET."+p.spec.Stream, body, p.spec.Timeout, func(m Msg, err error) {
		if err != nil {
			done(jsOutput{}, false)
			return
		}
		var rep msgGetReply
		if jerr := json.Unmarshal(m.Data, &rep); jerr != nil {
			p.problem("%s: undecodable MSG.GET reply %q", c.host.name, m.Data)
			done(jsOutput{}, false)
			return
		}
		switch {
		case rep.Error != nil && rep.Error.ErrCode == jsNotFoundErrCode:
			done(jsOutput{}, true)
		case rep.Error != nil || rep.Message == nil:
			done(jsOutput{}, false)
		default:
			done(p.served(in, rep), true)
		}
	})
}

// served checks a message the stream served and returns it as an
// outcome.
func (p *jsWorkload) served(in jsInput, rep msgGetReply) jsOutput {
	msg := rep.Message
	id, err := jsMsgID(msg.Header, msg.Data, p.spec.PayloadSize)
	if err != nil {
		p.violate(p.wrongBytesCheck(), "seq %d served with wrong bytes: %v", msg.Seq, err)
		return jsOutput{Found: true, Seq: msg.Seq, ID: "?"}
	}
	if in.Kind == jsGetSeq && msg.Seq != in.Seq {
		p.violate(checkJSLinearizable, "get(%d) served seq %d", in.Seq, msg.Seq)
	}
	p.obs.servedAt(p, id, msg.Seq, msg.Subject)
	return jsOutput{Found: true, Seq: msg.Seq, ID: id}
}
