package sim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Randomized faults between the nodes of a cluster, drawn from the
// world's master stream, so each seed gets its own mix and times:
//
//	faults {
//	  partition_random { every: "2500ms", heal_after: "1500ms",
//	                     kinds: [ isolate, split, one_way, bridge, flap ] }
//	  crash_random { every: "3s", restart_after: "1s", max_down: 2 }
//	  route_reset { every: "2s" }
//	}
//
// partition_random: after a gap drawn uniformly in [every/2, 3*every/2),
// one partition of a kind drawn from kinds starts and heals after a time
// drawn the same way around heal_after; then the next gap begins. Kinds:
// isolate cuts one node off both ways; split cuts a random minority from
// the majority both ways; one_way stops one node's traffic to the others
// (or theirs to it); bridge cuts the nodes into two sides that cannot
// talk to each other but both reach one bridge node; flap is a split that
// switches on and off every flapPeriodMin–flapPeriodMax. Bytes written
// across a cut are held, not lost, so a heal delivers them late (message
// delay), unless the route's pings close the connection first.
//
// crash_random: at gaps drawn around every, a random live node crashes
// (losing or tearing what it had not synced) and restarts after a time
// drawn around restart_after; max_down (default: no limit) bounds the
// nodes down at once.
//
// route_reset: at gaps drawn around every, one random live connection
// between two nodes is reset; the routes reconnect, and what was in
// flight on it is lost (reordering across connections).

// Partition kinds of partition_random.
var partitionKinds = []string{"isolate", "split", "one_way", "bridge", "flap"}

// Flapping partitions switch state after a period drawn in this range.
const (
	flapPeriodMin = 50 * time.Millisecond
	flapPeriodMax = 300 * time.Millisecond
)

// RandomPartitionSpec is faults.partition_random.
type RandomPartitionSpec struct {
	Every, Heal time.Duration
	Kinds       []string
}

// RandomCrashSpec is faults.crash_random.
type RandomCrashSpec struct {
	Every, Down time.Duration
	MaxDown     int // 0: no limit
}

func parseRandomPartitions(f *fields, sc *Scenario) error {
	v, ok := f.get("partition_random")
	if !ok {
		return nil
	}
	b, err := blockFields("faults.partition_random", v, "every", "heal_after", "kinds")
	if err != nil {
		return err
	}
	if err := b.require("every", "heal_after"); err != nil {
		return err
	}
	spec := &RandomPartitionSpec{}
	if err := firstError([]error{
		b.duration("every", &spec.Every, 2*time.Millisecond, maxScenarioDuration),
		b.duration("heal_after", &spec.Heal, 2*time.Millisecond, maxScenarioDuration),
	}); err != nil {
		return err
	}
	if spec.Kinds, err = b.words("kinds", partitionKinds); err != nil {
		return err
	}
	if len(sc.Topology.Nodes) < 2 {
		return posError(v.Pos, "faults.partition_random: needs at least two nodes")
	}
	sc.Faults.RandomPartitions = spec
	return nil
}

func parseRandomCrashes(f *fields, sc *Scenario) error {
	v, ok := f.get("crash_random")
	if !ok {
		return nil
	}
	b, err := blockFields("faults.crash_random", v, "every", "restart_after", "max_down")
	if err != nil {
		return err
	}
	if err := b.require("every", "restart_after"); err != nil {
		return err
	}
	spec := &RandomCrashSpec{}
	if err := firstError([]error{
		b.duration("every", &spec.Every, 2*time.Millisecond, maxScenarioDuration),
		b.duration("restart_after", &spec.Down, 2*time.Millisecond, maxScenarioDuration),
		b.integer("max_down", &spec.MaxDown, 1, maxScenarioNodes),
	}); err != nil {
		return err
	}
	sc.Faults.RandomCrashes = spec
	return nil
}

func parseRouteReset(f *fields, sc *Scenario) error {
	b, err := single(f, "route_reset", "every")
	if b == nil || err != nil {
		return err
	}
	if len(sc.Topology.Nodes) < 2 {
		return f.errorf("route_reset", "needs at least two nodes")
	}
	return b.duration("every", &sc.Faults.RouteResetEvery, time.Millisecond, maxScenarioDuration)
}

// randomNode picks, from the master stream, one of the nodes ok accepts,
// or nil if there is none (and then draws nothing).
func (r *run) randomNode(ok func(*NodeHandle) bool) *NodeHandle {
	var picks []*NodeHandle
	for _, n := range r.nodes {
		if ok(n) {
			picks = append(picks, n)
		}
	}
	if len(picks) == 0 {
		return nil
	}
	return picks[r.w.rng.IntN(len(picks))]
}

// around draws a duration uniformly in [d/2, 3d/2).
func (w *World) around(d time.Duration) time.Duration {
	return d/2 + time.Duration(w.rng.Int64N(int64(d)))
}

// scheduleRandomFaults arms partition_random, crash_random and
// route_reset.
func (r *run) scheduleRandomFaults() {
	f := r.sc.Faults
	if f.RandomPartitions != nil {
		r.nextRandomPartition(*f.RandomPartitions)
	}
	if f.RandomCrashes != nil {
		r.nextRandomCrash(*f.RandomCrashes)
	}
	if f.RouteResetEvery > 0 {
		r.nextRouteReset(f.RouteResetEvery)
	}
}

func (r *run) nodeNames() []string {
	out := make([]string, len(r.nodes))
	for i, n := range r.nodes {
		out[i] = n.Name()
	}
	return out
}

func (r *run) nextRandomPartition(spec RandomPartitionSpec) {
	w := r.w
	w.After(w.around(spec.Every), func() {
		if !r.faults {
			return
		}
		kind := spec.Kinds[w.rng.IntN(len(spec.Kinds))]
		links := r.drawCut(kind)
		w.blockLinks(links, kind)
		heal := w.around(spec.Heal)
		if kind == "flap" {
			r.flap(links, true, heal)
		}
		w.After(heal, func() {
			w.unblockLinks(links)
			r.nextRandomPartition(spec)
		})
	})
}

// flap switches links on and off until the partition's heal time.
func (r *run) flap(links []link, on bool, left time.Duration) {
	w := r.w
	d := flapPeriodMin + time.Duration(w.rng.Int64N(int64(flapPeriodMax-flapPeriodMin)))
	if d >= left {
		return
	}
	w.After(d, func() {
		if !r.faults {
			return
		}
		if on {
			w.unblockLinks(links)
		} else {
			w.blockLinks(links, "flap")
		}
		r.flap(links, !on, left-d)
	})
}

// drawCut picks the links one partition of kind cuts.
func (r *run) drawCut(kind string) []link {
	w := r.w
	names := r.nodeNames()
	w.rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	switch kind {
	case "isolate":
		return cutBoth(names[:1], names[1:])
	case "split", "flap":
		k := 1 + w.rng.IntN(max(1, (len(names)-1)/2))
		return cutBoth(names[:k], names[k:])
	case "one_way":
		if w.rng.IntN(2) == 0 {
			return cutFrom(names[:1], names[1:])
		}
		return cutFrom(names[1:], names[:1])
	case "bridge":
		rest := names[1:] // names[0] is the bridge
		k := max(1, len(rest)/2)
		return cutBoth(rest[:k], rest[k:])
	}
	panic("sim: unknown partition kind " + kind)
}

func cutFrom(from, to []string) []link {
	var out []link
	for _, f := range from {
		for _, t := range to {
			out = append(out, link{f, t})
		}
	}
	return out
}

func cutBoth(a, b []string) []link { return append(cutFrom(a, b), cutFrom(b, a)...) }

// blockLinks stops delivery on each link (one direction each).
func (w *World) blockLinks(links []link, why string) {
	var desc []string
	for _, l := range links {
		w.blocked[l] = true
		desc = append(desc, l.from+"->"+l.to)
	}
	w.updateCuts()
	w.Note("partition", why+": "+strings.Join(desc, " "))
}

// unblockLinks restores each link and restarts delivery held up on it.
func (w *World) unblockLinks(links []link) {
	for _, l := range links {
		delete(w.blocked, l)
	}
	w.updateCuts()
	w.Note("unpartition", fmt.Sprint(len(links), " links"))
	for _, id := range slices.Sorted(maps.Keys(w.conns)) {
		for _, e := range w.conns[id].ends {
			if e != nil && (e.out.pending() || e.out.rst) {
				e.out.kick(w.now)
			}
		}
	}
}

func (r *run) nextRandomCrash(spec RandomCrashSpec) {
	w := r.w
	w.After(w.around(spec.Every), func() {
		if !r.faults {
			return
		}
		down := 0
		for _, n := range r.nodes {
			if !n.Alive() {
				down++
			}
		}
		if spec.MaxDown == 0 || down < spec.MaxDown {
			if n := r.randomLiveNode(); n != nil {
				n.Crash()
				w.After(w.around(spec.Down), func() { r.restartNode(n) })
			}
		}
		r.nextRandomCrash(spec)
	})
}

func (r *run) nextRouteReset(every time.Duration) {
	w := r.w
	w.After(w.around(every), func() {
		if !r.faults {
			return
		}
		if ids := w.connsBetween(r.nodeNames()); len(ids) > 0 {
			w.ResetConn(ids[w.rng.IntN(len(ids))])
		}
		r.nextRouteReset(every)
	})
}

// connsBetween lists, in order, the live connections whose two ends are
// both on hosts among names.
func (w *World) connsBetween(names []string) []uint64 {
	var ids []uint64
	for _, id := range slices.Sorted(maps.Keys(w.conns)) {
		c := w.conns[id]
		a, b := c.ends[0], c.ends[1]
		if a == nil || b == nil || a.finished || b.finished {
			continue
		}
		if slices.Contains(names, a.host().name) && slices.Contains(names, b.host().name) {
			ids = append(ids, id)
		}
	}
	return ids
}
