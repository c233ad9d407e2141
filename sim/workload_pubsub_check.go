package sim

import (
	"fmt"
	"slices"
)

// check verifies the pub/sub invariants (see pubsub) and fills stats.
func (ps *pubsub) check(stats map[string]int) error {
	if len(ps.badMsgs) > 0 {
		return fmt.Errorf("pubsub: %d bad messages, first: %s", len(ps.badMsgs), ps.badMsgs[0])
	}
	for _, p := range ps.pubs {
		stats["published"] += len(p.sent)
		if ps.inFinal && len(p.sent)-p.finalStart != ps.spec.FinalRound && ps.r.checks.on("liveness") {
			return violationf("liveness", "pubsub: publisher %d sent %d of %d final messages",
				p.idx, len(p.sent)-p.finalStart, ps.spec.FinalRound)
		}
	}
	for i, s := range ps.plain {
		if err := ps.checkPlain(s, stats); err != nil {
			return fmt.Errorf("pubsub: subscriber %d (%s %s): %w", i, s.c.host.name, s.sub.Subject, err)
		}
	}
	if len(ps.queue) > 0 {
		if err := ps.checkQueue(stats); err != nil {
			return fmt.Errorf("pubsub: queue group: %w", err)
		}
	}
	return nil
}

// checkOrder verifies seqs were published, hold no duplicate (a
// violation of check once) and are in publish order (per-publisher-order).
func checkOrder(checks checkSet, seqs []int, sent int, once string) error {
	for i, seq := range seqs {
		switch {
		case seq < 1 || seq > sent:
			return fmt.Errorf("seq %d was never published (%d sent)", seq, sent)
		case i == 0:
		case seq == seqs[i-1] && checks.on(once):
			return violationf(once, "seq %d arrived twice", seq)
		case seq < seqs[i-1] && checks.on("per-publisher-order"):
			return violationf("per-publisher-order", "seq %d arrived after seq %d", seq, seqs[i-1])
		}
	}
	return nil
}

func (ps *pubsub) checkPlain(s *subscriber, stats map[string]int) error {
	for _, p := range ps.pubs {
		seqs := s.got[p.idx]
		stats["delivered"] += len(seqs)
		if err := checkOrder(ps.r.checks, seqs, len(p.sent), "exactly-once-per-sub"); err != nil {
			return fmt.Errorf("from publisher %d: %w", p.idx, err)
		}
		for seq := 1; seq <= len(p.sent) && ps.r.checks.on("exactly-once-per-sub"); seq++ {
			if !ps.requiredPlain(p, seq, s) {
				continue
			}
			stats["required"]++
			if _, found := slices.BinarySearch(seqs, seq); !found {
				return violationf("exactly-once-per-sub", "lost seq %d from publisher %d (published at %v)", seq, p.idx, p.sent[seq-1].at)
			}
		}
	}
	return nil
}

// publisherHeld reports whether the publisher's session outlived the
// settle window after publishing message seq, and no cut held the message
// back for an unknown time.
func publisherHeld(p *publisher, seq int) bool {
	m := p.sent[seq-1]
	return !p.c.SessionEndedBy(m.gen, m.at+deliverySettle) && !p.c.CutWithin(m.at, m.at+deliverySettle)
}

// subscribedThrough reports whether s was confirmed at m's publish time on
// a session that lasted through the settle window.
func subscribedThrough(s *subscriber, m sentMsg) bool {
	conf, ok := s.sub.ConfirmedBefore(m.at)
	return ok && !s.c.SessionEndedBy(conf.Gen, m.at+deliverySettle)
}

func (ps *pubsub) requiredPlain(p *publisher, seq int, s *subscriber) bool {
	return publisherHeld(p, seq) && subscribedThrough(s, p.sent[seq-1])
}

// requiredQueue: some member was subscribed through the window and no
// member's session broke around it (the node may have picked that one,
// or learn of the break only a latency later).
func (ps *pubsub) requiredQueue(p *publisher, seq int) bool {
	if !publisherHeld(p, seq) {
		return false
	}
	m := p.sent[seq-1]
	some := false
	for _, s := range ps.queue {
		if s.c.SessionEndedWithin(m.at-breakNoticeMargin, m.at+deliverySettle) {
			return false
		}
		some = some || subscribedThrough(s, m)
	}
	return some
}

func (ps *pubsub) checkQueue(stats map[string]int) error {
	for _, p := range ps.pubs {
		count := make([]int, len(p.sent)+1)
		for i, s := range ps.queue {
			seqs := s.got[p.idx]
			stats["queue-delivered"] += len(seqs)
			if err := checkOrder(ps.r.checks, seqs, len(p.sent), "exactly-once-per-queue-group"); err != nil {
				return fmt.Errorf("member %d from publisher %d: %w", i, p.idx, err)
			}
			for _, seq := range seqs {
				count[seq]++
			}
		}
		for seq := 1; seq <= len(p.sent) && ps.r.checks.on("exactly-once-per-queue-group"); seq++ {
			if count[seq] > 1 {
				return violationf("exactly-once-per-queue-group", "seq %d from publisher %d delivered to %d members", seq, p.idx, count[seq])
			}
			if ps.requiredQueue(p, seq) {
				stats["queue-required"]++
				if count[seq] == 0 {
					return violationf("exactly-once-per-queue-group", "lost seq %d from publisher %d (published at %v)", seq, p.idx, p.sent[seq-1].at)
				}
			}
		}
	}
	return nil
}
