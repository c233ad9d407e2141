package clock

import (
	"sort"
	"time"
)

// Manual is a Clock that moves only when Advance is called. It is for unit
// tests of code that runs on a single goroutine; it is not safe for use from
// several goroutines.
type Manual struct {
	start  time.Time
	now    time.Time
	seq    uint64
	timers []*manualTimer
}

type manualTimer struct {
	m       *Manual
	when    time.Time
	seq     uint64
	f       func()
	stopped bool
	fired   bool
}

// NewManual returns a Manual clock reading start.
func NewManual(start time.Time) *Manual { return &Manual{start: start, now: start} }

// Now returns the manual time.
func (m *Manual) Now() time.Time { return m.now }

// Monotonic is how far Advance has moved the clock since NewManual.
func (m *Manual) Monotonic() time.Duration { return m.now.Sub(m.start) }

// AfterFunc schedules f for now+d; it runs during a later Advance.
func (m *Manual) AfterFunc(d time.Duration, f func()) Timer {
	if d < 0 {
		d = 0
	}
	m.seq++
	t := &manualTimer{m: m, when: m.now.Add(d), seq: m.seq, f: f}
	m.timers = append(m.timers, t)
	return t
}

// Stop cancels the timer if it has not fired.
func (t *manualTimer) Stop() bool {
	if t.stopped || t.fired {
		return false
	}
	t.stopped = true
	return true
}

// Advance moves time forward by d, running every timer that comes due in
// order of due time, then of creation. Timers created by callbacks and due
// within the window also run.
func (m *Manual) Advance(d time.Duration) {
	end := m.now.Add(d)
	for {
		t := m.nextDue(end)
		if t == nil {
			break
		}
		if t.when.After(m.now) {
			m.now = t.when
		}
		t.fired = true
		t.f()
	}
	m.now = end
}

// Step runs the one timer that comes due first, if it is due by now, and
// reports whether one ran. It lets a test interleave timer events with
// its own, one at a time.
func (m *Manual) Step() bool {
	t := m.nextDue(m.now)
	if t == nil {
		return false
	}
	t.fired = true
	t.f()
	return true
}

// Pending reports how many timers have neither fired nor been stopped.
func (m *Manual) Pending() int {
	n := 0
	for _, t := range m.timers {
		if !t.stopped && !t.fired {
			n++
		}
	}
	return n
}

func (m *Manual) nextDue(end time.Time) *manualTimer {
	live := m.timers[:0]
	for _, t := range m.timers {
		if !t.stopped && !t.fired {
			live = append(live, t)
		}
	}
	m.timers = live
	sort.Slice(live, func(i, j int) bool {
		if !live[i].when.Equal(live[j].when) {
			return live[i].when.Before(live[j].when)
		}
		return live[i].seq < live[j].seq
	})
	if len(live) == 0 || live[0].when.After(end) {
		return nil
	}
	return live[0]
}
