package sim

import (
	"container/heap"
	"time"
)

// A process pause (SIGSTOP, a long GC, a VM migration): the host's
// incarnation runs nothing for a while — its timers, deliveries, accepts
// and own delays that come due are held — while the world, the peers and
// the host's own clock move on. On resume the held events run at once, in
// the order they came due, so timers fire late and a backlog of input
// arrives together. A crash during a pause drops what was held.

// maxPause bounds one pause.
const maxPause = time.Minute

// Pause stops host's current incarnation for d (bounded by maxPause); a
// pause of a host already paused or down is ignored. It reports whether
// the host paused.
func (w *World) Pause(host string, d time.Duration) bool {
	inc := w.Host(host).inc
	if inc.dead || inc.pausedUntil > w.now || d <= 0 {
		return false
	}
	d = min(d, maxPause)
	inc.pausedUntil = w.now + int64(d)
	h := inc.host
	h.pauses = append(h.pauses, span{from: w.Elapsed(), to: w.Elapsed() + d})
	w.record(host, "pause", uint64(d), nil)
	w.noteEvent(host, "pause", d.String())
	w.scheduleAt(inc.pausedUntil, nil, func() { w.resume(inc) })
	return true
}

// pausedWithin reports whether the host was paused at some time in
// [from, to]: its timers may have fired late then, legitimately.
func (h *Host) pausedWithin(from, to time.Duration) bool {
	return overlaps(h.pauses, from, to, h.w.Elapsed())
}

// Paused reports whether host is paused now.
func (w *World) Paused(host string) bool {
	return w.Host(host).inc.pausedUntil > w.now
}

// hold keeps ev until the incarnation resumes.
func (inc *incarnation) hold(ev *event) { inc.held = append(inc.held, ev) }

// resume requeues the held events now, in the order they came due.
func (w *World) resume(inc *incarnation) {
	if inc.dead {
		return
	}
	inc.pausedUntil = 0
	w.record(inc.host.name, "resume", uint64(len(inc.held)), nil)
	w.noteEvent(inc.host.name, "resume", "")
	for _, ev := range inc.held {
		if ev.cancelled {
			continue
		}
		w.seq++
		ev.at, ev.seq = w.now, w.seq
		heap.Push(&w.queue, ev)
	}
	inc.held = nil
}
