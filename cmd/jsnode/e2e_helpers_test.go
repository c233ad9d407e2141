package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"jsnode/node/server"
)

// Helpers for the end-to-end tests: a node on a random loopback port, the
// official client, and a raw TCP client for what nats.go cannot express.

// waitLimit bounds every wait for a condition in these tests. Waiting is
// for a condition, never a fixed sleep whose length the test asserts.
const waitLimit = 10 * time.Second

// startTestNode runs a node on 127.0.0.1 with a random port and shuts it
// down when the test ends.
func startTestNode(t *testing.T, opts *server.Options) (*runningNode, *memLog) {
	t.Helper()
	if opts == nil {
		opts = &server.Options{}
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.Port == 0 {
		opts.Port = -1
	}
	log := &memLog{}
	n, err := startNode(opts, log)
	if err != nil {
		t.Fatalf("startNode: %v", err)
	}
	t.Cleanup(n.Shutdown)
	return n, log
}

// connect opens a nats.go connection that is closed when the test ends.
func connect(t *testing.T, n *runningNode, opts ...nats.Option) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(n.ClientURL(), opts...)
	if err != nil {
		t.Fatalf("nats.Connect: %v", err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// numClients asks the node on its loop.
func numClients(t *testing.T, n *runningNode) int {
	t.Helper()
	var c int
	if err := n.Do(func(s *server.Server) { c = s.NumClients() }); err != nil {
		t.Fatal(err)
	}
	return c
}

// waitFor polls cond until it holds or waitLimit passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// memLog is a server.Logger that keeps the lines for assertions.
type memLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *memLog) add(level, format string, v ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, level+" "+fmt.Sprintf(format, v...))
	l.mu.Unlock()
}
func (l *memLog) Noticef(f string, v ...any) { l.add("[INF]", f, v...) }
func (l *memLog) Warnf(f string, v ...any)   { l.add("[WRN]", f, v...) }
func (l *memLog) Errorf(f string, v ...any)  { l.add("[ERR]", f, v...) }
func (l *memLog) Debugf(f string, v ...any)  { l.add("[DBG]", f, v...) }
func (l *memLog) Tracef(f string, v ...any)  { l.add("[TRC]", f, v...) }

func (l *memLog) has(sub string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if strings.Contains(line, sub) {
			return true
		}
	}
	return false
}

// waitLog waits until a log line contains sub.
func (l *memLog) waitLog(t *testing.T, sub string) {
	t.Helper()
	waitFor(t, "log line "+sub, func() bool { return l.has(sub) })
}

// rawConn is a hand-driven protocol connection.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

// dialRaw connects and reads the INFO line.
func dialRaw(t *testing.T, n *runningNode) *rawConn {
	t.Helper()
	addr := strings.TrimPrefix(n.ClientURL(), "nats://")
	c, err := net.DialTimeout("tcp", addr, waitLimit)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	r := &rawConn{t: t, c: c, br: bufio.NewReaderSize(c, 1<<16)}
	if line := r.readLine(); !strings.HasPrefix(line, "INFO {") {
		t.Fatalf("first line %q is not INFO", line)
	}
	return r
}

func (r *rawConn) send(s string) {
	r.t.Helper()
	if _, err := io.WriteString(r.c, s); err != nil {
		r.t.Fatalf("write: %v", err)
	}
}

// readLine reads one line, CRLF included.
func (r *rawConn) readLine() string {
	r.t.Helper()
	r.c.SetReadDeadline(time.Now().Add(waitLimit))
	line, err := r.br.ReadString('\n')
	if err != nil {
		r.t.Fatalf("read (got %q): %v", line, err)
	}
	return line
}

// expect reads lines until one equals want, failing on anything else
// unless skip allows it (async INFO, server PINGs).
func (r *rawConn) expect(want string, skip ...string) {
	r.t.Helper()
	for {
		line := r.readLine()
		if line == want {
			return
		}
		if !hasAnyPrefix(line, skip) {
			r.t.Fatalf("got %q, want %q", line, want)
		}
	}
}

// expectClosed waits for the server to close the connection.
func (r *rawConn) expectClosed() {
	r.t.Helper()
	r.c.SetReadDeadline(time.Now().Add(waitLimit))
	rest, err := io.ReadAll(r.br)
	// EOF, or a reset when the server closed with our bytes unread.
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		r.t.Fatalf("connection not closed by the server (read %q): %v", rest, err)
	}
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// builtJsnode is the binary the process-level tests run, built once per
// test run.
var builtJsnode struct {
	once sync.Once
	bin  string
	err  error
}

// buildJsnode returns the path of a jsnode binary built from this package.
func buildJsnode(t *testing.T) string {
	t.Helper()
	builtJsnode.once.Do(func() {
		dir, err := os.MkdirTemp("", "jsnode-e2e-")
		if err != nil {
			builtJsnode.err = err
			return
		}
		bin := filepath.Join(dir, "jsnode")
		cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			builtJsnode.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		builtJsnode.bin = bin
	})
	if builtJsnode.err != nil {
		t.Fatal(builtJsnode.err)
	}
	return builtJsnode.bin
}
