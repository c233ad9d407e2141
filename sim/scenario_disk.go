package sim

import (
	"slices"
	"time"
)

// Disk faults and power loss, scenario-file side (the host side is
// disk_faults.go):
//
//	faults {
//	  disk_error { every: "2s", ops: [ write, sync, read ] }
//	  disk_full { every: "4s", lasts: "1s" }
//	  bitflip { every: "3s", on: [ read, rest ], max_nodes: 1 }
//	  power_loss [ { at: "8s", restart_after: "1s" } ]
//	}
//
// disk_error: at gaps drawn around every, a random live node's next file
// operation of a kind drawn from ops (default all three) fails with EIO.
// disk_full: at gaps drawn around every, a random live node's disk is
// full for a time drawn around lasts: writes fail with ENOSPC.
// bitflip: at gaps drawn around every, one bit goes bad on a node drawn
// from max_nodes nodes chosen at the start (default, and at most: a
// minority, f of 2f+1, the corruption the design claims to tolerate;
// with beyond_tolerance: true, up to every node, and if the nodes that
// reported corruption leave no majority the group need not be live, only
// safe: it must halt or report rather than serve wrong data), in
// a way drawn from on: "read" damages the node's next read (the stored
// bytes are intact), "rest" flips a bit of a stored file, synced contents
// included.
// power_loss: at each at, every node crashes at once (each disk keeps what
// it synced, unsynced writes are lost or torn) and all restart
// restart_after later.
//
// With js_publish (one node) the faults hit the stream's files, and
// bitflip needs beyond_tolerance: true: one node cannot repair a flipped
// stored bit, only report what it lost.
//
// A node's storage stops on an I/O error or a checksum failure (the RAFT
// member halts, see raftgroup; a stream's store fails and refuses writes); a supervisor, as an operator's service
// manager would, restarts a halted node (a crash, then a boot)
// supervisorRestart later; the heal restarts every halted node. A node
// that reports corruption of what it stored (a bit flipped at rest)
// stays down: the check halt-or-report accepts that, and requires of a
// node with a bit flipped at rest that it either reported it or holds
// exactly what the others hold.

// DiskFaultSpec is the disk part of faults { }.
type DiskFaultSpec struct {
	ErrorEvery time.Duration
	ErrorOps   []diskOpKind
	FullEvery  time.Duration
	FullLasts  time.Duration
	FlipEvery  time.Duration
	FlipOn     []string // "read", "rest"
	FlipNodes  int
	FlipBeyond bool // max_nodes may exceed a minority
	PowerLoss  []PowerLossSpec
}

// PowerLossSpec is one faults.power_loss entry.
type PowerLossSpec struct {
	At, Down time.Duration
}

// The supervisor's period and restart delay.
const (
	supervisorPeriod  = 250 * time.Millisecond
	supervisorRestart = time.Second
)

var bitflipKinds = []string{"read", "rest"}

func (d *DiskFaultSpec) any() bool {
	return d != nil && (d.ErrorEvery > 0 || d.FullEvery > 0 || d.FlipEvery > 0 || len(d.PowerLoss) > 0)
}

// flipsAtRest reports whether stored bits may flip.
func (d *DiskFaultSpec) flipsAtRest() bool {
	return d != nil && d.FlipEvery > 0 && slices.Contains(d.FlipOn, "rest")
}

func parseDiskFaults(f *fields, sc *Scenario) error {
	d := &DiskFaultSpec{}
	steps := []func(*fields, *Scenario, *DiskFaultSpec) error{parseDiskError, parseDiskFull, parseBitflip, parsePowerLoss}
	for _, step := range steps {
		if err := step(f, sc, d); err != nil {
			return err
		}
	}
	if !d.any() {
		return nil
	}
	if !hasRaftKV(sc) && !hasJS(sc) {
		for _, k := range []string{"disk_error", "disk_full", "bitflip", "power_loss"} {
			if f.has(k) {
				return f.errorf(k, "needs a raft_kv or js_publish workload (only RAFT and stream storage use the disk so far)")
			}
		}
	}
	sc.Faults.Disk = d
	return nil
}

func parseDiskError(f *fields, sc *Scenario, d *DiskFaultSpec) error {
	v, ok := f.get("disk_error")
	if !ok {
		return nil
	}
	b, err := blockFields("faults.disk_error", v, "every", "ops")
	if err != nil {
		return err
	}
	if err := b.require("every"); err != nil {
		return err
	}
	if err := b.duration("every", &d.ErrorEvery, 2*time.Millisecond, maxScenarioDuration); err != nil {
		return err
	}
	names, err := b.words("ops", diskOpKindNames[:])
	for _, n := range names {
		d.ErrorOps = append(d.ErrorOps, diskOpKind(slices.Index(diskOpKindNames[:], n)))
	}
	return err
}

func parseDiskFull(f *fields, sc *Scenario, d *DiskFaultSpec) error {
	v, ok := f.get("disk_full")
	if !ok {
		return nil
	}
	b, err := blockFields("faults.disk_full", v, "every", "lasts")
	if err != nil {
		return err
	}
	if err := b.require("every", "lasts"); err != nil {
		return err
	}
	return firstError([]error{
		b.duration("every", &d.FullEvery, 2*time.Millisecond, maxScenarioDuration),
		b.duration("lasts", &d.FullLasts, 2*time.Millisecond, maxScenarioDuration),
	})
}

func parseBitflip(f *fields, sc *Scenario, d *DiskFaultSpec) error {
	v, ok := f.get("bitflip")
	if !ok {
		return nil
	}
	b, err := blockFields("faults.bitflip", v, "every", "on", "max_nodes", "beyond_tolerance")
	if err != nil {
		return err
	}
	if err := b.require("every"); err != nil {
		return err
	}
	if err := b.boolean("beyond_tolerance", &d.FlipBeyond); err != nil {
		return err
	}
	minority := (len(sc.Topology.Nodes) - 1) / 2
	switch {
	case hasJS(sc) && !d.FlipBeyond:
		// one node: any flipped stored bit is beyond what it can repair
		return posError(v.Pos, "faults.bitflip: js_publish runs on one node; set beyond_tolerance: true")
	case hasJS(sc):
		minority = 1
	case minority == 0:
		return posError(v.Pos, "faults.bitflip: needs at least three nodes (corruption on a minority of them)")
	}
	d.FlipNodes = minority
	limit := minority
	if d.FlipBeyond {
		limit = len(sc.Topology.Nodes)
	}
	if err := firstError([]error{
		b.duration("every", &d.FlipEvery, 2*time.Millisecond, maxScenarioDuration),
		b.integer("max_nodes", &d.FlipNodes, 1, limit),
	}); err != nil {
		return err
	}
	d.FlipOn, err = b.words("on", bitflipKinds)
	return err
}

func parsePowerLoss(f *fields, sc *Scenario, d *DiskFaultSpec) error {
	list, err := f.entries("power_loss", "at", "restart_after")
	if err != nil {
		return err
	}
	if len(list) > maxFaultEntries {
		return f.errorf("power_loss", "%d entries; at most %d", len(list), maxFaultEntries)
	}
	for _, e := range list {
		var p PowerLossSpec
		if err := firstError([]error{
			e.require("at", "restart_after"),
			e.duration("at", &p.At, 0, sc.Duration),
			e.duration("restart_after", &p.Down, 0, maxScenarioDuration),
		}); err != nil {
			return err
		}
		if p.At >= sc.Duration {
			return e.errorf("at", "%v is not within the %v fault phase", p.At, sc.Duration)
		}
		d.PowerLoss = append(d.PowerLoss, p)
	}
	return nil
}
