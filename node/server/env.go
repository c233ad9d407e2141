package server

import (
	"math/rand/v2"

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

// buggify is false unless the simulator asks otherwise.
func (e *Env) buggify(site string) bool {
	return e.Buggify != nil && e.Buggify(site)
}
