package server

import (
	"time"

	"jsnode/clock"
)

// Shutdown stops accepting, flushes and closes every client, and calls
// done (on the loop) once every connection has closed. Calling it again,
// or after the server stopped, just adds done.
func (s *Server) Shutdown(done func()) {
	if done != nil {
		s.shutdownDone = append(s.shutdownDone, done)
	}
	switch s.state {
	case stateShuttingDown:
		return
	case stateStopped:
		s.maybeFinishShutdown()
		return
	}
	s.log.Noticef("Initiating Shutdown...")
	if s.js != nil {
		s.js.Shutdown()
	}
	s.stopSystem()
	s.state = stateShuttingDown
	s.stopLameDuckTimer()
	s.closeListener()
	s.shutdownCluster()
	for _, c := range s.sortedClients() {
		c.closeConnection(ServerShutdown)
	}
	s.maybeFinishShutdown()
}

// maybeFinishShutdown completes a shutdown once no connection is open.
func (s *Server) maybeFinishShutdown() {
	if s.open > 0 || (s.state != stateShuttingDown && s.state != stateStopped) {
		return
	}
	if s.state == stateShuttingDown {
		s.state = stateStopped
		s.log.Noticef("Server Exiting..")
	}
	done := s.shutdownDone
	s.shutdownDone = nil
	for _, f := range done {
		f()
	}
}

// closeListener stops accepting new connections.
func (s *Server) closeListener() {
	if s.listener != nil {
		s.listener.Close()
		s.listener = nil
	}
}

// lameDuck is the state of a lame-duck drain.
type lameDuck struct {
	timer    clock.Timer
	clients  []*client
	next     int
	batch    int
	interval time.Duration
}

// LameDuck stops accepting, tells clients (INFO "ldm":true) to move to
// another server, waits LameDuckGracePeriod, then closes the clients
// spread over the rest of LameDuckDuration, and finally shuts down and
// calls done.
func (s *Server) LameDuck(done func()) {
	if s.state != stateRunning {
		s.Shutdown(done)
		return
	}
	s.log.Noticef("Entering lame duck mode, stop accepting new clients")
	s.lameDuckEvent()
	s.state = stateLameDuck
	s.closeListener()
	s.clusterLameDuck()
	if done != nil {
		s.shutdownDone = append(s.shutdownDone, done)
	}
	clients := s.sortedClients()
	if len(clients) == 0 {
		s.Shutdown(nil)
		return
	}
	s.ldm = &lameDuck{clients: clients}
	s.ldm.batch, s.ldm.interval = lameDuckPacing(s.opts.LameDuckDuration-s.opts.LameDuckGracePeriod, len(clients))
	info := s.info
	info.LameDuckMode = true
	s.sendAsyncInfo(info)
	s.ldm.timer = s.env.Clock.AfterFunc(s.opts.LameDuckGracePeriod, func() {
		s.log.Noticef("Closing existing clients")
		s.lameDuckCloseNext()
	})
}

// lameDuckPacing spreads n client closes over spread: how many to close
// per step and the nominal pause between steps.
func lameDuckPacing(spread time.Duration, n int) (batch int, interval time.Duration) {
	if spread <= 0 {
		spread = lameDuckMinSpread
	}
	interval = spread / time.Duration(n)
	batch = 1
	switch {
	case interval < 1:
		interval = 1
		batch = int(int64(n) / int64(spread))
	case interval > lameDuckMaxCloseInterval:
		interval = lameDuckMaxCloseInterval
	}
	return max(batch, 1), interval
}

// lameDuckCloseNext closes the next batch of clients, then waits a random
// pause in [interval/2, interval) before the next, and shuts down after
// the last.
func (s *Server) lameDuckCloseNext() {
	ld := s.ldm
	ld.timer = nil
	for i := 0; i < ld.batch && ld.next < len(ld.clients); i++ {
		ld.clients[ld.next].closeConnection(ServerShutdown)
		ld.next++
	}
	if ld.next >= len(ld.clients) {
		s.Shutdown(nil)
		return
	}
	pause := time.Duration(s.env.Rand.Int64N(int64(ld.interval)))
	if pause < ld.interval/2 {
		pause = ld.interval / 2
	}
	ld.timer = s.env.Clock.AfterFunc(pause, s.lameDuckCloseNext)
}

// stopLameDuckTimer cancels a pending lame-duck step.
func (s *Server) stopLameDuckTimer() {
	if s.ldm != nil && s.ldm.timer != nil {
		s.ldm.timer.Stop()
		s.ldm.timer = nil
	}
}
