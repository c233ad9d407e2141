package disk

// Syncer runs durability work (File.Sync, FS.SyncDir, an atomic file
// replacement) away from the node's event loop, and reports the outcome
// back on the loop as a later event. It is the seam group commit is built
// on: a store hands one sync job to the Syncer, keeps appending while it
// runs, and acknowledges what the job covered when done arrives.
//
// Rules every implementation and caller honour:
//   - Jobs run one at a time, in the order they were requested (one disk,
//     one queue), and every requested job's done runs exactly once,
//     unless the node stops (crashes) first: then neither work nor done
//     may run.
//   - done never runs inside the Sync call; it runs on the loop as a
//     later event, after work has returned.
//   - work touches only the files and directories its caller handed it,
//     and the caller neither closes nor truncates those until done runs.
//     work must not touch any other state the loop owns.
//   - A sync covers at least what was written before Sync was called;
//     it may cover more (bytes written while it runs).
//
// Production (cmd/jsnode) runs the jobs on a sync goroutine. The
// simulator runs each after a simulated latency, with the host disk's
// faults applying to what work does.
type Syncer interface {
	Sync(work func() error, done func(err error))
}

// SyncQueue is a Syncer for tests and single-threaded hosts: jobs wait in
// FIFO order until the owner runs them (Run, RunAll), which calls work and
// then done, on the caller's goroutine.
type SyncQueue struct {
	jobs []syncJob
}

type syncJob struct {
	work func() error
	done func(error)
}

// Sync queues a job.
func (q *SyncQueue) Sync(work func() error, done func(err error)) {
	q.jobs = append(q.jobs, syncJob{work, done})
}

// Pending is the number of jobs waiting.
func (q *SyncQueue) Pending() int { return len(q.jobs) }

// Run runs the oldest waiting job, if any, and reports whether it did.
// Jobs queued by its done wait for a later Run.
func (q *SyncQueue) Run() bool {
	if len(q.jobs) == 0 {
		return false
	}
	j := q.jobs[0]
	q.jobs[0] = syncJob{}
	q.jobs = q.jobs[1:]
	j.done(j.work())
	return true
}

// RunAll runs jobs until none is waiting (including those queued by the
// done callbacks it runs) and returns how many ran.
func (q *SyncQueue) RunAll() int {
	n := 0
	for q.Run() {
		n++
	}
	return n
}

// Drop forgets every waiting job without running it, as a crash would.
func (q *SyncQueue) Drop() { q.jobs = nil }
