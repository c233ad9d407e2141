// Package sim is jsnode's deterministic simulator.
//
// A World runs many hosts (nodes and sim clients) on one goroutine. Every
// action is an event in one queue ordered by (virtual time, sequence), and
// every random choice comes from one seeded PCG stream, or from a stream
// derived from it when a host is created, so the same seed replays the same
// run bit for bit. Each delivered event is folded into a running hash
// (TraceHash); running a seed twice and comparing hashes catches hidden
// nondeterminism such as map iteration order leaking into output.
//
// Hosts see the world only through the seams the production code uses:
// clock.Clock, net.Network, disk.FS, a *rand.Rand and a logger. Faults
// (connection resets, partitions, crashes with disk loss) are injected by
// the scenario through World methods.
//
// Nothing here is safe for use from several goroutines, and every call into
// a node must happen on the goroutine that drives the World.
package sim

import (
	"container/heap"
	"io"
	"math"
	"math/rand/v2"
	"time"
)

// Epoch is the virtual time at which every world starts.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Default network and clock parameters (DefaultOptions).
const (
	DefaultLatencyMin  = 200 * time.Microsecond
	DefaultJitter      = 2 * time.Millisecond
	DefaultMaxSkew     = 50 * time.Millisecond
	DefaultDialTimeout = 2 * time.Second
	DefaultSplitProb   = 0.25
	DefaultReadBuffer  = 64 << 10
)

// Options configure a World.
type Options struct {
	// LatencyMin is the least one-way delay of a write; each write adds a
	// seeded jitter in [0, Jitter).
	LatencyMin time.Duration
	Jitter     time.Duration
	// MaxSkew bounds each host's clock offset, drawn in [-MaxSkew, MaxSkew].
	MaxSkew time.Duration
	// DialTimeout is how long a dial across a partition takes to fail.
	DialTimeout time.Duration
	// SplitProb is the chance that a delivery is cut at a random byte,
	// so parsers see commands split across reads.
	SplitProb float64
	// ReadBuffer bounds the bytes handed over in one Data event.
	ReadBuffer int
	// NoBuggify turns every Buggify site off.
	NoBuggify bool
	// Trace, when set, receives one readable line per delivered event.
	Trace io.Writer
	// TraceLogs also sends node Debugf/Tracef lines to Trace.
	TraceLogs bool
}

// DefaultOptions returns the options most scenarios start from.
func DefaultOptions() Options {
	return Options{
		LatencyMin:  DefaultLatencyMin,
		Jitter:      DefaultJitter,
		MaxSkew:     DefaultMaxSkew,
		DialTimeout: DefaultDialTimeout,
		SplitProb:   DefaultSplitProb,
		ReadBuffer:  DefaultReadBuffer,
	}
}

// World is one simulated universe: virtual time, the event queue, the
// master random stream, hosts, links and connections.
type World struct {
	opts  Options
	seed  uint64
	rng   *rand.Rand
	now   int64 // nanoseconds since Epoch
	seq   uint64
	queue eventQueue

	hosts     map[string]*Host
	hostOrder []*Host
	nodes     map[string]*NodeHandle
	nextID    uint64
	conns     map[uint64]*conn
	blocked   map[link]bool
	bandwidth map[string]int64 // throttled hosts, bytes per second
	slowUntil map[string]int64 // when their backlog has drained
	readBuf   []byte

	trace     traceState
	buggify   buggifyState
	noteHooks []func(at time.Duration, host, kind, detail string)
}

// NewWorld creates a world whose every random choice derives from seed.
func NewWorld(seed uint64, opts Options) *World {
	if opts.ReadBuffer <= 0 {
		opts.ReadBuffer = DefaultReadBuffer
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = DefaultDialTimeout
	}
	w := &World{
		opts:      opts,
		seed:      seed,
		rng:       rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		hosts:     make(map[string]*Host),
		conns:     make(map[uint64]*conn),
		blocked:   make(map[link]bool),
		bandwidth: make(map[string]int64),
		slowUntil: make(map[string]int64),
		readBuf:   make([]byte, opts.ReadBuffer),
	}
	w.trace.init(opts.Trace)
	w.buggify.init(seed)
	return w
}

// Seed returns the seed the world was created with.
func (w *World) Seed() uint64 { return w.seed }

// Options returns the world's options.
func (w *World) Options() Options { return w.opts }

// Now returns the true virtual time (hosts see it plus their skew).
func (w *World) Now() time.Time { return Epoch.Add(time.Duration(w.now)) }

// Elapsed returns the virtual time passed since Epoch.
func (w *World) Elapsed() time.Duration { return time.Duration(w.now) }

// Rand returns the master random stream, for scenario and fault choices.
// Hosts use their own derived streams, so draws here do not perturb them.
func (w *World) Rand() *rand.Rand { return w.rng }

// Pending reports how many events are queued (including cancelled ones
// not yet popped).
func (w *World) Pending() int { return len(w.queue) }

// Step runs the next live event and reports whether there was one.
func (w *World) Step() bool { return w.step(math.MaxInt64) }

// step runs the next live event due by limit, discarding on the way the
// events that will not run (cancelled, of a dead incarnation) and holding
// those of a paused one; it reports whether it ran one.
func (w *World) step(limit int64) bool {
	for len(w.queue) > 0 && w.queue[0].at <= limit {
		ev := heap.Pop(&w.queue).(*event)
		if ev.cancelled || (ev.inc != nil && ev.inc.dead) {
			continue
		}
		if ev.inc != nil && ev.at < ev.inc.pausedUntil {
			ev.inc.hold(ev)
			continue
		}
		if ev.at > w.now {
			w.now = ev.at
		}
		ev.fn()
		return true
	}
	return false
}

// RunFor runs every event due within d, then leaves the clock at now+d.
func (w *World) RunFor(d time.Duration) {
	end := w.now + int64(d)
	for w.step(end) {
	}
	if end > w.now {
		w.now = end
	}
}

// RunUntil runs events until cond holds (checked before each event) or
// virtual time would pass now+limit, and returns cond's final value. If
// the queue empties first, the clock stays where the last event left it.
func (w *World) RunUntil(cond func() bool, limit time.Duration) bool {
	end := w.now + int64(limit)
	for {
		if cond() {
			return true
		}
		if len(w.queue) == 0 {
			return false
		}
		if w.queue[0].at > end {
			w.now = end
			return cond()
		}
		w.step(end)
	}
}

// After schedules f to run after d on the world's own behalf (scenario
// drivers and fault schedules); it belongs to no host and survives crashes.
func (w *World) After(d time.Duration, f func()) {
	w.schedule(int64(d), nil, f)
}

// schedule queues f to run delay nanoseconds from now, owned by inc (nil
// for world events). A non-positive delay runs on a later step, never now.
func (w *World) schedule(delay int64, inc *incarnation, f func()) *event {
	if delay < 0 {
		delay = 0
	}
	return w.scheduleAt(w.now+delay, inc, f)
}

func (w *World) scheduleAt(at int64, inc *incarnation, f func()) *event {
	if at < w.now {
		at = w.now
	}
	w.seq++
	ev := &event{at: at, seq: w.seq, inc: inc, fn: f}
	heap.Push(&w.queue, ev)
	return ev
}

// newID returns a fresh identifier for connections and timers.
func (w *World) newID() uint64 {
	w.nextID++
	return w.nextID
}

// latency draws one write's delay from r.
func (w *World) latency(r *rand.Rand) int64 {
	d := int64(w.opts.LatencyMin)
	if w.opts.Jitter > 0 {
		d += r.Int64N(int64(w.opts.Jitter))
	}
	return d
}
