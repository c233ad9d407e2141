package sim

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Numbered traffic is the core the pubsub and cluster workloads share.
// Every publisher numbers its messages 1, 2, ... and writes "<publisher>
// <seq> " at the head of each payload; every subscription records what
// arrived, on which session; the checks hold the two records against each
// other. What a subscription must receive is each workload's own reasoning.

// stream is one publisher's numbered messages.
type stream struct {
	idx        int
	c          *Client
	subject    string
	sent       []sentMsg // seq n is sent[n-1]
	finalStart int       // seqs above this belong to the liveness round
	// onNodes is set when sentMsg.node is tracked; loss reports name it.
	onNodes bool
}

// sentMsg is one publish: when, on which session of the publisher, and
// (for cluster traffic) from which node.
type sentMsg struct {
	at   time.Duration
	gen  int
	node string
}

// seqPayload is message seq of publisher idx, padded with 'x' to size.
func seqPayload(idx, seq, size int) []byte {
	payload := []byte(fmt.Sprintf("%d %d ", idx, seq))
	for len(payload) < size {
		payload = append(payload, 'x')
	}
	return payload
}

// send publishes p's next message and numbers it; a message the client
// refuses gets no number, so seqs stay dense.
func (p *stream) send(w *World, size int) bool {
	if p.c.Publish(p.subject, "", seqPayload(p.idx, len(p.sent)+1, size)) != nil {
		return false
	}
	p.sent = append(p.sent, sentMsg{at: w.Elapsed(), gen: p.c.ConnGen()})
	return true
}

// lost is the violation of check for seq of p never arriving; note ends
// the parenthesis (", cross-node true").
func (p *stream) lost(check string, seq int, note string) error {
	m := p.sent[seq-1]
	where := ""
	if p.onNodes {
		where = " on " + m.node
	}
	return violationf(check, "lost seq %d from publisher %d%s (published at %v%s)", seq, p.idx, where, m.at, note)
}

// seqMsg is a decoded payload; pubField is the publisher field as it was
// written, which pubsub's subjects carry.
type seqMsg struct {
	pub, seq int
	pubField string
}

var (
	// errMalformed: the payload has fewer than two fields.
	errMalformed = errors.New("malformed payload")
	// errBadSeq: the fields are not numbers, or name no publisher.
	errBadSeq = errors.New("bad message")
)

// decodeSeq reads a seqPayload sent by one of pubs publishers.
func decodeSeq(data []byte, pubs int) (seqMsg, error) {
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return seqMsg{}, errMalformed
	}
	pi, err1 := strconv.Atoi(f[0])
	seq, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || pi < 0 || pi >= pubs {
		return seqMsg{}, errBadSeq
	}
	return seqMsg{pub: pi, seq: seq, pubField: f[0]}, nil
}

// arrival is one delivery of seq on the client's session gen. A client
// that moved to another node may get a message again on its new session:
// a copy delayed on a route reaches the new subscription there. Within
// one session a message arrives at most once.
type arrival struct{ seq, gen int }

// received maps a publisher index to its arrivals, in arrival order.
type received map[int][]arrival

// receiver is one subscription of numbered traffic and what reached it.
type receiver struct {
	c   *Client
	sub *Sub
	got received
}

func (s *receiver) record(pub, seq int) {
	s.got[pub] = append(s.got[pub], arrival{seq: seq, gen: s.c.gen})
}

// seqsOf lists the seqs of got, in arrival order.
func seqsOf(got []arrival) []int {
	seqs := make([]int, len(got))
	for i, a := range got {
		seqs[i] = a.seq
	}
	return seqs
}

// numbered is the run state both workloads keep: a label for stats and
// errors, whether publishing stopped, the liveness round's tally, and
// the deliveries refused on arrival.
type numbered struct {
	label    string
	stopped  bool
	inFinal  bool
	finalGot int
	finalDue int
	badMsgs  []string
	// badChecks[i] is the check badMsgs[i] violates ("": none owns it).
	badChecks []string
}

// publishEvery calls send for p after seeded gaps in
// [interval/2, 3*interval/2) until the traffic stops.
func (n *numbered) publishEvery(p *stream, interval time.Duration, send func()) {
	iv := int64(interval)
	gap := time.Duration(iv/2 + p.c.host.rng.Int64N(iv))
	p.c.host.After(gap, func() {
		if n.stopped {
			return
		}
		send()
		n.publishEvery(p, interval, send)
	})
}

func (n *numbered) stop() { n.stopped = true }

// refuse records a delivery that should not have happened; check names
// the invariant it breaks ("" for none: it always fails the run).
func (n *numbered) refuse(check, format string, args ...any) {
	n.badMsgs = append(n.badMsgs, fmt.Sprintf(format, args...))
	n.badChecks = append(n.badChecks, check)
}

// checkRefused fails on the first refused delivery whose check is on.
func (n *numbered) checkRefused(checks checkSet) error {
	for i, msg := range n.badMsgs {
		err := fmt.Errorf("%s: %d bad messages, first: %s", n.label, len(n.badMsgs), msg)
		if c := n.badChecks[i]; c == "" {
			return err
		} else if checks.on(c) {
			return violation(c, err)
		}
	}
	return nil
}

// sendFinal has p send its liveness round of rounds messages, each due
// at receivers subscriptions (or queue groups).
func (n *numbered) sendFinal(p *stream, rounds, receivers int, send func()) {
	p.finalStart = len(p.sent)
	for i := 0; i < rounds; i++ {
		send()
	}
	n.finalDue += (len(p.sent) - p.finalStart) * receivers
}

// arrived counts a delivery of seq of p towards the liveness round.
func (n *numbered) arrived(p *stream, seq int) {
	if n.inFinal && seq > p.finalStart {
		n.finalGot++
	}
}

func (n *numbered) finalDone() bool { return n.finalGot >= n.finalDue }

// checkFinalSent: in the liveness round p sent every one of its messages.
func (n *numbered) checkFinalSent(checks checkSet, p *stream, rounds int) error {
	if n.inFinal && len(p.sent)-p.finalStart != rounds && checks.on("liveness") {
		return violationf("liveness", "%s: publisher %d sent %d of %d final messages", n.label, p.idx, len(p.sent)-p.finalStart, rounds)
	}
	return nil
}
