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
