package sim

import (
	"fmt"
	"time"
)

// Slow links: the links between a throttled node and the other nodes
// (routes, and so RAFT traffic) carry at most a bandwidth in bytes per
// second; links to clients are not throttled. Each write then waits for
// the wire: it is serialised after the bytes queued before it on the same
// connection, so a burst queues (and Buffered grows, as a real send
// buffer does) instead of arriving after one latency. The route checks
// treat a pair of nodes as impaired while either is throttled or its
// backlog drains (World.slowed), as they treat a partition.
//
//	faults {
//	  slow_link { every: "3s", lasts: "1s", bandwidth: "64KB" }
//	}
//
// At gaps drawn around every, one random live node's links are throttled
// to bandwidth (bytes per second) for a time drawn around lasts; one node
// at a time.

// SlowLinkSpec is faults.slow_link.
type SlowLinkSpec struct {
	Every, Lasts time.Duration
	Bandwidth    int64 // bytes per second
}

// Bounds of slow_link's bandwidth.
const (
	minBandwidth = 1 << 10
	maxBandwidth = 1 << 40
)

// SetBandwidth throttles the links between node host and the other nodes
// to bytesPerSec (0: unthrottled).
func (w *World) SetBandwidth(host string, bytesPerSec int64) {
	w.noteSlow(host, w.now)
	if bytesPerSec <= 0 {
		delete(w.bandwidth, host)
		w.Note("bandwidth", host+" unthrottled")
		return
	}
	w.bandwidth[host] = bytesPerSec
	w.Note("bandwidth", fmt.Sprintf("%s %d B/s", host, bytesPerSec))
}

// noteSlow records that host's links are impaired until at least until.
func (w *World) noteSlow(host string, until int64) {
	w.slowUntil[host] = max(w.slowUntil[host], until)
}

// slowed reports whether host is throttled now or its throttled links
// still hold a backlog.
func (w *World) slowed(host string) bool {
	return w.bandwidth[host] > 0 || w.slowUntil[host] > w.now
}

// anySlowed reports whether some host is throttled or still drains a
// backlog: the liveness round waits for that tail of a slow_link fault
// (a backlog behind which keep-alives wait can still close a route).
func (w *World) anySlowed() bool {
	for _, h := range w.hostOrder {
		if w.slowed(h.name) {
			return true
		}
	}
	return false
}

// wireDelay is how long n bytes take on the link between nodes a and b
// (the slower end's bandwidth), 0 if neither is throttled or one is not
// a node.
func (w *World) wireDelay(a, b string, n int) int64 {
	if w.nodes[a] == nil || w.nodes[b] == nil {
		return 0
	}
	bw := w.bandwidth[a]
	if o := w.bandwidth[b]; o > 0 && (bw == 0 || o < bw) {
		bw = o
	}
	if bw == 0 {
		return 0
	}
	return mulDiv(int64(n), int64(time.Second), bw)
}

// throttle returns the due time of a write of n bytes on p that would
// otherwise be due at at: after the wire has carried it.
func (p *pipe) throttle(e *end, n int, at int64) int64 {
	w := p.w
	peer := e.peer()
	if len(w.bandwidth) == 0 || peer == nil {
		return at // the common case, on every write: nothing is throttled
	}
	d := w.wireDelay(e.host().name, peer.host().name, n)
	if d == 0 {
		return at
	}
	p.wireFree = max(p.wireFree, w.now) + d
	due := max(at, p.wireFree+int64(w.opts.LatencyMin))
	w.noteSlow(e.host().name, due)
	w.noteSlow(peer.host().name, due)
	return due
}

func parseSlowLink(f *fields, sc *Scenario) error {
	v, ok := f.get("slow_link")
	if !ok {
		return nil
	}
	b, err := blockFields("faults.slow_link", v, "every", "lasts", "bandwidth")
	if err != nil {
		return err
	}
	spec := &SlowLinkSpec{}
	if err := firstError([]error{
		b.require("every", "lasts", "bandwidth"),
		b.duration("every", &spec.Every, 2*time.Millisecond, maxScenarioDuration),
		b.duration("lasts", &spec.Lasts, time.Millisecond, maxScenarioDuration),
		b.size("bandwidth", &spec.Bandwidth, minBandwidth, maxBandwidth),
	}); err != nil {
		return err
	}
	sc.Faults.SlowLink = spec
	return nil
}

func (r *run) nextSlowLink(spec SlowLinkSpec) {
	w := r.w
	w.After(w.around(spec.Every), func() {
		if !r.faults {
			return
		}
		n := r.randomLiveNode()
		if n == nil {
			r.nextSlowLink(spec)
			return
		}
		w.SetBandwidth(n.Name(), spec.Bandwidth)
		w.After(w.around(spec.Lasts), func() {
			w.SetBandwidth(n.Name(), 0)
			r.nextSlowLink(spec)
		})
	})
}
