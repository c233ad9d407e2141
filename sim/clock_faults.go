package sim

import (
	"fmt"
	"strconv"
	"time"
)

// Clock fault bounds.
const (
	// MaxClockDriftPPM bounds a host's drift rate: 1%, far beyond any real
	// crystal (±100 ppm is typical), so tests can exaggerate safely.
	MaxClockDriftPPM = 10_000
	// MaxClockJump bounds one jump, forward or backward.
	MaxClockJump = time.Hour
)

// SetClockDrift makes the host's clock run ppm parts per million fast
// (negative: slow) from now on, for Now and for the delays of timers set
// from now on; pending timers keep their due times. The drift accumulated
// so far is folded into the skew, so Now never leaps when the rate
// changes. Drift belongs to the current incarnation: a restarted host
// starts a clock without drift, keeping only its skew (jumps and folded
// drift included); scenarios set the drift again after each restart.
func (h *Host) SetClockDrift(ppm int64) error {
	if ppm < -MaxClockDriftPPM || ppm > MaxClockDriftPPM {
		return fmt.Errorf("sim: clock drift %d ppm outside ±%d", ppm, MaxClockDriftPPM)
	}
	c := h.inc.clock
	h.skew += c.driftOffset()
	c.monoFold += c.driftOffset()
	c.driftPPM, c.driftFrom = ppm, h.w.now
	h.w.Note("clock-drift", h.name+" "+formatPPM(ppm))
	return nil
}

// restoreClockDrift gives a restarted incarnation's clock the drift its
// host had since from, so Now continues exactly where the drift had
// taken it before the crash.
func (h *Host) restoreClockDrift(ppm, from int64) {
	c := h.inc.clock
	c.driftPPM, c.driftFrom = ppm, from
}

// ClockDrift returns the current incarnation's drift in ppm.
func (h *Host) ClockDrift() int64 { return h.inc.clock.driftPPM }

// JumpClock steps the host's wall clock by d, forward or (d < 0)
// backward, as an NTP step, an operator or a resumed virtual machine
// would: Now leaps at once (and stays moved across restarts), while
// Monotonic and the timers already scheduled are not moved, as timers on
// a monotonic tick are not.
func (h *Host) JumpClock(d time.Duration) error {
	if d == 0 || d > MaxClockJump || d < -MaxClockJump {
		return fmt.Errorf("sim: clock jump %v outside ±%v (and not 0)", d, MaxClockJump)
	}
	h.skew += d
	sign := "+"
	if d < 0 {
		sign = ""
	}
	h.w.Note("clock-jump", h.name+" "+sign+d.String())
	return nil
}

func formatPPM(ppm int64) string {
	s := strconv.FormatInt(ppm, 10)
	if ppm >= 0 {
		s = "+" + s
	}
	return s + "ppm"
}
