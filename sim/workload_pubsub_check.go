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
		if ps.inFinal && len(p.sent)-p.finalStart != ps.spec.FinalRound {
			return fmt.Errorf("pubsub: publisher %d sent %d of %d final messages",
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

// checkOrder verifies seqs are strictly increasing and were published.
func checkOrder(seqs []int, sent int) error {
	for i, seq := range seqs {
		if seq < 1 || seq > sent {
			return fmt.Errorf("seq %d was never published (%d sent)", seq, sent)
		}
		if i > 0 && seq <= seqs[i-1] {
			return fmt.Errorf("seq %d arrived after seq %d (duplicate or reordered)", seq, seqs[i-1])
		}
	}
	return nil
}

func (ps *pubsub) checkPlain(s *subscriber, stats map[string]int) error {
	for _, p := range ps.pubs {
		seqs := s.got[p.idx]
		stats["delivered"] += len(seqs)
		if err := checkOrder(seqs, len(p.sent)); err != nil {
			return fmt.Errorf("from publisher %d: %w", p.idx, err)
		}
		for seq := 1; seq <= len(p.sent); seq++ {
			if !ps.requiredPlain(p, seq, s) {
				continue
			}
			stats["required"]++
			if _, found := slices.BinarySearch(seqs, seq); !found {
				return fmt.Errorf("lost seq %d from publisher %d (published at %v)", seq, p.idx, p.sent[seq-1].at)
			}
		}
	}
	return nil
}

// publisherHeld reports whether the publisher's session outlived the
// settle window after publishing message seq.
func publisherHeld(p *publisher, seq int) bool {
	m := p.sent[seq-1]
	return !p.c.SessionEndedBy(m.gen, m.at+deliverySettle)
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
			if err := checkOrder(seqs, len(p.sent)); err != nil {
				return fmt.Errorf("member %d from publisher %d: %w", i, p.idx, err)
			}
			for _, seq := range seqs {
				count[seq]++
			}
		}
		for seq := 1; seq <= len(p.sent); seq++ {
			if count[seq] > 1 {
				return fmt.Errorf("seq %d from publisher %d delivered to %d members", seq, p.idx, count[seq])
			}
			if ps.requiredQueue(p, seq) {
				stats["queue-required"]++
				if count[seq] == 0 {
					return fmt.Errorf("lost seq %d from publisher %d (published at %v)", seq, p.idx, p.sent[seq-1].at)
				}
			}
		}
	}
	return nil
}
