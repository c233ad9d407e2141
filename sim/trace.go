package sim

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// FNV-1a 64-bit parameters for the trace hash.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// tracePreviewBytes bounds how much of a payload a trace line shows.
const tracePreviewBytes = 48

// traceState folds every delivered event into a running hash and, when a
// writer is set, prints it.
type traceState struct {
	out    io.Writer
	hash   uint64
	events uint64
}

func (t *traceState) init(out io.Writer) {
	t.out = out
	t.hash = fnvOffset
}

func (t *traceState) foldUint(v uint64) {
	h := t.hash
	for i := 0; i < 8; i++ {
		h ^= v & 0xff
		h *= fnvPrime
		v >>= 8
	}
	t.hash = h
}

func (t *traceState) foldBytes(b []byte) {
	h := t.hash
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	t.hash = h
}

func (t *traceState) foldString(s string) {
	h := t.hash
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	t.hash = h
}

// record folds one event: the time, the host, the kind, an id, and the
// bytes involved (their length and content). In trace lines the id is the
// connection end (2*conn+side: dial, accept, connected, data, fin, closed,
// drained), the connection (reset), the port (listen), the timer, or the
// incarnation (crash, restart).
func (w *World) record(host, kind string, id uint64, b []byte) {
	t := &w.trace
	t.events++
	t.foldUint(uint64(w.now))
	t.foldString(host)
	t.foldString(kind)
	t.foldUint(id)
	t.foldUint(uint64(len(b)))
	t.foldBytes(b)
	if t.out != nil {
		w.printTrace(host, kind, id, b)
	}
}

func (w *World) printTrace(host, kind string, id uint64, b []byte) {
	line := make([]byte, 0, 128)
	line = append(line, formatElapsed(time.Duration(w.now))...)
	line = append(line, ' ')
	line = append(line, host...)
	line = append(line, ' ')
	line = append(line, kind...)
	if id != 0 {
		line = append(line, " id="...)
		line = strconv.AppendUint(line, id, 10)
	}
	if len(b) > 0 {
		line = append(line, " len="...)
		line = strconv.AppendInt(line, int64(len(b)), 10)
		line = append(line, ' ')
		p := b
		if len(p) > tracePreviewBytes {
			p = p[:tracePreviewBytes]
		}
		line = strconv.AppendQuote(line, string(p))
	}
	line = append(line, '\n')
	t := &w.trace
	if _, err := t.out.Write(line); err != nil {
		t.out = nil // a broken trace writer must not change the run
	}
}

// formatElapsed renders virtual time as seconds with nanosecond digits.
func formatElapsed(d time.Duration) string {
	return fmt.Sprintf("%d.%09ds", d/time.Second, d%time.Second)
}

// TraceHash returns the running hash of every event so far, in hex.
func (w *World) TraceHash() string {
	return fmt.Sprintf("%016x", w.trace.hash)
}

// Events reports how many events have been recorded.
func (w *World) Events() uint64 { return w.trace.events }

// Note records a scenario-level event (a fault, a phase change) in the
// trace and the hash.
func (w *World) Note(kind string, detail string) {
	w.record("world", kind, 0, []byte(detail))
	w.noteEvent("world", kind, detail)
}

// OnNote registers f to see every scenario note and every host crash and
// restart as it happens (for history annotations); f must not change the
// world.
func (w *World) OnNote(f func(at time.Duration, host, kind, detail string)) {
	w.noteHooks = append(w.noteHooks, f)
}

func (w *World) noteEvent(host, kind, detail string) {
	for _, f := range w.noteHooks {
		f(time.Duration(w.now), host, kind, detail)
	}
}
