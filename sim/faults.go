package sim

import (
	"maps"
	"slices"
	"strings"

	"jsnode/net"
)

// link is one direction between two hosts.
type link struct{ from, to string }

func (w *World) isBlocked(from, to string) bool {
	return len(w.blocked) > 0 && w.blocked[link{from, to}]
}

// Partition cuts both directions between every host of a and every host
// of b. Bytes written across the cut queue up undelivered (and count in
// the writer's Buffered) until Heal; new dials across it time out.
func (w *World) Partition(a, b []string) {
	w.PartitionOneWay(a, b)
	w.PartitionOneWay(b, a)
}

// PartitionOneWay stops delivery from hosts in from to hosts in to; the
// other direction keeps flowing. Dials need both directions, so dials
// either way across it time out.
func (w *World) PartitionOneWay(from, to []string) {
	for _, f := range from {
		for _, t := range to {
			if f != t {
				w.blocked[link{f, t}] = true
			}
		}
	}
	w.updateCuts()
	w.Note("partition", strings.Join(from, ",")+" -/-> "+strings.Join(to, ","))
}

// Heal removes every partition and restarts delivery on all connections.
func (w *World) Heal() {
	clear(w.blocked)
	w.updateCuts()
	w.Note("heal", "")
	for _, id := range slices.Sorted(maps.Keys(w.conns)) {
		for _, e := range w.conns[id].ends {
			if e != nil && (e.out.pending() || e.out.rst) {
				e.out.kick(w.now)
			}
		}
	}
}

// Partitioned reports whether any partition is in force.
func (w *World) Partitioned() bool { return len(w.blocked) > 0 }

// ConnIDs lists, in order, the live connections with an end on host.
func (w *World) ConnIDs(host string) []uint64 {
	var ids []uint64
	for _, id := range slices.Sorted(maps.Keys(w.conns)) {
		for _, e := range w.conns[id].ends {
			if e != nil && !e.finished && e.host().name == host {
				ids = append(ids, id)
				break
			}
		}
	}
	return ids
}

// ResetConn breaks connection id: both sides see Closed(ErrReset) at once
// and undelivered bytes are lost. It reports whether the connection was
// live.
func (w *World) ResetConn(id uint64) bool {
	c := w.conns[id]
	if c == nil {
		return false
	}
	w.record("world", "reset", id, nil)
	for _, e := range c.ends {
		if e != nil {
			e.finish(net.ErrReset)
		}
	}
	delete(w.conns, id)
	return true
}

// ResetRandomConn resets one of host's live connections, chosen from the
// master stream, and reports whether there was one.
func (w *World) ResetRandomConn(host string) bool {
	ids := w.ConnIDs(host)
	if len(ids) == 0 {
		return false
	}
	return w.ResetConn(ids[w.rng.IntN(len(ids))])
}

// Crash kills host's current incarnation: its pending events and timers
// never run, peers see ErrReset after one latency, its listeners vanish
// and its disk keeps only what a crash would leave.
func (w *World) Crash(host string) {
	w.Host(host).crash()
}

// Restart starts a new incarnation of a crashed host (a new clock,
// network and node random stream over the surviving disk). Sim nodes use
// RestartNode instead, which also builds the new server.
func (w *World) Restart(host string) {
	w.Host(host).restart()
}
