package proto

import (
	"errors"
	"fmt"
	"math/rand"
	"testing"
)

// errHandler is what a recorder's handler returns when told to fail.
var errHandler = errors.New("handler refused")

// serverRecorder records ServerHandler calls as readable strings.
type serverRecorder struct {
	events    []string
	failOn    string                 // op whose handler returns errHandler
	onConnect func(arg []byte) error // optional extra behaviour
}

func (r *serverRecorder) add(op, format string, args ...any) error {
	r.events = append(r.events, op+" "+fmt.Sprintf(format, args...))
	if op == r.failOn {
		return errHandler
	}
	return nil
}

func (r *serverRecorder) Connect(arg []byte) error {
	if err := r.add("CONNECT", "%q", arg); err != nil {
		return err
	}
	if r.onConnect != nil {
		return r.onConnect(arg)
	}
	return nil
}

func (r *serverRecorder) Pub(subject, reply, payload []byte) error {
	return r.add("PUB", "%q %q %q", subject, reply, payload)
}

func (r *serverRecorder) HPub(subject, reply []byte, hdrLen int, msg []byte) error {
	return r.add("HPUB", "%q %q %d %q", subject, reply, hdrLen, msg)
}

func (r *serverRecorder) Sub(subject, queue, sid []byte) error {
	return r.add("SUB", "%q %q %q", subject, queue, sid)
}

func (r *serverRecorder) Unsub(sid []byte, max int64) error {
	return r.add("UNSUB", "%q %d", sid, max)
}

func (r *serverRecorder) Ping() error { return r.add("PING", "") }
func (r *serverRecorder) Pong() error { return r.add("PONG", "") }

// clientRecorder records ClientHandler calls as readable strings.
type clientRecorder struct {
	events []string
	failOn string
}

func (r *clientRecorder) add(op, format string, args ...any) error {
	r.events = append(r.events, op+" "+fmt.Sprintf(format, args...))
	if op == r.failOn {
		return errHandler
	}
	return nil
}

func (r *clientRecorder) Info(arg []byte) error { return r.add("INFO", "%q", arg) }

func (r *clientRecorder) Msg(subject, sid, reply []byte, hdrLen int, msg []byte) error {
	return r.add("MSG", "%q %q %q %d %q", subject, sid, reply, hdrLen, msg)
}

func (r *clientRecorder) Ping() error { return r.add("PING", "") }
func (r *clientRecorder) Pong() error { return r.add("PONG", "") }
func (r *clientRecorder) OK() error   { return r.add("+OK", "") }

func (r *clientRecorder) Err(text []byte) error { return r.add("-ERR", "%q", text) }

// parseResult is what a parse produced: the callbacks and the final error.
type parseResult struct {
	events []string
	err    error
}

func (a parseResult) String() string { return fmt.Sprintf("events=%q err=%v", a.events, a.err) }

func (a parseResult) equal(b parseResult) bool {
	if a.err != b.err || len(a.events) != len(b.events) {
		return false
	}
	for i := range a.events {
		if a.events[i] != b.events[i] {
			return false
		}
	}
	return true
}

// parseServer feeds chunks to a fresh ServerParser, stopping at the first
// error as a connection would.
func parseServer(lim Limits, rec *serverRecorder, chunks [][]byte) parseResult {
	p := NewServerParser(lim)
	for _, c := range chunks {
		if err := p.Feed(c, rec); err != nil {
			return parseResult{rec.events, err}
		}
	}
	return parseResult{rec.events, nil}
}

// parseClient is parseServer for the ClientParser.
func parseClient(lim Limits, rec *clientRecorder, chunks [][]byte) parseResult {
	p := NewClientParser(lim)
	for _, c := range chunks {
		if err := p.Feed(c, rec); err != nil {
			return parseResult{rec.events, err}
		}
	}
	return parseResult{rec.events, nil}
}

// splitAt cuts data at one position.
func splitAt(data []byte, at int) [][]byte {
	return [][]byte{clone(data[:at]), clone(data[at:])}
}

// byteByByte cuts data into single bytes.
func byteByByte(data []byte) [][]byte {
	chunks := make([][]byte, len(data))
	for i := range data {
		chunks[i] = []byte{data[i]}
	}
	return chunks
}

// randomChunks cuts data into chunks of 1..maxLen bytes.
func randomChunks(rng *rand.Rand, data []byte, maxLen int) [][]byte {
	var chunks [][]byte
	for len(data) > 0 {
		n := min(1+rng.Intn(maxLen), len(data))
		chunks = append(chunks, clone(data[:n]))
		data = data[n:]
	}
	return chunks
}

// clone copies b so a parser cannot get away with keeping references into
// a caller's buffer: each chunk is a separate allocation.
func clone(b []byte) []byte { return append([]byte(nil), b...) }

// checkAllSplits asserts that every way of cutting data gives want.
func checkAllSplits(t *testing.T, data []byte, want parseResult, parse func([][]byte) parseResult) {
	t.Helper()
	for at := 0; at <= len(data); at++ {
		if got := parse(splitAt(data, at)); !got.equal(want) {
			t.Fatalf("split at %d of %q:\n got %v\nwant %v", at, data, got, want)
		}
	}
	if got := parse(byteByByte(data)); !got.equal(want) {
		t.Fatalf("byte by byte %q:\n got %v\nwant %v", data, got, want)
	}
	rng := rand.New(rand.NewSource(int64(len(data))))
	for i := 0; i < 20; i++ {
		if got := parse(randomChunks(rng, data, 1+rng.Intn(16))); !got.equal(want) {
			t.Fatalf("random chunks of %q:\n got %v\nwant %v", data, got, want)
		}
	}
}
