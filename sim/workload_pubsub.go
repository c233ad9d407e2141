package sim

import (
	"strconv"
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
	numbered
	spec  PubSubSpec
	r     *run
	pubs  []*stream
	plain []*subscriber
	queue []*subscriber
}

type subscriber struct {
	receiver
	queue bool
}

func newPubSub(spec PubSubSpec) *pubsub {
	return &pubsub{numbered: numbered{label: "pubsub"}, spec: spec}
}

func (ps *pubsub) start(r *run) {
	ps.r = r
	for i, c := range r.takeClients(ps.spec.Publishers) {
		p := &stream{idx: i, c: c, subject: pubSubPrefix + strconv.Itoa(i)}
		ps.pubs = append(ps.pubs, p)
		ps.publishEvery(p, ps.spec.Interval, func() { ps.publish(p) })
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
	s := &subscriber{receiver: receiver{c: c, got: received{}}, queue: queue != ""}
	s.sub = c.Subscribe(subject, queue, func(m Msg) { ps.receive(s, m) })
	return s
}

func (ps *pubsub) publish(p *stream) { p.send(ps.r.w, ps.spec.PayloadSize) }

// receive records one delivery, refusing any that is not a publisher's
// message on that publisher's subject.
func (ps *pubsub) receive(s *subscriber, m Msg) {
	d, err := decodeSeq(m.Data, len(ps.pubs))
	switch {
	case err == errMalformed:
		ps.refuse("", "malformed payload %.40q", m.Data)
		return
	case err != nil || m.Subject != pubSubPrefix+d.pubField:
		ps.refuse("", "bad message %s %.40q", m.Subject, m.Data)
		return
	}
	s.record(d.pub, d.seq)
	ps.arrived(ps.pubs[d.pub], d.seq)
}

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
		ps.sendFinal(p, ps.spec.FinalRound, receivers, func() { ps.publish(p) })
	}
}
