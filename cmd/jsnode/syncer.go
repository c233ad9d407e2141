package main

import (
	"sync"
	"sync/atomic"
)

// syncer is the node's disk.Syncer (server.Env.Syncer): one sync
// goroutine per node runs the jobs in the order they were requested and
// posts each done back onto the loop as soon as its work returned.
//
// Sync never blocks the loop: the queue is a slice that grows instead of
// a channel that could fill. It stays short because what asks for syncs
// keeps at most one in flight each (a RAFT group, a store's group
// commit), so its length is bounded by the number of groups and stores.
// Once the node has stopped (close), Sync and the jobs still queued are
// dropped, work and done both, as a crash would drop them.
type syncer struct {
	post func(func())

	mu   sync.Mutex
	jobs []syncJob
	// closed is set (under mu) by close; the goroutine reads it between
	// jobs without the lock.
	closed atomic.Bool

	wake   chan struct{} // capacity 1: a job was queued, or close
	exited chan struct{} // closed when the goroutine returns
}

type syncJob struct {
	work func() error
	done func(error)
}

// newSyncer starts the sync goroutine; post queues a function on the
// node's loop.
func newSyncer(post func(func())) *syncer {
	s := &syncer{post: post, wake: make(chan struct{}, 1), exited: make(chan struct{})}
	go s.run()
	return s
}

// Sync queues a job; it is server.Env.Syncer.
func (s *syncer) Sync(work func() error, done func(err error)) {
	s.mu.Lock()
	if s.closed.Load() {
		s.mu.Unlock()
		return
	}
	s.jobs = append(s.jobs, syncJob{work, done})
	s.mu.Unlock()
	s.signal()
}

func (s *syncer) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run takes the queued jobs a batch at a time (one lock per batch, not
// per job) and runs them in order.
func (s *syncer) run() {
	defer close(s.exited)
	var batch []syncJob
	for {
		if s.closed.Load() {
			return
		}
		s.mu.Lock()
		batch, s.jobs = s.jobs, batch[:0]
		s.mu.Unlock()
		if len(batch) == 0 {
			<-s.wake
			continue
		}
		for i, j := range batch {
			if s.closed.Load() {
				break
			}
			err := j.work()
			s.post(func() { j.done(err) })
			batch[i] = syncJob{}
		}
		clear(batch)
	}
}

// close drops what is queued and waits for the job running, if any, to
// return; later Syncs are dropped. Call it once the loop has stopped.
func (s *syncer) close() {
	s.mu.Lock()
	s.closed.Store(true)
	s.jobs = nil
	s.mu.Unlock()
	s.signal()
	<-s.exited
}
