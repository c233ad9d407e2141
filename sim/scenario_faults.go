package sim

import "time"

// scheduleFaults arms the scenario's faults for the fault phase.
func (r *run) scheduleFaults() {
	f := r.sc.Faults
	if f.ResetEvery > 0 {
		r.scheduleReset(f.ResetEvery)
	}
	for _, cs := range f.Crashes {
		r.scheduleCrash(cs)
	}
	r.scheduleClockJumps()
	r.scheduleLameDucks()
	r.scheduleReloads()
	r.schedulePartitions()
	r.scheduleRandomFaults()
	r.scheduleDiskFaults()
	r.schedulePauses()
	if spec := r.sc.Faults.SlowLink; spec != nil {
		r.nextSlowLink(*spec)
	}
	if spec := r.sc.Faults.ClientPartition; spec != nil {
		r.nextClientPartition(*spec)
	}
}

// scheduleReset resets a random client's connection at intervals drawn
// uniformly in [0, 2*mean) while the fault phase lasts.
func (r *run) scheduleReset(mean time.Duration) {
	w := r.w
	w.After(time.Duration(w.rng.Int64N(2*int64(mean))), func() {
		if !r.faults {
			return
		}
		c := r.clients[w.rng.IntN(len(r.clients))]
		w.ResetRandomConn(c.Host().Name())
		r.scheduleReset(mean)
	})
}

func (r *run) scheduleCrash(cs CrashSpec) {
	w := r.w
	n := r.node(cs.Node)
	if n == nil {
		return
	}
	w.After(cs.At, func() {
		if !n.Alive() {
			return
		}
		n.Crash()
		w.After(cs.Down, func() { r.restartNode(n) })
	})
}

func (r *run) restartNode(n *NodeHandle) {
	if n.Alive() {
		return
	}
	if err := r.bootAgain(n); err != nil {
		r.w.Note("restart-failed", err.Error())
	}
}

// bootAgain starts a fresh server on n (as NodeHandle.Restart does): a
// new incarnation after a crash, the same one after a lame-duck shutdown.
// A new incarnation's clock gets the host's drift back before the server
// is built on it.
func (r *run) bootAgain(n *NodeHandle) error {
	n.host.restart() // a no-op unless the host crashed
	r.clock.restore(n.host)
	r.lameDuckRebooted(n)
	return n.boot()
}

func (r *run) node(name string) *NodeHandle {
	for _, n := range r.nodes {
		if n.Name() == name {
			return n
		}
	}
	return nil
}

// heal ends every fault: partitions heal, BUGGIFY sites that break
// routes stop, and crashed nodes and nodes a lame-duck shutdown stopped
// start again.
func (r *run) heal() error {
	r.w.Heal()
	clear(r.w.bandwidth)
	r.w.EndBuggifyFaults()
	r.healDisks()
	if err := r.healReloads(); err != nil {
		return err
	}
	for _, n := range r.nodes {
		if !n.Alive() || r.stoppedByLameDuck(n) {
			if err := r.bootAgain(n); err != nil {
				return err
			}
		}
	}
	return nil
}
