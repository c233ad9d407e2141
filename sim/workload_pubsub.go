package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PubSubSpec is publish/subscribe traffic: each publisher sends numbered
// messages on its own subject "load.<p>"; plain subscribers take every
// subject, and queue subscribers share every message in one group.
type PubSubSpec struct {
	Publishers, Subscribers, QueueSubscribers int
	// Interval is the mean gap between one publisher's messages.
	Interval    time.Duration
	PayloadSize int
	// FinalRound is how many messages each publisher sends in the
	// liveness round; all of them must arrive.
	FinalRound int
}

const (
	pubSubQueueGroup = "workers"
	pubSubPrefix     = "load."
)

// pubsub checks: every message published by a connected publisher after a
// subscription was confirmed, with neither side's connection breaking
// within deliverySettle, is delivered exactly once per plain subscription
// and exactly once per queue group; no message is ever delivered twice or
// out of publish order; nothing unpublished is delivered.
type pubsub struct {
	spec     PubSubSpec
	r        *run
	pubs     []*publisher
	plain    []*subscriber
	queue    []*subscriber
	stopped  bool
	inFinal  bool
	finalGot int
	finalDue int
	badMsgs  []string
}

type publisher struct {
	idx        int
	c          *Client
	sent       []sentMsg // seq n is sent[n-1]
	finalStart int       // seqs above this belong to the liveness round
}

type sentMsg struct {
	at  time.Duration
	gen int
}

type subscriber struct {
	c     *Client
	sub   *Sub
	queue bool
	got   map[int][]int // publisher index -> seqs in arrival order
}

func newPubSub(spec PubSubSpec) *pubsub { return &pubsub{spec: spec} }

func (ps *pubsub) start(r *run) {
	ps.r = r
	for i, c := range r.takeClients(ps.spec.Publishers) {
		p := &publisher{idx: i, c: c}
		ps.pubs = append(ps.pubs, p)
		ps.schedulePublish(p)
	}
	for i, c := range r.takeClients(ps.spec.Subscribers) {
		subject := pubSubPrefix + ">"
		if i%2 == 1 {
			subject = pubSubPrefix + "*"
		}
		ps.plain = append(ps.plain, ps.subscribe(c, subject, ""))
	}
	for _, c := range r.takeClients(ps.spec.QueueSubscribers) {
		ps.queue = append(ps.queue, ps.subscribe(c, pubSubPrefix+"*", pubSubQueueGroup))
	}
}

func (ps *pubsub) subscribe(c *Client, subject, queue string) *subscriber {
	s := &subscriber{c: c, queue: queue != "", got: make(map[int][]int)}
	s.sub = c.Subscribe(subject, queue, func(m Msg) { ps.receive(s, m) })
	return s
}

// schedulePublish publishes p's next message after a seeded gap in
// [Interval/2, 3*Interval/2).
func (ps *pubsub) schedulePublish(p *publisher) {
	iv := int64(ps.spec.Interval)
	gap := time.Duration(iv/2 + p.c.host.rng.Int64N(iv))
	p.c.host.After(gap, func() {
		if ps.stopped {
			return
		}
		ps.publish(p)
		ps.schedulePublish(p)
	})
}

func (ps *pubsub) publish(p *publisher) bool {
	seq := len(p.sent) + 1
	payload := []byte(fmt.Sprintf("%d %d ", p.idx, seq))
	for len(payload) < ps.spec.PayloadSize {
		payload = append(payload, 'x')
	}
	if p.c.Publish(pubSubPrefix+strconv.Itoa(p.idx), "", payload) != nil {
		return false
	}
	p.sent = append(p.sent, sentMsg{at: ps.r.w.Elapsed(), gen: p.c.ConnGen()})
	return true
}

func (ps *pubsub) receive(s *subscriber, m Msg) {
	f := strings.Fields(string(m.Data))
	if len(f) < 2 {
		ps.badMsgs = append(ps.badMsgs, fmt.Sprintf("malformed payload %.40q", m.Data))
		return
	}
	pi, err1 := strconv.Atoi(f[0])
	seq, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || pi < 0 || pi >= len(ps.pubs) || m.Subject != pubSubPrefix+f[0] {
		ps.badMsgs = append(ps.badMsgs, fmt.Sprintf("bad message %s %.40q", m.Subject, m.Data))
		return
	}
	s.got[pi] = append(s.got[pi], seq)
	if ps.inFinal && seq > ps.pubs[pi].finalStart {
		ps.finalGot++
	}
}

func (ps *pubsub) stop() { ps.stopped = true }

func (ps *pubsub) ready() bool {
	for _, s := range append(ps.plain[:len(ps.plain):len(ps.plain)], ps.queue...) {
		if !s.sub.Confirmed() {
			return false
		}
	}
	return true
}

// final has every publisher send FinalRound messages; each must reach
// every plain subscription and the queue group.
func (ps *pubsub) final() {
	receivers := len(ps.plain)
	if len(ps.queue) > 0 {
		receivers++
	}
	ps.inFinal = true
	for _, p := range ps.pubs {
		p.finalStart = len(p.sent)
		for i := 0; i < ps.spec.FinalRound; i++ {
			ps.publish(p)
		}
		ps.finalDue += (len(p.sent) - p.finalStart) * receivers
	}
}

func (ps *pubsub) finalDone() bool { return ps.finalGot >= ps.finalDue }
