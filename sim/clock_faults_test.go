package sim

import (
	"testing"
	"time"
)

// hostOffset is how far h's clock is from true virtual time.
func hostOffset(w *World, h *Host) time.Duration { return h.Clock().Now().Sub(w.Now()) }

// TestClockDriftStretchesNowAndTimers: a clock 1000 ppm fast gains 1ms
// per second and fires a 1s timer after 999.000999ms of true time; a slow
// one loses 1ms per second and fires it after 1.001001001s.
func TestClockDriftStretchesNowAndTimers(t *testing.T) {
	for _, tc := range []struct {
		ppm      int64
		gain     time.Duration // offset gained over 2s
		timerDue time.Duration // true time a 1s timer fires
	}{
		{ppm: 1000, gain: 2 * time.Millisecond, timerDue: 999000999},
		{ppm: -1000, gain: -2 * time.Millisecond, timerDue: 1001001001},
	} {
		w := NewWorld(1, Options{})
		h := w.Host("a")
		if err := h.SetClockDrift(tc.ppm); err != nil {
			t.Fatal(err)
		}
		var firedAt time.Duration
		h.Clock().AfterFunc(time.Second, func() { firedAt = w.Elapsed() })
		w.RunFor(2 * time.Second)
		if firedAt != tc.timerDue {
			t.Fatalf("ppm %d: 1s timer fired at %v, want %v", tc.ppm, firedAt, tc.timerDue)
		}
		if got := hostOffset(w, h); got != tc.gain {
			t.Fatalf("ppm %d: offset after 2s %v, want %v", tc.ppm, got, tc.gain)
		}
		if h.ClockDrift() != tc.ppm {
			t.Fatalf("ClockDrift %d, want %d", h.ClockDrift(), tc.ppm)
		}
	}
}

// TestClockDriftChangeKeepsNowContinuous: changing the rate folds what
// was gained into the skew; Now neither leaps nor loses the gain.
func TestClockDriftChangeKeepsNowContinuous(t *testing.T) {
	w := NewWorld(1, Options{})
	h := w.Host("a")
	if err := h.SetClockDrift(500); err != nil {
		t.Fatal(err)
	}
	w.RunFor(4 * time.Second)
	before := hostOffset(w, h)
	if err := h.SetClockDrift(-250); err != nil {
		t.Fatal(err)
	}
	if after := hostOffset(w, h); after != before || before != 2*time.Millisecond {
		t.Fatalf("offset %v before the change, %v after; want 2ms both", before, after)
	}
	w.RunFor(4 * time.Second)
	if got := hostOffset(w, h); got != time.Millisecond {
		t.Fatalf("offset %v after 4s at -250ppm, want 1ms", got)
	}
	if err := h.SetClockDrift(MaxClockDriftPPM + 1); err == nil {
		t.Fatal("drift beyond MaxClockDriftPPM accepted")
	}
}

// TestClockJumpMovesNowNotTimers: a jump moves Now at once; a timer set
// before it still fires at its virtual due time, and one set after it
// measures its delay from the jump; the jump survives a crash.
func TestClockJumpMovesNowNotTimers(t *testing.T) {
	w := NewWorld(1, Options{})
	h := w.Host("a")
	var early, late time.Duration
	h.Clock().AfterFunc(time.Second, func() { early = w.Elapsed() })
	w.RunFor(500 * time.Millisecond)
	if err := h.JumpClock(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	if got := hostOffset(w, h); got != 2*time.Second {
		t.Fatalf("offset after jump %v, want 2s", got)
	}
	h.Clock().AfterFunc(time.Second, func() { late = w.Elapsed() })
	w.RunFor(2 * time.Second)
	if early != time.Second || late != 1500*time.Millisecond {
		t.Fatalf("timers fired at %v and %v, want 1s and 1.5s", early, late)
	}
	w.Crash("a")
	w.Restart("a")
	if got := hostOffset(w, h); got != 2*time.Second {
		t.Fatalf("offset after restart %v, want the jump kept (2s)", got)
	}
	if h.JumpClock(0) == nil || h.JumpClock(-MaxClockJump-1) == nil || h.JumpClock(MaxClockJump+1) == nil {
		t.Fatal("a zero or oversized jump was accepted")
	}
	mono := h.Clock().Monotonic()
	if err := h.JumpClock(-5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if got := hostOffset(w, h); got != -3*time.Second {
		t.Fatalf("offset after a 5s backward jump %v, want -3s", got)
	}
	w.RunFor(time.Second)
	if got := h.Clock().Monotonic() - mono; got != time.Second {
		t.Fatalf("monotonic clock moved %v over a backward jump and 1s, want 1s", got)
	}
}

// TestClockDriftRestoredAfterRestart: a restarted host's clock starts
// without drift; restoring the drift (as scenarios do) continues exactly
// where the old clock had drifted to.
func TestClockDriftRestoredAfterRestart(t *testing.T) {
	w := NewWorld(1, Options{})
	h := w.Host("a")
	if err := h.SetClockDrift(1000); err != nil {
		t.Fatal(err)
	}
	w.RunFor(3 * time.Second)
	w.Crash("a")
	w.Restart("a")
	if h.ClockDrift() != 0 || hostOffset(w, h) != 0 {
		t.Fatalf("fresh incarnation: drift %d offset %v, want none", h.ClockDrift(), hostOffset(w, h))
	}
	h.restoreClockDrift(1000, 0)
	if got := hostOffset(w, h); got != 3*time.Millisecond {
		t.Fatalf("restored offset %v, want 3ms", got)
	}
}

func TestMulDivSaturates(t *testing.T) {
	if got := mulDiv(1<<62, 1000, 1); got != 1<<63-1 {
		t.Fatalf("mulDiv overflow gave %d", got)
	}
	if got := mulDiv(1<<62, ppmScale, ppmScale); got != 1<<62 {
		t.Fatalf("mulDiv(x, m, m) = %d", got)
	}
}
