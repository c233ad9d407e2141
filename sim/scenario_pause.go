package sim

import "time"

// Process pauses, scenario-file side (the world side is pause.go):
//
//	faults {
//	  pause [ { node: n1, at: "5s", lasts: "2s" } ]
//	  pause_random { every: "3s", lasts: "1500ms" }
//	}
//
// pause: node stops at at for lasts (at most maxPause), then runs what
// came due meanwhile. pause_random: at gaps drawn around every, a random
// live node that is not paused stops for a time drawn around lasts.

// PauseSpec is one faults.pause entry.
type PauseSpec struct {
	Node      string
	At, Lasts time.Duration
}

// RandomPauseSpec is faults.pause_random.
type RandomPauseSpec struct {
	Every, Lasts time.Duration
}

func parsePauses(f *fields, sc *Scenario) error {
	_, list, err := timedEntries(f, sc, "pause", "lasts", time.Millisecond, maxPause)
	for _, t := range list {
		sc.Faults.Pauses = append(sc.Faults.Pauses, PauseSpec{Node: t.node, At: t.at, Lasts: t.extra})
	}
	return err
}

func parseRandomPauses(f *fields, sc *Scenario) error {
	v, ok := f.get("pause_random")
	if !ok {
		return nil
	}
	b, err := blockFields("faults.pause_random", v, "every", "lasts")
	if err != nil {
		return err
	}
	spec := &RandomPauseSpec{}
	if err := firstError([]error{
		b.require("every", "lasts"),
		b.duration("every", &spec.Every, 2*time.Millisecond, maxScenarioDuration),
		b.duration("lasts", &spec.Lasts, time.Millisecond, maxPause/2),
	}); err != nil {
		return err
	}
	sc.Faults.RandomPauses = spec
	return nil
}

// schedulePauses arms pause and pause_random.
func (r *run) schedulePauses() {
	w := r.w
	for _, p := range r.sc.Faults.Pauses {
		w.After(p.At, func() { w.Pause(p.Node, p.Lasts) })
	}
	if spec := r.sc.Faults.RandomPauses; spec != nil {
		r.nextRandomPause(*spec)
	}
}

func (r *run) nextRandomPause(spec RandomPauseSpec) {
	w := r.w
	w.After(w.around(spec.Every), func() {
		if !r.faults {
			return
		}
		running := func(n *NodeHandle) bool { return n.Alive() && !w.Paused(n.Name()) }
		if n := r.randomNode(running); n != nil {
			w.Pause(n.Name(), w.around(spec.Lasts))
		}
		r.nextRandomPause(spec)
	})
}
