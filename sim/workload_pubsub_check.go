package sim

import "fmt"

// check verifies the pub/sub invariants (see pubsub) and fills stats.
func (ps *pubsub) check(stats map[string]int) error {
	if err := ps.checkRefused(ps.r.checks); err != nil {
		return err
	}
	for _, p := range ps.pubs {
		stats["published"] += len(p.sent)
		if err := ps.checkFinalSent(ps.r.checks, p, ps.spec.FinalRound); err != nil {
			return err
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

func (ps *pubsub) checkPlain(s *subscriber, stats map[string]int) error {
	for _, p := range ps.pubs {
		seqs := seqsOf(s.got[p.idx])
		stats["delivered"] += len(seqs)
		if err := checkOrder(ps.r.checks, seqs, len(p.sent), "exactly-once-per-sub"); err != nil {
			return fmt.Errorf("from publisher %d: %w", p.idx, err)
		}
		required := func(seq int) (bool, string) { return requiredPlain(p, seq, s), "" }
		if err := checkArrived(ps.r.checks, "exactly-once-per-sub", p, seqs, required, stats, "required"); err != nil {
			return err
		}
	}
	return nil
}

// publisherHeld reports whether the publisher's session outlived the
// settle window after publishing message seq, and no cut held the message
// back for an unknown time.
func publisherHeld(p *stream, seq int) bool {
	m := p.sent[seq-1]
	return !p.c.SessionEndedBy(m.gen, m.at+deliverySettle) && !p.c.CutWithin(m.at, m.at+deliverySettle)
}

// subscribedThrough reports whether s was confirmed at m's publish time on
// a session that lasted through the settle window.
func subscribedThrough(s *subscriber, m sentMsg) bool {
	conf, ok := s.sub.ConfirmedBefore(m.at)
	return ok && !s.c.SessionEndedBy(conf.Gen, m.at+deliverySettle)
}

func requiredPlain(p *stream, seq int, s *subscriber) bool {
	return publisherHeld(p, seq) && subscribedThrough(s, p.sent[seq-1])
}

// requiredQueue: some member was subscribed through the window and no
// member's session broke around it (the node may have picked that one,
// or learn of the break only a latency later).
func (ps *pubsub) requiredQueue(p *stream, seq int) bool {
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
			got := s.got[p.idx]
			stats["queue-delivered"] += len(got)
			if err := checkOrder(ps.r.checks, seqsOf(got), len(p.sent), "exactly-once-per-queue-group"); err != nil {
				return fmt.Errorf("member %d from publisher %d: %w", i, p.idx, err)
			}
			groupCount(count, got)
		}
		required := func(seq int) bool { return ps.requiredQueue(p, seq) }
		if err := checkGroup(ps.r.checks, "exactly-once-per-queue-group", p, count, required, stats, "queue-required"); err != nil {
			return err
		}
	}
	return nil
}
