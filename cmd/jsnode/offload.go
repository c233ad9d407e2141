package main

import "runtime"

// offloader runs the node's costly pure computations (bcrypt, nkey
// signatures: server.Env.Offload) on worker goroutines, at most one per
// CPU at a time, and posts each completion back onto the loop. Work waits
// for a free worker on its own goroutine, so the loop never blocks; what
// can wait is bounded by what can ask (one CONNECT per connection, and
// connections by max_connections).
type offloader struct {
	slots chan struct{}
	post  func(func())
}

func newOffloader(post func(func())) *offloader {
	return &offloader{slots: make(chan struct{}, runtime.GOMAXPROCS(0)), post: post}
}

// run is server.Env.Offload.
func (o *offloader) run(work, done func()) {
	go func() {
		o.slots <- struct{}{}
		work()
		<-o.slots
		o.post(done)
	}()
}
