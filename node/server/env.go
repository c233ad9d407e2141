package server

import (
	"math/rand/v2"
	"time"

	"jsnode/clock"
	"jsnode/disk"
	"jsnode/net"
)

// Env is everything a node gets from its host. Production wires real time,
// TCP and files (cmd/jsnode); the simulator wires virtual ones (sim/).
type Env struct {
	Clock clock.Clock
	Net   net.Network
	FS    disk.FS
	// Syncer runs durability work on FS (fsyncs, atomic replacements)
	// off the loop and reports done back on it (disk.Syncer): the seam
	// RAFT logs and stores sync through. Production runs it on a sync
	// goroutine; the simulator after a simulated latency. Nil: see
	// Server.Syncer.
	Syncer disk.Syncer
	// Rand is the node's only source of randomness (nonces, ids, queue
	// member choice). Production seeds it once from crypto/rand.
	Rand *rand.Rand
	Log  Logger
	// Buggify, when set by the simulator, reports whether a rare but legal
	// path should be taken at the named site. Nil in production.
	Buggify func(site string) bool
	// Offload runs work, a pure computation too costly for the loop
	// (a bcrypt comparison, an nkey signature check), somewhere else and
	// then done on the loop as a later event. work must touch nothing the
	// loop owns; done picks up its result. Nil: work runs inline and done
	// as the next event (the simulator and tests).
	Offload func(work, done func())
	// Reload asks the host to reload the configuration as SIGHUP does
	// (the $SYS.REQ.SERVER.<id>.RELOAD request); done runs on the loop,
	// as a later event, with the outcome. Nil: the host cannot (the
	// simulator has no file), and the request is answered so.
	Reload func(done func(err error))
}

// Logger receives the node's log lines, formatted as nats-server does
// ("[INF]" and friends are added by the implementation).
type Logger interface {
	Noticef(format string, v ...any)
	Warnf(format string, v ...any)
	Errorf(format string, v ...any)
	Debugf(format string, v ...any)
	Tracef(format string, v ...any)
}

// offload runs work off the loop when the host can, then done as a later
// event on the loop.
func (e *Env) offload(work, done func()) {
	if e.Offload != nil {
		e.Offload(work, done)
		return
	}
	work()
	e.Clock.AfterFunc(0, done)
}

// inlineSyncer is the Syncer of an Env without one: work runs at once,
// on the loop, and done as the next event (Clock.AfterFunc(0)). It keeps
// the Syncer's rules (done later, after work; FIFO as far as the clock
// runs zero-delay timers in order) but holds the loop for the fsync, so
// it suits tests and tools, not a busy server.
type inlineSyncer struct{ clock clock.Clock }

func (s inlineSyncer) Sync(work func() error, done func(err error)) {
	err := work()
	s.clock.AfterFunc(0, func() { done(err) })
}

// syncer is Env.Syncer, or the inline fallback when it is nil.
func (e *Env) syncer() disk.Syncer {
	if e.Syncer != nil {
		return e.Syncer
	}
	return inlineSyncer{e.Clock}
}

// Syncer is the node's disk.Syncer, for what it runs on Env.FS (RAFT
// groups, stores): Env.Syncer, or without one a fallback that runs work
// inline on the loop and done as the next event.
func (s *Server) Syncer() disk.Syncer { return s.env.syncer() }

// monoOrigin is where monoNow's readings start.
var monoOrigin = time.Unix(0, 0).UTC()

// monoNow is a time on the node's monotonic clock (Clock.Monotonic from a
// fixed origin), for measuring intervals: a step of the wall clock,
// backward or forward, does not move it. It is never shown; Clock.Now is
// what monitoring and events report.
func (e *Env) monoNow() time.Time { return monoOrigin.Add(e.Clock.Monotonic()) }

// buggify is false unless the simulator asks otherwise.
func (e *Env) buggify(site string) bool {
	return e.Buggify != nil && e.Buggify(site)
}
