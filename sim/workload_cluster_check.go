package sim

import (
	"fmt"
	"strconv"
	"time"
)

// routeTracker samples every node's route table, so the checks know when
// the path between two nodes was one unbroken route connection.
type routeTracker struct {
	r *run
	// iv holds, per ordered pair of nodes (from, to), the sampled
	// intervals during which from had the same route connection to to,
	// with no partition between them.
	iv   map[[2]string][]routeInterval
	last map[[2]string]uint64
}

type routeInterval struct {
	from, to time.Duration
	cid      uint64
}

func (t *routeTracker) init(r *run) {
	t.r = r
	t.iv = make(map[[2]string][]routeInterval)
	t.last = make(map[[2]string]uint64)
}

// sample records the route tables now and again every routeSampleEvery.
func (t *routeTracker) sample() {
	w := t.r.w
	now := w.Elapsed()
	for _, x := range t.r.nodes {
		table := map[string]uint64{}
		if x.Alive() && x.Server() != nil {
			for _, rs := range x.Server().Routes() {
				table[rs.RemoteName] = rs.CID
			}
		}
		for _, y := range t.r.nodes {
			if x == y {
				continue
			}
			key := table[y.Name()]
			if w.isBlocked(x.Name(), y.Name()) || w.isBlocked(y.Name(), x.Name()) || w.slowed(x.Name()) || w.slowed(y.Name()) {
				key = 0
			}
			t.note([2]string{x.Name(), y.Name()}, key, now)
		}
	}
	w.After(routeSampleEvery, t.sample)
}

func (t *routeTracker) note(pair [2]string, key uint64, now time.Duration) {
	ivs := t.iv[pair]
	switch {
	case key != 0 && t.last[pair] == key && len(ivs) > 0:
		ivs[len(ivs)-1].to = now
	case key != 0:
		t.iv[pair] = append(ivs, routeInterval{from: now, to: now, cid: key})
	}
	t.last[pair] = key
}

// intact reports whether from had one unbroken route to to over [a, b].
func (t *routeTracker) intact(from, to string, a, b time.Duration) bool {
	for _, iv := range t.iv[[2]string{from, to}] {
		if iv.from <= a && iv.to >= b {
			return true
		}
	}
	return false
}

// pathIntact: both directions between x and y over [a, b].
func (t *routeTracker) pathIntact(x, y string, a, b time.Duration) bool {
	return x == y || t.intact(x, y, a, b) && t.intact(y, x, a, b)
}

// meshStable: every pair of nodes over [a, b].
func (t *routeTracker) meshStable(a, b time.Duration) bool {
	for _, x := range t.r.nodes {
		for _, y := range t.r.nodes {
			if x != y && !t.intact(x.Name(), y.Name(), a, b) {
				return false
			}
		}
	}
	return true
}

// newRouteTracker starts recording r's route tables (sample begins it).
func newRouteTracker(r *run) *routeTracker {
	t := &routeTracker{}
	t.init(r)
	return t
}

// stat names one of the workload's counters.
func (ct *clusterTraffic) stat(name string) string { return ct.label + "-" + name }

// check verifies the traffic's invariants (see clusterTraffic) and fills
// stats.
func (ct *clusterTraffic) check(stats map[string]int) error {
	if err := ct.checkRefused(ct.r.checks); err != nil {
		return err
	}
	for _, p := range ct.pubs {
		stats[ct.stat("published")] += len(p.sent)
		if err := ct.checkFinalSent(ct.r.checks, &p.stream, ct.timing.finalRound); err != nil {
			return err
		}
	}
	for i, s := range ct.plain {
		if err := ct.checkPlain(s, stats); err != nil {
			return fmt.Errorf("%s: subscriber %d (%s, account %s, %s): %w", ct.label, i, s.c.host.name, s.account, s.sub.Subject, err)
		}
	}
	for _, g := range ct.queues {
		if err := ct.checkQueue(g, stats); err != nil {
			return fmt.Errorf("%s: queue group %s: %w", ct.label, g.name, err)
		}
	}
	if ct.inFinal && len(ct.r.nodes) > 1 && len(ct.pubs) > 0 && ct.r.checks.on("cluster-once-per-sub") && stats[ct.stat("cross-required")] == 0 {
		return fmt.Errorf("%s: no message crossed a route while the path was intact: the check proved nothing", ct.label)
	}
	return nil
}

// checkPlain checks s against every publisher the graph leads to it
// (receive refused deliveries from any other).
func (ct *clusterTraffic) checkPlain(s *csub, stats map[string]int) error {
	for _, p := range ct.pubs {
		if _, ok := s.want[p.idx]; !ok {
			continue
		}
		stats[ct.stat("delivered")] += len(s.got[p.idx])
		got, err := checkOnce(ct.r.checks, s.got[p.idx], len(p.sent), "cluster-once-per-sub")
		if err != nil {
			return fmt.Errorf("from publisher %d: %w", p.idx, err)
		}
		required := func(seq int) (bool, string) {
			required, cross := ct.requiredPlain(p, seq, s)
			if required && cross {
				stats[ct.stat("cross-required")]++
			}
			return required, ", cross-node " + strconv.FormatBool(cross)
		}
		if err := checkArrived(ct.r.checks, "cluster-once-per-sub", &p.stream, got, required, stats, ct.stat("required")); err != nil {
			return err
		}
	}
	return nil
}

// heldThrough reports whether c's session gen outlived the settle window
// after a publish at t.
func heldThrough(c *Client, gen int, t time.Duration) bool {
	return !c.SessionEndedBy(gen, t+deliverySettle)
}

// requiredPlain decides whether s must have received message seq of p,
// and whether it had to cross a route.
func (ct *clusterTraffic) requiredPlain(p *cpub, seq int, s *csub) (required, cross bool) {
	m := p.sent[seq-1]
	if !heldThrough(p.c, m.gen, m.at) {
		return false, false
	}
	conf, ok := s.sub.ConfirmedBefore(m.at)
	if !ok || !heldThrough(s.c, conf.Gen, m.at) {
		return false, false
	}
	subNode := ct.nodeOf[s.c][conf.Gen]
	if subNode == m.node {
		return true, false
	}
	if conf.At+interestSettle > m.at {
		return false, false
	}
	return ct.routes.pathIntact(m.node, subNode, m.at-interestSettle, m.at+deliverySettle), true
}

// requiredQueue: the whole mesh intact around the publish, no member's
// session broke around it, and some member subscribed long enough before.
func (ct *clusterTraffic) requiredQueue(p *cpub, seq int, g *cqueue) bool {
	m := p.sent[seq-1]
	if !heldThrough(p.c, m.gen, m.at) || !ct.routes.meshStable(m.at-interestSettle, m.at+deliverySettle) {
		return false
	}
	some := false
	for _, s := range g.members {
		if s.c.SessionEndedWithin(m.at-breakNoticeMargin, m.at+deliverySettle) {
			return false
		}
		conf, ok := s.sub.ConfirmedBefore(m.at - interestSettle)
		some = some || ok && heldThrough(s.c, conf.Gen, m.at)
	}
	return some
}

// checkQueue checks group g against every publisher the graph leads to
// its members.
func (ct *clusterTraffic) checkQueue(g *cqueue, stats map[string]int) error {
	for _, p := range ct.pubs {
		if _, ok := g.members[0].want[p.idx]; !ok {
			continue
		}
		count := make([]int, len(p.sent)+1)
		for i, s := range g.members {
			stats[ct.stat("queue-delivered")] += len(s.got[p.idx])
			if _, err := checkOnce(ct.r.checks, s.got[p.idx], len(p.sent), "cluster-once-per-queue-group"); err != nil {
				return fmt.Errorf("member %d from publisher %d: %w", i, p.idx, err)
			}
			groupCount(count, s.got[p.idx])
		}
		required := func(seq int) bool { return ct.requiredQueue(p, seq, g) }
		if err := checkGroup(ct.r.checks, "cluster-once-per-queue-group", &p.stream, count, required, stats, ct.stat("queue-required")); err != nil {
			return err
		}
	}
	return nil
}
