package sim

import (
	"math"
	"math/bits"
	"time"

	"jsnode/clock"
)

// hostClock is one host incarnation's clock: virtual time plus the host's
// skew, plus the drift accumulated since the drift was set. Its timers are
// events owned by the incarnation, so a crashed host's timers never fire.
//
// Clock faults (see clock_faults.go): skew is a constant offset drawn per
// host; a forward jump adds to the skew, so Now leaps ahead while timers
// already scheduled keep their virtual due times (they run on the host's
// monotonic tick, which a wall-clock step does not move); drift is a rate
// error in parts per million that stretches Now and timer delays alike.
type hostClock struct {
	inc *incarnation
	// From world time driftFrom on, this clock advances (1e6+driftPPM)/1e6
	// times as fast as true time. Zero adds nothing, so a world without
	// drift schedules exactly as it did before drift existed.
	driftPPM  int64
	driftFrom int64
	// monoFold is the drift folded in by rate changes, for Monotonic.
	monoFold time.Duration
}

var _ clock.Clock = (*hostClock)(nil)

// ppmScale is one million: drift rates are in parts per million.
const ppmScale = 1_000_000

// Now returns virtual time shifted by the host's skew (which includes its
// forward jumps) and by the drift accumulated since driftFrom.
func (c *hostClock) Now() time.Time {
	h := c.inc.host
	return Epoch.Add(time.Duration(h.w.now) + h.skew + c.driftOffset())
}

// Monotonic is true virtual time plus the drift this incarnation's clock
// accumulated: skew and jumps, steps of the wall clock, leave it alone.
func (c *hostClock) Monotonic() time.Duration {
	return time.Duration(c.inc.host.w.now) + c.monoFold + c.driftOffset()
}

// driftOffset is how far drift has moved this clock from true time.
func (c *hostClock) driftOffset() time.Duration {
	if c.driftPPM == 0 {
		return 0
	}
	elapsed := c.inc.host.w.now - c.driftFrom
	if elapsed <= 0 {
		return 0
	}
	off := mulDiv(elapsed, absInt64(c.driftPPM), ppmScale)
	if c.driftPPM < 0 {
		off = -off
	}
	return time.Duration(off)
}

// trueDelay converts a delay measured on this clock into virtual time: a
// fast clock (positive drift) reaches d sooner.
func (c *hostClock) trueDelay(d time.Duration) int64 {
	if c.driftPPM == 0 || d <= 0 {
		return int64(d)
	}
	return mulDiv(int64(d), ppmScale, ppmScale+c.driftPPM)
}

// AfterFunc schedules f as an event d (on this clock) from now; d <= 0
// runs on a later step, never inside this call.
func (c *hostClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	h := c.inc.host
	t := &simTimer{id: h.w.newID()}
	t.ev = h.w.schedule(c.trueDelay(d), c.inc, func() {
		t.fired = true
		h.w.record(h.name, "timer", t.id, nil)
		f()
	})
	return t
}

// mulDiv returns a*b/c rounded toward zero for a, b >= 0 and c > 0,
// saturating at math.MaxInt64, without overflowing on the way.
func mulDiv(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(c) {
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, uint64(c))
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(q)
}

func absInt64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
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
