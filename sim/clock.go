package sim

import (
	"time"

	"jsnode/clock"
)

// hostClock is one host incarnation's clock: virtual time plus the host's
// skew. Its timers are events owned by the incarnation, so a crashed
// host's timers never fire.
type hostClock struct {
	inc *incarnation
}

var _ clock.Clock = (*hostClock)(nil)

// Now returns virtual time shifted by the host's skew.
func (c *hostClock) Now() time.Time {
	h := c.inc.host
	return Epoch.Add(time.Duration(h.w.now) + h.skew)
}

// AfterFunc schedules f as an event d from now; d <= 0 runs on a later
// step, never inside this call.
func (c *hostClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	h := c.inc.host
	t := &simTimer{id: h.w.newID()}
	t.ev = h.w.schedule(int64(d), c.inc, func() {
		t.fired = true
		h.w.record(h.name, "timer", t.id, nil)
		f()
	})
	return t
}

// simTimer is a pending AfterFunc.
type simTimer struct {
	id    uint64
	ev    *event
	fired bool
}

// Stop cancels the timer and reports whether it was still pending.
func (t *simTimer) Stop() bool {
	if t.fired || t.ev.cancelled {
		return false
	}
	if t.ev.inc != nil && t.ev.inc.dead {
		return false
	}
	t.ev.cancelled = true
	return true
}
