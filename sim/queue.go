package sim

// event is one entry of the world's queue. Events are never removed from
// the heap early: a cancelled event, or one owned by a host incarnation
// that has crashed, is skipped when popped.
type event struct {
	at        int64
	seq       uint64
	inc       *incarnation
	fn        func()
	cancelled bool
}

// eventQueue is a min-heap on (at, seq), for container/heap. The sequence
// number breaks ties in scheduling order, so equal times never depend on
// heap internals.
type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }

func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}

func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }

func (q *eventQueue) Push(x any) { *q = append(*q, x.(*event)) }

func (q *eventQueue) Pop() any {
	old := *q
	n := len(old)
	ev := old[n-1]
	old[n-1] = nil
	*q = old[:n-1]
	return ev
}
