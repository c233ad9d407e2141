package sim

import (
	"fmt"
	"slices"
)

// haltingPart is a workload part whose service on a node stops on a
// storage error (the RAFT member of raft_kv).
type haltingPart interface {
	// halted reports whether n is up but its service stopped on an error.
	halted(n *NodeHandle) bool
	// reported reports whether n's service stopped because what n stored
	// is corrupt and the node said so: it stays down.
	reported(n *NodeHandle) bool
}

// scheduleDiskFaults arms disk_error, disk_full, bitflip, power_loss and
// the supervisor (scenario_disk.go).
func (r *run) scheduleDiskFaults() {
	d := r.sc.Faults.Disk
	if d == nil {
		return
	}
	if d.ErrorEvery > 0 {
		r.nextDiskError(d)
	}
	if d.FullEvery > 0 {
		r.nextDiskFull(d)
	}
	if d.FlipEvery > 0 {
		r.flipNodes = r.drawNodes(d.FlipNodes)
		r.w.Note("bitflip-nodes", fmt.Sprint(r.flipNodes))
		r.nextBitflip(d)
	}
	for _, p := range d.PowerLoss {
		r.schedulePowerLoss(p)
	}
	r.supervise()
}

// drawNodes picks k distinct nodes.
func (r *run) drawNodes(k int) []string {
	names := r.nodeNames()
	r.w.rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	out := slices.Clone(names[:k])
	slices.Sort(out)
	return out
}

// randomLiveNode picks one live node, or nil.
func (r *run) randomLiveNode() *NodeHandle { return r.randomNode((*NodeHandle).Alive) }

func (r *run) nextDiskError(d *DiskFaultSpec) {
	w := r.w
	w.After(w.around(d.ErrorEvery), func() {
		if !r.faults {
			return
		}
		if n := r.randomLiveNode(); n != nil {
			k := d.ErrorOps[w.rng.IntN(len(d.ErrorOps))]
			n.host.disk.eio[k] = true
			w.Note("disk-error", fmt.Sprintf("%s: next %v fails with EIO", n.Name(), k))
		}
		r.nextDiskError(d)
	})
}

func (r *run) nextDiskFull(d *DiskFaultSpec) {
	w := r.w
	w.After(w.around(d.FullEvery), func() {
		if !r.faults {
			return
		}
		if n := r.randomLiveNode(); n != nil && !n.host.disk.full {
			n.host.disk.full = true
			w.Note("disk-full", n.Name())
			w.After(w.around(d.FullLasts), func() {
				n.host.disk.full = false
				w.Note("disk-space", n.Name())
			})
		}
		r.nextDiskFull(d)
	})
}

func (r *run) nextBitflip(d *DiskFaultSpec) {
	w := r.w
	w.After(w.around(d.FlipEvery), func() {
		if !r.faults {
			return
		}
		n := r.node(r.flipNodes[w.rng.IntN(len(r.flipNodes))])
		switch kind := d.FlipOn[w.rng.IntN(len(d.FlipOn))]; kind {
		case "read":
			n.host.disk.flipReads++
			w.Note("bitflip", n.Name()+": next read damaged")
		case "rest":
			if n.host.disk.flipAtRest() {
				w.Note("bitflip", n.Name()+": a stored bit flipped")
			}
		}
		r.nextBitflip(d)
	})
}

// schedulePowerLoss crashes every node at p.At and restarts them p.Down
// later.
func (r *run) schedulePowerLoss(p PowerLossSpec) {
	w := r.w
	w.After(p.At, func() {
		w.Note("power-loss", "every node")
		for _, n := range r.nodes {
			n.Crash()
		}
		w.After(p.Down, func() {
			for _, n := range r.nodes {
				r.restartNode(n)
			}
		})
	})
}

// supervise restarts, while the faults last, a node whose service halted
// on a storage error, supervisorRestart after it is seen halted.
func (r *run) supervise() {
	w := r.w
	w.After(supervisorPeriod, func() {
		if !r.faults {
			return
		}
		for _, n := range r.nodes {
			if n.Alive() && r.haltedNotReported(n) {
				w.Note("supervisor", n.Name()+" halted: restarting")
				n.Crash()
				w.After(supervisorRestart, func() { r.restartNode(n) })
			}
		}
		r.supervise()
	})
}

// haltedNotReported: some part's service on n halted, and not for
// corruption n reported.
func (r *run) haltedNotReported(n *NodeHandle) bool {
	for _, p := range r.parts {
		if hp, ok := p.(haltingPart); ok && hp.halted(n) && !hp.reported(n) {
			return true
		}
	}
	return false
}

// healDisks disarms every disk fault and crashes every node whose
// service halted (and did not report corruption), for the heal to boot.
func (r *run) healDisks() {
	for _, n := range r.nodes {
		n.host.disk.heal()
		if n.Alive() && r.haltedNotReported(n) {
			r.w.Note("supervisor", n.Name()+" halted: restarting at the heal")
			n.Crash()
		}
	}
}
