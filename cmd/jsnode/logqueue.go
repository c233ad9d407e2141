package main

import "sync"

// maxQueuedLogBytes bounds the log lines formatted but not yet written.
// Past it lines are dropped (and counted) rather than making the event
// loop wait for a slow disk or a stalled terminal: the loop must never
// block on a system call (ARCHITECTURE rule 7).
const maxQueuedLogBytes = 4 << 20

// logSink is where the writer goroutine puts lines. Only that goroutine
// calls it, so a sink needs no lock of its own.
type logSink interface {
	write(lines [][]byte)
	reopen()
	close()
}

// logEntry is a queued line or, in order with the lines, a request: a
// reopen of the file, or a flush that is acknowledged when reached.
type logEntry struct {
	line    []byte
	reopen  bool
	flushed chan struct{}
	sink    logSink // switch to this sink, closing the current one
}

// logQueue hands lines from the loop (or any goroutine) to one writer
// goroutine. Pushing a line never blocks beyond a short lock.
type logQueue struct {
	mu       sync.Mutex
	entries  []logEntry
	bytes    int
	max      int
	dropped  int
	closed   bool
	dropNote func(n int) []byte // formats "<n> log lines dropped ..."

	wake chan struct{} // capacity 1: one wake-up covers any number of pushes
	done chan struct{} // closed when the writer has drained and stopped
	sink logSink
}

// newLogQueue starts the writer goroutine over sink.
func newLogQueue(sink logSink, max int, dropNote func(n int) []byte) *logQueue {
	q := &logQueue{max: max, dropNote: dropNote, sink: sink,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	go q.run()
	return q
}

// push queues one formatted line, or drops it when the queue is full.
// The first line that fits after drops is preceded by a line saying how
// many were lost, so a gap in the log is never silent.
func (q *logQueue) push(line []byte) {
	q.mu.Lock()
	if q.closed || q.bytes+len(line) > q.max {
		q.dropped++
		q.mu.Unlock()
		return
	}
	q.appendDropNote()
	q.entries = append(q.entries, logEntry{line: line})
	q.bytes += len(line)
	q.mu.Unlock()
	q.signal()
}

// appendDropNote queues the count of dropped lines, if any. q.mu is held.
func (q *logQueue) appendDropNote() {
	if q.dropped == 0 {
		return
	}
	note := q.dropNote(q.dropped)
	q.dropped = 0
	q.entries = append(q.entries, logEntry{line: note})
	q.bytes += len(note)
}

// control queues a request behind the lines already queued.
func (q *logQueue) control(e logEntry) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.entries = append(q.entries, e)
	q.signal()
	return true
}

// switchSink makes the writer close its sink after the lines queued so far
// and write later ones to s. If the queue is closed, s is closed at once.
func (q *logQueue) switchSink(s logSink) {
	if !q.control(logEntry{sink: s}) {
		s.close()
	}
}

// reopen asks the writer to reopen the file after the lines queued so far.
func (q *logQueue) reopen() { q.control(logEntry{reopen: true}) }

// flush waits until every line queued before it is written. Not for the
// loop: it blocks.
func (q *logQueue) flush() {
	ch := make(chan struct{})
	if q.control(logEntry{flushed: ch}) {
		<-ch
	}
}

// close writes what is queued (and the count of any drops), stops the
// writer and closes the sink. Later lines are dropped.
func (q *logQueue) close() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		<-q.done
		return
	}
	q.appendDropNote()
	q.closed = true
	q.mu.Unlock()
	q.signal()
	<-q.done
}

func (q *logQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// run is the writer goroutine: it takes everything queued at once and
// writes it, so a burst of lines costs one write, not one per line.
func (q *logQueue) run() {
	defer close(q.done)
	var spare []logEntry
	for {
		q.mu.Lock()
		batch, closed := q.entries, q.closed
		q.entries, q.bytes = spare[:0], 0
		q.mu.Unlock()
		q.apply(batch)
		if closed {
			q.sink.close()
			return
		}
		spare = clearEntries(batch)
		if len(batch) == 0 {
			<-q.wake
		}
	}
}

// apply writes a batch's lines, performing its requests in order.
func (q *logQueue) apply(batch []logEntry) {
	var lines [][]byte
	for _, e := range batch {
		switch {
		case e.line != nil:
			lines = append(lines, e.line)
			continue
		case e.reopen:
			q.sink.write(lines)
			q.sink.reopen()
		case e.flushed != nil:
			q.sink.write(lines)
			close(e.flushed)
		case e.sink != nil:
			q.sink.write(lines)
			q.sink.close()
			q.sink = e.sink
		}
		lines = lines[:0]
	}
	q.sink.write(lines)
}

// clearEntries drops the references a used batch holds, for reuse.
func clearEntries(b []logEntry) []logEntry {
	clear(b)
	return b[:0]
}
