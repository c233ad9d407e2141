package sim

import (
	"fmt"
	"slices"
)

// The once and order checks of numbered traffic (traffic.go).

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

// checkOnce verifies that every seq was published and arrived at most
// once per session (a violation of check once: a loop or a duplicate),
// and returns the distinct seqs, sorted.
func checkOnce(checks checkSet, got []arrival, sent int, once string) ([]int, error) {
	seen := make(map[arrival]bool, len(got))
	var seqs []int
	for _, a := range got {
		if a.seq < 1 || a.seq > sent {
			return nil, fmt.Errorf("seq %d was never published (%d sent)", a.seq, sent)
		}
		if seen[a] && checks.on(once) {
			return nil, violationf(once, "seq %d delivered twice on one session (a loop or a duplicate)", a.seq)
		}
		seen[a] = true
		seqs = append(seqs, a.seq)
	}
	slices.Sort(seqs)
	return slices.Compact(seqs), nil
}

// checkArrived verifies, under check once, that every seq of p that
// required says a subscription had to receive is in got (sorted), and
// counts those seqs in stats[stat]. required also gives the note its
// loss report ends with.
func checkArrived(checks checkSet, once string, p *stream, got []int, required func(seq int) (bool, string), stats map[string]int, stat string) error {
	for seq := 1; seq <= len(p.sent) && checks.on(once); seq++ {
		need, note := required(seq)
		if !need {
			continue
		}
		stats[stat]++
		if _, found := slices.BinarySearch(got, seq); !found {
			return p.lost(once, seq, note)
		}
	}
	return nil
}

// groupCount adds each arrival of got to count, indexed by seq.
func groupCount(count []int, got []arrival) {
	for _, a := range got {
		count[a.seq]++
	}
}

// checkGroup verifies, under check once, that no seq of p reached two
// members of a queue group (count[seq] members got it) and that every
// seq required says the group had to receive reached one; it counts the
// required seqs in stats[stat].
func checkGroup(checks checkSet, once string, p *stream, count []int, required func(seq int) bool, stats map[string]int, stat string) error {
	for seq := 1; seq <= len(p.sent) && checks.on(once); seq++ {
		if count[seq] > 1 {
			return violationf(once, "seq %d from publisher %d delivered to %d members", seq, p.idx, count[seq])
		}
		if required(seq) {
			stats[stat]++
			if count[seq] == 0 {
				return p.lost(once, seq, "")
			}
		}
	}
	return nil
}
