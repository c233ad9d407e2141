package sim

import (
	"fmt"
	"time"
)

// The timing oracle: checks that a node's timers (auth timeout, keep-alive
// PINGs, stale-connection close, raft election and heartbeat) fire when
// their configured durations say, measured in true virtual time from
// outside the node (timing_probe.go, timing_raft.go). A timer of d set on
// a host clock running ppm parts per million fast lasts d*1e6/(1e6+ppm) of
// true time (hostClock.trueDelay); what the observer sees is further
// shifted by the network, by at most the latencies of the messages that
// mark its two ends.

// Names of the timing checks (scenarioChecks).
const (
	checkAuthTimeout     = "timing-auth-timeout"
	checkPingInterval    = "timing-ping-interval"
	checkStaleConnection = "timing-stale-connection"
	checkRaftElection    = "timing-raft-election"
	checkRaftHeartbeat   = "timing-raft-heartbeat"
)

// timingSlack widens every window beyond drift and network: simulated
// events take no virtual time, so only the rounding of drifted timer
// delays (a nanosecond per timer, hostClock.trueDelay) and of the drift
// bounds below is left to cover. A tenth of a millisecond is far above
// that and far below the 10% a broken timer is off by.
const timingSlack = 100 * time.Microsecond

// timingViolationsMax bounds the violations kept per check (the first
// ones matter).
const timingViolationsMax = 5

// timerWindow is the range of true durations an observation of one node
// timer (or a chain of them) may take.
type timerWindow struct {
	lo, hi time.Duration
}

// driftWindow is where timers configured to last between lo and hi on
// a host clock end in true time, for drifts within ±maxPPM (lo on the
// fastest clock, hi on the slowest), widened by timingSlack.
func driftWindow(lo, hi time.Duration, maxPPM int64) timerWindow {
	return timerWindow{
		lo: time.Duration(mulDiv(int64(lo), ppmScale, ppmScale+maxPPM)) - timingSlack,
		hi: time.Duration(mulDiv(int64(hi), ppmScale, ppmScale-maxPPM)) + timingSlack,
	}
}

// shifted widens w by what the network adds to the observation: at
// least netLo, at most netHi (netLo may be negative: when both ends of
// the observation are node messages, the second may travel faster than
// the first).
func (w timerWindow) shifted(netLo, netHi time.Duration) timerWindow {
	return timerWindow{lo: w.lo + netLo, hi: w.hi + netHi}
}

// early and late report whether an observation falls outside w.
func (w timerWindow) early(d time.Duration) bool { return d < w.lo }
func (w timerWindow) late(d time.Duration) bool  { return d > w.hi }

// judge describes an observation outside w ("" if it is within).
func (w timerWindow) judge(d time.Duration) string {
	switch {
	case w.early(d):
		return fmt.Sprintf("%v early: %v, allowed [%v, %v]", w.lo-d, d, w.lo, w.hi)
	case w.late(d):
		return fmt.Sprintf("%v late: %v, allowed [%v, %v]", d-w.hi, d, w.lo, w.hi)
	}
	return ""
}

// netSpan is what the network adds to observations made by a sim host:
// each message takes between min and max one way (World.latency; pipes
// keep order, so a later write never arrives sooner than min after it was
// written nor later than max).
type netSpan struct{ min, max time.Duration }

func netSpanOf(o Options) netSpan { return netSpan{min: o.LatencyMin, max: o.LatencyMin + o.Jitter} }

// between is the shift of an interval whose two ends are messages from
// the node (or a message and the dial's completion, which also travels
// one way): each end is late by min to max.
func (n netSpan) between() (lo, hi time.Duration) { return n.min - n.max, n.max - n.min }

// roundTrip is the shift of an interval from a message the observer sent
// to the node's answer to it.
func (n netSpan) roundTrip() (lo, hi time.Duration) { return 2 * n.min, 2 * n.max }
