package jetstream

import "time"

// DedupeMax bounds the message ids a stream remembers at once. Past it
// the oldest id is forgotten early (a retry of it would be stored again),
// so a flood of unique ids cannot grow memory without bound.
const DedupeMax = 1 << 20

// dedupe remembers the Nats-Msg-Id of recent messages for a stream's
// duplicate_window: a FIFO of ids by time and a map from id to sequence.
// Entries leave the window as the clock passes them.
type dedupe struct {
	window time.Duration
	ids    map[string]uint64
	fifo   []dedupeEntry
	head   int
}

type dedupeEntry struct {
	id  string
	seq uint64
	ts  int64
}

func newDedupe(window time.Duration) *dedupe {
	return &dedupe{window: window, ids: map[string]uint64{}}
}

// expire forgets the ids stored before now-window.
func (d *dedupe) expire(now int64) {
	cut := now - int64(d.window)
	for d.head < len(d.fifo) && (d.fifo[d.head].ts <= cut || len(d.fifo)-d.head > DedupeMax) {
		e := d.fifo[d.head]
		if d.ids[e.id] == e.seq {
			delete(d.ids, e.id)
		}
		d.fifo[d.head] = dedupeEntry{}
		d.head++
	}
	if d.head > 1024 && d.head*2 > len(d.fifo) {
		d.fifo = append(d.fifo[:0], d.fifo[d.head:]...)
		d.head = 0
	}
}

// seen returns the sequence stored under id within the window, or 0.
func (d *dedupe) seen(id string, now int64) uint64 {
	d.expire(now)
	return d.ids[id]
}

// add remembers id for the message stored at seq at time ts.
func (d *dedupe) add(id string, seq uint64, ts int64) {
	d.ids[id] = seq
	d.fifo = append(d.fifo, dedupeEntry{id, seq, ts})
	d.expire(ts)
}

// len is how many ids are remembered.
func (d *dedupe) len() int { return len(d.ids) }
