package sim

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	"jsnode/clock"
	"jsnode/disk"
	"jsnode/disk/faultfs"
	"jsnode/disk/memfs"
	"jsnode/net"
)

// Host is one machine in the world: a name, a skewed clock, a network
// stack, a disk and random streams. A host runs a node or sim clients.
// Crashing a host ends its incarnation (timers, connections, listeners)
// and keeps only what its disk had made durable; Restart starts a new one.
type Host struct {
	w    *World
	name string
	// rng drives this host's simulator choices (latency of its writes,
	// read splits, Buggify); seeds derives each incarnation's node stream
	// and disk crash seeds. Both come from the master stream when the host
	// is created, so events elsewhere do not perturb them.
	rng   *rand.Rand
	seeds *rand.Rand
	skew  time.Duration

	inc       *incarnation
	listeners map[int]*listener
	ends      map[uint64]*end
	nextPort  int
	// mem is what the disk holds; fs is mem seen through disk, the
	// injector of the scenario's disk faults (disk_faults.go).
	mem     *memfs.FS
	disk    *hostDisk
	fs      disk.FS
	crashes int
	// cuts are the intervals the host was partitioned from some peer
	// (cuts.go).
	cuts []span
	// pauses are the intervals the host's process was paused (pause.go).
	pauses []span
	// syncStats count the sync jobs of every incarnation (syncer.go).
	syncStats SyncStats
}

// incarnation is one life of a host between crashes. Everything a node
// was handed (clock, network, rand) belongs to one incarnation.
type incarnation struct {
	host *Host
	n    int
	dead bool
	// pausedUntil, while in the future, holds the incarnation's events
	// due before it in held, in the order they came due (pause.go).
	pausedUntil int64
	held        []*event
	clock       *hostClock
	net         *hostNet
	rand        *rand.Rand
	log         *Logger
	syncer      *hostSyncer
}

// First port handed out for Listen(":0") and outbound connections.
const firstEphemeralPort = 32768

// Host returns the named host, creating it on first use.
func (w *World) Host(name string) *Host { return w.hostFrom(name, w.rng) }

// hostFrom is Host, drawing a new host's streams from src: observers
// that must not shift the master stream's later choices (the timing
// probes) pass a stream of their own.
func (w *World) hostFrom(name string, src *rand.Rand) *Host {
	if h, ok := w.hosts[name]; ok {
		return h
	}
	h := &Host{
		w:         w,
		name:      name,
		rng:       rand.New(rand.NewPCG(src.Uint64(), src.Uint64())),
		seeds:     rand.New(rand.NewPCG(src.Uint64(), src.Uint64())),
		listeners: make(map[int]*listener),
		ends:      make(map[uint64]*end),
		nextPort:  firstEphemeralPort,
	}
	if w.opts.MaxSkew > 0 {
		span := 2*int64(w.opts.MaxSkew) + 1
		h.skew = time.Duration(h.rng.Int64N(span) - int64(w.opts.MaxSkew))
	}
	h.disk = &hostDisk{h: h}
	h.setDisk(memfs.New())
	h.startIncarnation()
	w.hosts[name] = h
	w.hostOrder = append(w.hostOrder, h)
	w.record(name, "host-new", 0, nil)
	return h
}

// Hosts lists host names in creation order.
func (w *World) Hosts() []string {
	names := make([]string, len(w.hostOrder))
	for i, h := range w.hostOrder {
		names[i] = h.name
	}
	return names
}

func (h *Host) startIncarnation() {
	n := 1
	if h.inc != nil {
		n = h.inc.n + 1
	}
	inc := &incarnation{host: h, n: n}
	inc.clock = &hostClock{inc: inc}
	inc.net = &hostNet{inc: inc}
	inc.rand = rand.New(rand.NewPCG(h.seeds.Uint64(), h.seeds.Uint64()))
	inc.log = &Logger{inc: inc}
	inc.syncer = &hostSyncer{inc: inc}
	h.inc = inc
}

// Name is the host name, also the host part of its addresses.
func (h *Host) Name() string { return h.name }

// World is the world the host lives in.
func (h *Host) World() *World { return h.w }

// Clock is the current incarnation's clock.
func (h *Host) Clock() clock.Clock { return h.inc.clock }

// Net is the current incarnation's network.
func (h *Host) Net() net.Network { return h.inc.net }

// Rand is the current incarnation's random stream, for the node.
func (h *Host) Rand() *rand.Rand { return h.inc.rand }

// FS is the host's disk, with the scenario's disk faults.
func (h *Host) FS() disk.FS { return h.fs }

func (h *Host) setDisk(m *memfs.FS) {
	h.mem = m
	h.fs = faultfs.Wrap(m, h.disk)
}

// Log is the current incarnation's logger.
func (h *Host) Log() *Logger { return h.inc.log }

// Skew is the host clock's fixed offset from true virtual time.
func (h *Host) Skew() time.Duration { return h.skew }

// Alive reports whether the host is up (not crashed since its last start).
func (h *Host) Alive() bool { return !h.inc.dead }

// Incarnation counts the host's lives, starting at 1.
func (h *Host) Incarnation() int { return h.inc.n }

// Crashes counts how often the host has crashed.
func (h *Host) Crashes() int { return h.crashes }

// Buggify is the host's BUGGIFY switch (see World.Buggify), drawing from
// the host's own stream.
func (h *Host) Buggify(site string) bool {
	return h.w.buggifyWith(site, h.name, h.rng)
}

// After schedules f on this incarnation: it never runs if the host
// crashes first. Sim clients use it for their own delays.
func (h *Host) After(d time.Duration, f func()) {
	h.w.schedule(int64(d), h.inc, f)
}

// crash ends the incarnation: its timers and pending events are dropped,
// its connections are reset (peers see ErrReset after one latency), its
// listeners vanish, and the disk keeps only what a crash would leave.
func (h *Host) crash() {
	if h.inc.dead {
		return
	}
	h.crashes++
	h.inc.dead = true
	h.inc.syncer.dropPending()
	h.w.record(h.name, "crash", uint64(h.inc.n), nil)
	h.w.noteEvent(h.name, "crash", "")
	for _, id := range slices.Sorted(maps.Keys(h.ends)) {
		h.ends[id].abort()
	}
	clear(h.listeners)
	h.setDisk(crashFS(h.mem, h.seeds.Uint64()))
}

// restart begins a new incarnation on the crash-surviving disk.
func (h *Host) restart() {
	if !h.inc.dead {
		return
	}
	h.startIncarnation()
	h.w.record(h.name, "restart", uint64(h.inc.n), nil)
	h.w.noteEvent(h.name, "restart", "")
}

// Logger writes a host's log lines to the trace. Notices, warnings and
// errors are folded into the trace hash; debug and trace lines are only
// printed, when Options.TraceLogs is set.
type Logger struct {
	inc *incarnation
}

func (l *Logger) line(level string, hashed bool, format string, v []any) {
	w := l.inc.host.w
	if l.inc.dead {
		return
	}
	if !hashed && (!w.opts.TraceLogs || w.trace.out == nil) {
		return
	}
	msg := level + " " + fmt.Sprintf(format, v...)
	if hashed {
		w.record(l.inc.host.name, "log", 0, []byte(msg))
		return
	}
	w.printTrace(l.inc.host.name, "log", 0, []byte(msg))
}

// Noticef logs at [INF].
func (l *Logger) Noticef(format string, v ...any) { l.line("[INF]", true, format, v) }

// Warnf logs at [WRN].
func (l *Logger) Warnf(format string, v ...any) { l.line("[WRN]", true, format, v) }

// Errorf logs at [ERR].
func (l *Logger) Errorf(format string, v ...any) { l.line("[ERR]", true, format, v) }

// Debugf logs at [DBG].
func (l *Logger) Debugf(format string, v ...any) { l.line("[DBG]", false, format, v) }

// Tracef logs at [TRC].
func (l *Logger) Tracef(format string, v ...any) { l.line("[TRC]", false, format, v) }
