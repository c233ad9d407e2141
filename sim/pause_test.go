package sim

import (
	"testing"
	"time"
)

// TestPauseHoldsEventsAndKeepsTheClockMoving: a timer due during a pause
// fires at the resume, in order with the host's other held events, and
// the host's clock shows the time that passed; a crash drops what was
// held.
func TestPauseHoldsEventsAndKeepsTheClockMoving(t *testing.T) {
	w := NewWorld(1, Options{})
	h := w.Host("a")
	var fired []string
	var firedAt []time.Duration
	at := func(name string) func() {
		return func() {
			fired = append(fired, name)
			firedAt = append(firedAt, w.Elapsed())
		}
	}
	h.Clock().AfterFunc(time.Second, at("first"))
	h.Clock().AfterFunc(1500*time.Millisecond, at("second"))
	stopped := h.Clock().AfterFunc(1200*time.Millisecond, at("stopped"))
	h.Clock().AfterFunc(4*time.Second, at("after"))
	w.RunFor(500 * time.Millisecond)
	if !w.Pause("a", 2*time.Second) || w.Pause("a", time.Second) {
		t.Fatal("the first pause must take, a second one while paused must not")
	}
	w.RunFor(time.Second)
	if len(fired) != 0 || !w.Paused("a") {
		t.Fatalf("fired %v during the pause", fired)
	}
	if !stopped.Stop() {
		t.Fatal("a held timer has not fired: Stop must report true")
	}
	clockBefore := h.Clock().Now()
	w.RunFor(2 * time.Second)
	want := []string{"first", "second"}
	if len(fired) != 2 || fired[0] != want[0] || fired[1] != want[1] {
		t.Fatalf("fired %v, want %v", fired, want)
	}
	for _, d := range firedAt {
		if d != 2500*time.Millisecond {
			t.Fatalf("held timers fired at %v, want the resume at 2.5s", firedAt)
		}
	}
	if got := h.Clock().Now().Sub(clockBefore); got != 2*time.Second {
		t.Fatalf("the host clock moved %v in 2s", got)
	}
	w.RunFor(2 * time.Second)
	if len(fired) != 3 || firedAt[2] != 4*time.Second {
		t.Fatalf("a timer due after the pause fired at %v, want 4s (%v)", firedAt, fired)
	}

	h.Clock().AfterFunc(time.Second, at("lost"))
	w.Pause("a", 5*time.Second)
	w.RunFor(2 * time.Second)
	w.Crash("a")
	w.Restart("a")
	w.RunFor(5 * time.Second)
	if len(fired) != 3 {
		t.Fatalf("a crash during a pause must drop held events; fired %v", fired)
	}
}
