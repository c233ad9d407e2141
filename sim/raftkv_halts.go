package sim

import (
	"errors"
	"fmt"

	"jsnode/disk"
	"jsnode/node/raftlog"
)

// How raft_kv meets disk faults (scenario_disk.go): a member whose
// storage fails stops (raftgroup), the supervisor restarts its node, and
// a member that finds corruption in what it stored reports it and stays
// down. These are the raft_kv side of haltingPart and the check
// halt-or-report.

var _ haltingPart = (*raftKV)(nil)

// diskFaultExplains reports whether err, from opening or running n's
// member, is what an injected disk fault on n leads to: an I/O error, a
// full disk or corruption, on a disk that had a fault.
func (p *raftKV) diskFaultExplains(n *NodeHandle, err error) bool {
	if n.host.disk.injected == 0 {
		return false
	}
	return errors.Is(err, disk.ErrIO) || errors.Is(err, disk.ErrNoSpace) || errors.Is(err, raftlog.ErrCorrupt)
}

// memberErr is why n's member is not running, if it is not.
func (p *raftKV) memberErr(n *NodeHandle) error {
	if err := p.openErr[n.Name()]; err != nil {
		return err
	}
	if s := p.services[n.Name()]; s != nil {
		return s.Group().Err()
	}
	return nil
}

// halted: n is up and its member stopped on an error.
func (p *raftKV) halted(n *NodeHandle) bool {
	return n.Alive() && p.memberErr(n) != nil
}

// reported: n's member stopped on corruption of a file whose bits were
// flipped at rest; once reported, the node stays down.
func (p *raftKV) reported(n *NodeHandle) bool {
	if p.corrupt[n.Name()] {
		return true
	}
	var ce *raftlog.CorruptionError
	err := p.memberErr(n)
	if err == nil || !errors.As(err, &ce) || !n.host.disk.flipped[ce.File] {
		return false // a damaged read, or no corruption: restart it
	}
	p.corrupt[n.Name()] = true
	p.r.w.noteEvent(n.Name(), "corruption-reported", err.Error())
	return true
}

// quorumLost: so many members reported corruption (possible only where a
// scenario injects more than the design tolerates) that the rest are no
// majority. The group is then unavailable, which is the right outcome:
// only safety is checked.
func (p *raftKV) quorumLost() bool {
	down := 0
	for _, n := range p.r.nodes {
		if p.reported(n) {
			down++
		}
	}
	return down > 0 && len(p.r.nodes)-down <= len(p.r.nodes)/2
}

// checkHalts, after the liveness round: no member is stopped unless it
// reported corruption of its disk, and a member reports corruption only
// where bits were flipped (halt-or-report). Every other member serving
// the same state is replicas-converge's part.
func (p *raftKV) checkHalts() []error {
	var errs []error
	for _, n := range p.r.nodes {
		err := p.memberErr(n)
		switch {
		case err == nil:
		case !p.reported(n):
			errs = append(errs, fmt.Errorf("raft_kv: %s's member stopped after the heal: %w", n.Name(), err))
		}
		d := n.host.disk
		if errors.Is(err, raftlog.ErrCorrupt) && d.corruptedAtRest+d.corruptedOnRead == 0 {
			errs = append(errs, violationf("halt-or-report", "raft_kv: %s reports corruption no fault caused: %v", n.Name(), err))
		}
	}
	return errs
}

// addDiskStats counts the disk faults that fired, the nodes that
// reported corruption and the sync jobs.
func (p *raftKV) addDiskStats(stats map[string]int) {
	for _, n := range p.r.nodes {
		d := n.host.disk
		stats["disk-faults"] += d.injected
		stats["bitflips-at-rest"] += d.corruptedAtRest
		stats["bitflips-on-read"] += d.corruptedOnRead
		ss := n.host.SyncStats()
		stats["disk-syncs"] += ss.Done
		stats["disk-syncs-slow"] += ss.Slow
		stats["disk-syncs-dropped"] += ss.Dropped
		if p.corrupt[n.Name()] {
			stats["corruption-reported"]++
		}
	}
}
