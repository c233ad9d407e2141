package sim

import (
	"errors"
	"testing"
	"time"

	"jsnode/disk"
)

// syncLog records when each job's work and done ran.
type syncLog struct {
	w           *World
	workAt      []time.Duration
	doneAt      []time.Duration
	order       []int
	errs        []error
	doneInCalls int
}

// job is a sync job i whose work runs fn (nil: nothing) and records.
func (l *syncLog) job(i int, fn func() error) (func() error, func(error)) {
	work := func() error {
		l.workAt = append(l.workAt, l.w.Elapsed())
		if fn != nil {
			return fn()
		}
		return nil
	}
	done := func(err error) {
		l.doneAt = append(l.doneAt, l.w.Elapsed())
		l.order = append(l.order, i)
		l.errs = append(l.errs, err)
	}
	return work, done
}

func (l *syncLog) request(s disk.Syncer, i int, fn func() error) {
	before := len(l.order)
	s.Sync(l.job(i, fn))
	if len(l.order) != before {
		l.doneInCalls++
	}
}

// Jobs complete one after another, each 100-400us after the one before
// it, in the order requested; done follows work in the same instant and
// never inside Sync.
func TestHostSyncerLatencyAndOrder(t *testing.T) {
	w := NewWorld(7, Options{NoBuggify: true})
	h := w.Host("a")
	l := &syncLog{w: w}
	for i := range 5 {
		l.request(h.Syncer(), i, nil)
	}
	w.RunFor(10 * time.Millisecond)
	if l.doneInCalls != 0 || len(l.order) != 5 {
		t.Fatalf("%d dones inside Sync, %d dones in all", l.doneInCalls, len(l.order))
	}
	prev := time.Duration(0)
	for i := range 5 {
		gap := l.workAt[i] - prev
		if l.order[i] != i || l.doneAt[i] != l.workAt[i] || gap < syncLatencyMin || gap >= syncLatencyMin+syncLatencySpan {
			t.Fatalf("job %d: order %v, work at %v, done at %v, %v after the previous", i, l.order, l.workAt[i], l.doneAt[i], gap)
		}
		prev = l.workAt[i]
	}
	if st := h.SyncStats(); st != (SyncStats{Requested: 5, Done: 5}) {
		t.Fatalf("stats %+v", st)
	}
}

// Where disk.sync.slow is active, some syncs take tens of ms.
func TestHostSyncerSlowSite(t *testing.T) {
	seed := uint64(1)
	for ; ; seed++ {
		w := NewWorld(seed, DefaultOptions())
		if w.buggify.siteActive(siteSyncSlow) {
			break
		}
	}
	w := NewWorld(seed, DefaultOptions())
	h := w.Host("a")
	l := &syncLog{w: w}
	for i := range 40 {
		l.request(h.Syncer(), i, nil)
	}
	w.RunFor(10 * time.Second)
	st := h.SyncStats()
	slow, prev := 0, time.Duration(0)
	for _, at := range l.workAt {
		if at-prev >= slowSyncMin {
			slow++
		}
		prev = at
	}
	if st.Done != 40 || st.Slow == 0 || slow != st.Slow {
		t.Fatalf("stats %+v, %d completions 10ms or more after the previous", st, slow)
	}
}

// A crash drops the pending jobs, work and done (what they would have
// synced is only as durable as a crash leaves unsynced data). The next
// incarnation's syncer works.
func TestHostSyncerCrashDropsPending(t *testing.T) {
	w := NewWorld(1, Options{NoBuggify: true})
	h := w.Host("a")
	f, err := h.FS().Create("x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("pending")); err != nil {
		t.Fatal(err)
	}
	l := &syncLog{w: w}
	l.request(h.Syncer(), 0, f.Sync)
	w.Crash("a")
	w.RunFor(time.Millisecond)
	if len(l.workAt)+len(l.doneAt) != 0 {
		t.Fatalf("a crashed incarnation's job ran: work %v, done %v", l.workAt, l.doneAt)
	}
	w.Restart("a")
	l.request(h.Syncer(), 1, nil)
	w.RunFor(time.Millisecond)
	if st := h.SyncStats(); st != (SyncStats{Requested: 2, Done: 1, Dropped: 1}) || len(l.order) != 1 {
		t.Fatalf("stats %+v, dones %v", st, l.order)
	}
}

// The work runs when the job completes, so disk faults armed after the
// request meet it: an EIO on sync, a full disk.
func TestHostSyncerWorkMeetsDiskFaults(t *testing.T) {
	w := NewWorld(1, Options{NoBuggify: true})
	h := w.Host("a")
	f, err := h.FS().Create("x")
	if err != nil {
		t.Fatal(err)
	}
	l := &syncLog{w: w}
	l.request(h.Syncer(), 0, f.Sync)
	l.request(h.Syncer(), 1, func() error { return disk.WriteFileAtomic(h.FS(), "y", []byte("state")) })
	h.disk.eio[diskSync] = true
	h.disk.full = true
	w.RunFor(time.Millisecond)
	if len(l.errs) != 2 || !errors.Is(l.errs[0], disk.ErrIO) || !errors.Is(l.errs[1], disk.ErrNoSpace) {
		t.Fatalf("errors %v, want EIO then ENOSPC", l.errs)
	}
	if st := h.SyncStats(); st.Failed != 2 {
		t.Fatalf("stats %+v", st)
	}
}

// A paused host's completions are held until it resumes.
func TestHostSyncerHeldByPause(t *testing.T) {
	w := NewWorld(1, Options{NoBuggify: true})
	h := w.Host("a")
	l := &syncLog{w: w}
	l.request(h.Syncer(), 0, nil)
	l.request(h.Syncer(), 1, nil)
	if !w.Pause("a", 5*time.Millisecond) {
		t.Fatal("no pause")
	}
	w.RunFor(10 * time.Millisecond)
	if len(l.order) != 2 || l.order[0] != 0 || l.workAt[0] != 5*time.Millisecond || l.workAt[1] != 5*time.Millisecond {
		t.Fatalf("order %v, work at %v: want both at the resume, in order", l.order, l.workAt)
	}
}
