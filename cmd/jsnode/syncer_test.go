package main

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"jsnode/disk/osfs"
	"jsnode/node/raft"
	"jsnode/node/raftlog"
)

// testLoop stands in for the node's loop: posted functions run, in
// order, on one goroutine.
type testLoop struct {
	fns chan func()
}

func newTestLoop() *testLoop {
	l := &testLoop{fns: make(chan func(), 1024)}
	go func() {
		for f := range l.fns {
			f()
		}
	}()
	return l
}

func (l *testLoop) post(f func()) { l.fns <- f }

// onLoop runs f on the loop and waits for it.
func (l *testLoop) onLoop(f func()) {
	ran := make(chan struct{})
	l.post(func() { f(); close(ran) })
	<-ran
}

const syncTestWait = 10 * time.Second

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(syncTestWait):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// Jobs run one at a time in the order requested, and their dones run on
// the loop in that order, each after its own work.
func TestSyncerFIFOAndDoneOnLoop(t *testing.T) {
	loop := newTestLoop()
	s := newSyncer(loop.post)
	defer s.close()
	const n = 200
	// worked[i] is the position job i's work ran at; next is touched by
	// the works only, worked[i] by job i's work and then its done.
	worked, next := make([]int, n), 0
	var doneOrder []int
	var loopOnly int // touched by dones (on the loop) and onLoop only
	all := make(chan struct{})
	loop.onLoop(func() {
		for i := range n {
			s.Sync(func() error { worked[i] = next + 1; next++; return nil }, func(err error) {
				if err != nil {
					t.Errorf("job %d: %v", i, err)
				}
				if worked[i] == 0 {
					t.Errorf("done of job %d ran before its work", i)
				}
				doneOrder = append(doneOrder, i)
				loopOnly++
				if i == n-1 {
					close(all)
				}
			})
		}
		if len(doneOrder) != 0 {
			t.Error("a done ran inside Sync")
		}
	})
	waitClosed(t, all, "every done")
	loop.onLoop(func() {
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		ran := make([]int, n)
		for i, pos := range worked {
			ran[i] = pos - 1
		}
		if !slices.Equal(ran, want) || !slices.Equal(doneOrder, want) || loopOnly != n {
			t.Errorf("work order %v, done order %v (%d dones)", worked, doneOrder, loopOnly)
		}
	})
}

// The error work returns is what done receives.
func TestSyncerPassesErrors(t *testing.T) {
	loop := newTestLoop()
	s := newSyncer(loop.post)
	defer s.close()
	errDisk := errors.New("disk on fire")
	got := make(chan error, 2)
	s.Sync(func() error { return errDisk }, func(err error) { got <- err })
	s.Sync(func() error { return nil }, func(err error) { got <- err })
	if err := <-got; !errors.Is(err, errDisk) {
		t.Fatalf("first done got %v, want the work's error", err)
	}
	if err := <-got; err != nil {
		t.Fatalf("second done got %v, want nil", err)
	}
}

// Sync returns at once while a job is stuck on the disk, however many
// jobs queue behind it; once closed, the queued ones never run, and
// close waits for the one running.
func TestSyncerNeverBlocksAndCloseDrops(t *testing.T) {
	loop := newTestLoop()
	s := newSyncer(loop.post)
	release, started := make(chan struct{}), make(chan struct{})
	var firstReturned atomic.Bool
	s.Sync(func() error { close(started); <-release; firstReturned.Store(true); return nil }, func(error) {})
	waitClosed(t, started, "the first job to start")
	var ran atomic.Int64
	queued := make(chan struct{})
	go func() {
		for range 10_000 {
			s.Sync(func() error { ran.Add(1); return nil }, func(error) { ran.Add(1) })
		}
		close(queued)
	}()
	waitClosed(t, queued, "10,000 Syncs behind a stuck job")
	closed := make(chan struct{})
	go func() { s.close(); close(closed) }()
	for !s.closed.Load() {
		runtime.Gosched()
	}
	close(release)
	waitClosed(t, closed, "close")
	if !firstReturned.Load() {
		t.Fatal("close returned before the running job did")
	}
	s.Sync(func() error { ran.Add(1); return nil }, func(error) { ran.Add(1) })
	if n := ran.Load(); n != 0 {
		t.Fatalf("%d works and dones of dropped jobs ran", n)
	}
}

// A RAFT log on the real disk, synced through the syncer while the loop
// keeps reading it: under -race this shows that a job's work touches
// nothing the loop owns, and every batch comes back after a reopen.
func TestSyncerRaftLogOnDisk(t *testing.T) {
	fs := osfs.New(t.TempDir())
	loop := newTestLoop()
	s := newSyncer(loop.post)
	defer s.close()
	const batches, per = 40, 8
	var l *raftlog.Log
	var err error
	loop.onLoop(func() { l, err = raftlog.Open(fs, "g", raftlog.Options{SegmentBytes: 4096, CacheBytes: -1}) })
	if err != nil {
		t.Fatal(err)
	}
	finished := make(chan struct{})
	var step func(b int)
	step = func(b int) {
		if b == batches {
			close(finished)
			return
		}
		first := uint64(b*per + 1)
		ents := make([]raft.Entry, per)
		for k := range ents {
			ents[k] = raft.Entry{Index: first + uint64(k), Term: 1, Type: raft.EntryNormal, Data: []byte(fmt.Sprintf("entry %d", first+uint64(k)))}
		}
		if err := l.Save(raft.HardState{Term: 1, Vote: 1, Commit: first - 1}, ents, nil); err != nil {
			t.Errorf("Save batch %d: %v", b, err)
			close(finished)
			return
		}
		j, err := l.StartSync()
		if err != nil {
			t.Errorf("StartSync batch %d: %v", b, err)
			close(finished)
			return
		}
		s.Sync(j.Work, func(err error) {
			if err := j.Finish(err); err != nil {
				t.Errorf("sync of batch %d: %v", b, err)
				close(finished)
				return
			}
			step(b + 1)
		})
		if got, err := l.Entries(1, first+per, ^uint64(0)); err != nil || len(got) != int(first+per-1) {
			t.Errorf("reading while batch %d syncs: %d entries, %v", b, len(got), err)
		}
	}
	loop.post(func() { step(0) })
	waitClosed(t, finished, "every batch synced")
	loop.onLoop(func() {
		if err := l.Close(); err != nil {
			t.Error(err)
		}
		l, err = raftlog.Open(fs, "g", raftlog.Options{SegmentBytes: 4096, CacheBytes: -1})
	})
	if err != nil {
		t.Fatal(err)
	}
	if last, err := l.LastIndex(); err != nil || last != batches*per {
		t.Fatalf("reopened log's last index %d, %v; want %d", last, err, batches*per)
	}
}
