//go:build mutants

package mutant

import (
	"fmt"
	"time"

	"jsnode/clock"
)

// Enabled reports whether this build can plant mutants (-tags mutants).
const Enabled = true

// active is the planted mutant ("" for none); calls counts the calls at
// each Every site since the last Reset.
var (
	active string
	calls  = map[string]int{}
)

// Set plants the named mutant (one at a time; "" plants none) and resets
// the counters. An unknown name panics: a typo must not pass as "not
// caught".
func Set(name string) {
	if name != "" && Lookup(name) == nil {
		panic(fmt.Sprintf("mutant: unknown mutant %q", name))
	}
	active = name
	Reset()
}

// Active is the planted mutant, or "".
func Active() string { return active }

// Reset clears the Every counters, so each run of a seed sees the same
// sequence of planted faults.
func Reset() { clear(calls) }

// On reports whether the named mutant is planted.
func On(name string) bool { return active == name }

// Every reports whether the named mutant is planted and this call is the
// n-th, 2n-th, ... at its site since the last Reset.
func Every(name string, n int) bool {
	if active != name {
		return false
	}
	calls[name]++
	return calls[name]%n == 0
}

// Clock wraps c so its timers honour the timer mutants (all node timers
// early or late). Wrapping twice does not scale twice.
func Clock(c clock.Clock) clock.Clock {
	if _, ok := c.(skewedClock); ok || c == nil {
		return c
	}
	return skewedClock{c}
}

type skewedClock struct{ clock.Clock }

func (c skewedClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	return c.Clock.AfterFunc(ScaleTimer(d), f)
}

// ScaleTimer is d as the planted timer mutant sets it.
func ScaleTimer(d time.Duration) time.Duration {
	switch active {
	case TimersEarly10:
		return d - d/10
	case TimersEarly50:
		return d - d/2
	case TimersLate10:
		return d + d/10
	}
	return d
}
