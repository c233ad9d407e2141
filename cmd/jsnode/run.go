package main

import (
	crand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"jsnode/clock/wall"
	"jsnode/net/tcp"
	"jsnode/node/server"
)

// shutdownWait bounds how long Shutdown waits for the server to flush and
// close its clients before the loop is stopped anyway (the loop then gives
// each connection its own short flush deadline).
const shutdownWait = 30 * time.Second

// runningNode is a server running on its own event loop over real TCP,
// real time and a crypto-seeded random source.
type runningNode struct {
	loop     *tcp.Loop
	srv      *server.Server // touched only on the loop
	url      string
	stopped  chan struct{} // closed when the server has shut down
	loopDone chan struct{} // closed when the loop goroutine returned
	stopOnce sync.Once
	mon      *monitorServer // the HTTP monitor; nil when off
}

// startNode builds the production Env, then creates and starts the server
// on a new loop. It returns once the listener is bound.
func startNode(opts *server.Options, log server.Logger) (*runningNode, error) {
	return startNodeReloadable(opts, log, nil)
}

// startNodeReloadable is startNode with reload as the node's Env.Reload
// (the $SYS.REQ.SERVER.<id>.RELOAD request); nil: not available.
func startNodeReloadable(opts *server.Options, log server.Logger, reload func(done func(error))) (*runningNode, error) {
	seed, err := newSeed()
	if err != nil {
		return nil, err
	}
	jsFS, err := prepareJetStream(opts, log)
	if err != nil {
		return nil, err
	}
	loop := tcp.NewLoop()
	sy := newSyncer(loop.Post)
	env := server.Env{
		Syncer:  sy,
		Clock:   wall.New(loop.Post),
		Net:     loop.Network(),
		Rand:    rand.New(rand.NewChaCha8(seed)),
		Log:     log,
		Offload: newOffloader(loop.Post).run,
		Reload:  reload,
	}
	n := &runningNode{loop: loop, stopped: make(chan struct{}), loopDone: make(chan struct{})}
	go func() {
		loop.Run()
		sy.close()
		close(n.loopDone)
	}()
	started := make(chan error, 1)
	loop.Post(func() {
		s, err := server.New(opts, env)
		if err == nil {
			err = s.Start()
		}
		if err == nil {
			err = startJetStream(s, jsFS)
		}
		if err == nil {
			n.srv, n.url = s, s.ClientURL()
		}
		started <- err
	})
	if err := <-started; err != nil {
		loop.Stop()
		<-n.loopDone
		return nil, err
	}
	go sampleProcess(n)
	if opts.HTTPPort != 0 {
		if n.mon, err = startMonitor(n, opts, log); err != nil {
			n.Shutdown()
			return nil, err
		}
	}
	return n, nil
}

// MonitorAddr is the monitoring listener's "host:port" ("" when off).
func (n *runningNode) MonitorAddr() string {
	if n.mon == nil {
		return ""
	}
	return n.mon.Addr()
}

// newSeed reads the node's one seed from the operating system.
func newSeed() ([32]byte, error) {
	var seed [32]byte
	if _, err := io.ReadFull(crand.Reader, seed[:]); err != nil {
		return seed, fmt.Errorf("seeding the random source: %w", err)
	}
	return seed, nil
}

// ClientURL is the "nats://host:port" clients connect to.
func (n *runningNode) ClientURL() string { return n.url }

// Shutdown shuts the server down gracefully and waits until it has.
func (n *runningNode) Shutdown() {
	n.loop.Post(func() { n.srv.Shutdown(n.finish) })
	n.wait(shutdownWait)
}

// LameDuck starts lame-duck mode; the server shuts itself down at the end
// (see Wait).
func (n *runningNode) LameDuck() {
	n.loop.Post(func() { n.srv.LameDuck(n.finish) })
}

// Wait blocks until the server has shut down and its loop has stopped.
func (n *runningNode) Wait() { n.wait(0) }

// Do runs f on the loop with the server and waits for it.
func (n *runningNode) Do(f func(s *server.Server)) error {
	ran := make(chan struct{})
	n.loop.Post(func() {
		f(n.srv)
		close(ran)
	})
	select {
	case <-ran:
		return nil
	case <-n.loopDone:
		return errors.New("jsnode: node is stopped")
	}
}

// finish runs on the loop when the server has shut down.
func (n *runningNode) finish() {
	n.stopOnce.Do(func() {
		close(n.stopped)
		n.loop.Stop()
	})
}

// wait waits for the shutdown (at most limit if positive) and the loop.
func (n *runningNode) wait(limit time.Duration) {
	if limit > 0 {
		t := time.NewTimer(limit)
		defer t.Stop()
		select {
		case <-n.stopped:
		case <-t.C:
			n.loop.Stop()
		}
	}
	<-n.loopDone
	if n.mon != nil {
		n.mon.Close()
	}
}
