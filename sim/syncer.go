package sim

import (
	"time"

	"jsnode/disk"
)

// A host's disk.Syncer: one queue per incarnation, jobs in FIFO order,
// one at a time. Each job takes a latency drawn from the host's stream
// (syncLatencyMin plus up to syncLatencySpan; where BUGGIFY says so, a
// slow one of slowSyncMin plus up to slowSyncSpan), counted from when the
// job before it completed; its work runs at completion, so the disk
// faults armed then (an EIO on sync, a full disk) meet it through
// faultfs, and its done runs right after, in the same event. The jobs
// are events of the incarnation: a crash (or power loss) drops those
// pending, work and done both, and a pause holds them like its timers.

// siteSyncSlow is the BUGGIFY site of a slow sync (a busy disk).
const siteSyncSlow = "disk.sync.slow"

// Sync latencies.
const (
	syncLatencyMin  = 100 * time.Microsecond
	syncLatencySpan = 300 * time.Microsecond
	slowSyncMin     = 10 * time.Millisecond
	slowSyncSpan    = 40 * time.Millisecond
)

// SyncStats count a host's sync jobs over all its incarnations.
type SyncStats struct {
	// Requested jobs; Done ran (work and done); Slow took a BUGGIFY'd
	// slow latency; Dropped were pending when the host crashed; Failed
	// had work return an error.
	Requested, Done, Slow, Dropped, Failed int
}

// hostSyncer is one incarnation's queue of sync jobs.
type hostSyncer struct {
	inc *incarnation
	// busyUntil is when the last job requested completes (true time);
	// pending counts jobs requested and not completed.
	busyUntil int64
	pending   int
	nextID    uint64
}

var _ disk.Syncer = (*hostSyncer)(nil)

// Sync queues a job after the ones already pending.
func (s *hostSyncer) Sync(work func() error, done func(err error)) {
	h, w := s.inc.host, s.inc.host.w
	h.syncStats.Requested++
	d := syncLatencyMin + time.Duration(h.rng.Int64N(int64(syncLatencySpan)))
	if h.Buggify(siteSyncSlow) {
		d = slowSyncMin + time.Duration(h.rng.Int64N(int64(slowSyncSpan)))
		h.syncStats.Slow++
	}
	s.busyUntil = max(s.busyUntil, w.now) + int64(d)
	s.pending++
	s.nextID++
	id := s.nextID
	w.scheduleAt(s.busyUntil, s.inc, func() { s.complete(id, work, done) })
}

// complete runs one job: work on the host's disk, then done.
func (s *hostSyncer) complete(id uint64, work func() error, done func(error)) {
	h := s.inc.host
	s.pending--
	err := work()
	h.syncStats.Done++
	var detail []byte
	if err != nil {
		h.syncStats.Failed++
		detail = []byte(err.Error())
	}
	h.w.record(h.name, "sync", id, detail)
	done(err)
}

// dropPending counts the jobs a crash of the incarnation drops (their
// events are skipped, as every event of a dead incarnation is).
func (s *hostSyncer) dropPending() {
	s.inc.host.syncStats.Dropped += s.pending
	s.pending = 0
}

// Syncer is the current incarnation's disk.Syncer, for the node.
func (h *Host) Syncer() disk.Syncer { return h.inc.syncer }

// SyncStats returns the host's sync counters.
func (h *Host) SyncStats() SyncStats { return h.syncStats }
