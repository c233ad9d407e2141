package raft

// ProgressState is how a leader is currently replicating to one follower.
type ProgressState uint8

// Progress states.
const (
	// ProgressProbe: the leader does not know where the follower's log
	// matches; it sends one append at a time and waits for the answer.
	ProgressProbe ProgressState = iota
	// ProgressReplicate: the logs match up to Match; the leader streams
	// appends optimistically, up to a window of in-flight messages.
	ProgressReplicate
	// ProgressSnapshot: the follower needs entries the leader compacted;
	// the leader streams a snapshot in chunks.
	ProgressSnapshot
)

// String names the state.
func (s ProgressState) String() string {
	switch s {
	case ProgressProbe:
		return "Probe"
	case ProgressReplicate:
		return "Replicate"
	case ProgressSnapshot:
		return "Snapshot"
	}
	return "ProgressState(?)"
}

// progress is the leader's view of one member's log.
type progress struct {
	// match is the highest index known to be stored by the member.
	match uint64
	// next is the index of the next entry to send.
	next  uint64
	state ProgressState
	// probeSent: in probe state, an append is outstanding; wait for its
	// answer or the next heartbeat response before sending another.
	probeSent bool
	// lastHeard is the leader's tick count when the member last answered
	// (check-quorum counts members heard within an election timeout).
	lastHeard uint64
	learner   bool
	// departing: the member was removed by a change that has not
	// committed yet; the leader keeps replicating to it so it learns of
	// its removal (and stops campaigning), but it counts for nothing.
	departing bool
	inflights inflights
	// snap is the snapshot being streamed in snapshot state, with the
	// bytes sent and the bytes the member acknowledged.
	snap      *Snapshot
	snapSent  uint64
	snapAcked uint64
	snapDone  bool
}

// newProgress starts tracking a member; it counts as just heard from, so
// a new leader or a new member gets a full election timeout of grace.
func newProgress(next uint64, window int, learner bool, now uint64) *progress {
	return &progress{next: next, inflights: newInflights(window), learner: learner, lastHeard: now}
}

func (pr *progress) resetState(state ProgressState) {
	pr.state = state
	pr.probeSent = false
	pr.inflights.reset()
	pr.snap = nil
	pr.snapSent, pr.snapAcked, pr.snapDone = 0, 0, false
}

// becomeProbe starts probing from just after match (or after a snapshot
// that was just sent).
func (pr *progress) becomeProbe() {
	next := pr.match + 1
	if pr.state == ProgressSnapshot && pr.snap != nil {
		next = max(next, pr.snap.Meta.Index+1)
	}
	pr.resetState(ProgressProbe)
	pr.next = next
}

func (pr *progress) becomeReplicate() {
	pr.resetState(ProgressReplicate)
	pr.next = pr.match + 1
}

func (pr *progress) becomeSnapshot(snap *Snapshot) {
	pr.resetState(ProgressSnapshot)
	pr.snap = snap
}

// maybeUpdate records that the member stores entries up to n; it returns
// false for stale acknowledgements.
func (pr *progress) maybeUpdate(n uint64) bool {
	updated := false
	if n > pr.match {
		pr.match = n
		updated = true
		pr.probeSent = false
	}
	pr.next = max(pr.next, n+1)
	return updated
}

// sentEntries advances next optimistically after an append carrying
// entries up to last.
func (pr *progress) sentEntries(last uint64, count int) {
	switch pr.state {
	case ProgressReplicate:
		if count > 0 {
			pr.next = last + 1
			pr.inflights.add(last)
		}
	case ProgressProbe:
		pr.probeSent = true
	default:
		assert(false, "append sent in snapshot state")
	}
}

// maybeDecrTo handles a rejection of the append at index rejected, with
// next suggested by the conflict hint. It returns false if the rejection
// is stale.
func (pr *progress) maybeDecrTo(rejected, next uint64) bool {
	if pr.state == ProgressReplicate {
		if rejected <= pr.match {
			return false
		}
		pr.next = pr.match + 1
		return true
	}
	if pr.next-1 != rejected {
		return false // an answer to an older probe
	}
	pr.next = max(min(next, rejected), pr.match+1)
	pr.probeSent = false
	return true
}

// isPaused reports whether the leader must not send appends now.
func (pr *progress) isPaused() bool {
	switch pr.state {
	case ProgressProbe:
		return pr.probeSent
	case ProgressReplicate:
		return pr.inflights.full()
	}
	return true
}

// inflights is a ring of the last indexes of in-flight append messages.
type inflights struct {
	start  int
	count  int
	buffer []uint64
}

func newInflights(size int) inflights {
	assert(size > 0 && size <= InflightAppendsMax, "inflight window within bounds")
	return inflights{buffer: make([]uint64, size)}
}

func (in *inflights) full() bool { return in.count == len(in.buffer) }

func (in *inflights) add(last uint64) {
	assert(!in.full(), "add to full inflights")
	if in.count > 0 {
		prev := in.buffer[(in.start+in.count-1)%len(in.buffer)]
		if last <= prev {
			invariantf("inflight %d not after %d", last, prev)
		}
	}
	in.buffer[(in.start+in.count)%len(in.buffer)] = last
	in.count++
}

// freeLE releases every in-flight message ending at or before to.
func (in *inflights) freeLE(to uint64) {
	for in.count > 0 && in.buffer[in.start] <= to {
		in.start = (in.start + 1) % len(in.buffer)
		in.count--
	}
	if in.count == 0 {
		in.start = 0
	}
}

// freeFirst releases the oldest in-flight message (after a heartbeat
// response proves the member is alive though the window is stuck).
func (in *inflights) freeFirst() {
	if in.count > 0 {
		in.freeLE(in.buffer[in.start])
	}
}

func (in *inflights) reset() { in.start, in.count = 0, 0 }
