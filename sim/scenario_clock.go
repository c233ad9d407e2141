package sim

import "math/rand/v2"

// clockStreamSalt derives the stream that draws clock drifts from the
// world seed, so that turning drift on does not shift the master stream's
// fault choices.
const clockStreamSalt = 0x636c6f636b647269 // "clockdri"

// clockRun is a run's clock-fault state: each host's drift and when it
// began, so that a restarted node's new clock continues where the old one
// had drifted to.
type clockRun struct {
	rng   *rand.Rand
	drift map[string]hostDrift
}

type hostDrift struct {
	ppm  int64
	from int64 // world time the drift began
}

// setDrift draws h's drift when the scenario has one and applies it.
func (cr *clockRun) setDrift(r *run, h *Host) {
	maxPPM := r.sc.Faults.MaxDriftPPM
	if maxPPM <= 0 {
		return
	}
	if cr.rng == nil {
		seed := r.w.Seed()
		cr.rng = rand.New(rand.NewPCG(seed^clockStreamSalt, seed+clockStreamSalt))
		cr.drift = make(map[string]hostDrift)
	}
	ppm := cr.rng.Int64N(2*maxPPM+1) - maxPPM
	if err := h.SetClockDrift(ppm); err != nil {
		r.w.Note("clock-drift-failed", err.Error())
		return
	}
	cr.drift[h.name] = hostDrift{ppm: ppm, from: r.w.now}
}

// restore gives a restarted host's new clock the drift it had.
func (cr *clockRun) restore(h *Host) {
	if d, ok := cr.drift[h.name]; ok {
		h.restoreClockDrift(d.ppm, d.from)
	}
}

// scheduleClockJumps arms the scenario's forward jumps; a jump due after
// the fault phase has ended is dropped.
func (r *run) scheduleClockJumps() {
	for _, j := range r.sc.Faults.ClockJumps {
		n := r.node(j.Node)
		if n == nil {
			continue
		}
		r.w.After(j.At, func() {
			if !r.faults {
				return
			}
			if err := n.Host().JumpClock(j.By); err != nil {
				r.w.Note("clock-jump-failed", err.Error())
			}
		})
	}
}
