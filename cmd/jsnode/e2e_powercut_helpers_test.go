package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"jsnode/cmd/jsnode/internal/powerfs"
)

// pcServer is a server binary under a power-cut test.
type pcServer struct {
	name   string
	bin    string
	args   func(t *testing.T, dir string, port int) []string
	strict bool // losses fail the test (jsnode) or are only reported (nats-server)
}

// jsArgs are the command-line defaults both servers share: JetStream
// with its store in dir.
func jsArgs(_ *testing.T, dir string, port int) []string {
	return []string{"-a", "127.0.0.1", "-p", strconv.Itoa(port), "-js", "-sd", dir}
}

// syncAlwaysArgs run nats-server with sync_interval: always, the
// durability jsnode has by default (a config file outside the store).
func syncAlwaysArgs(t *testing.T, dir string, port int) []string {
	conf := filepath.Join(t.TempDir(), "js.conf")
	body := fmt.Sprintf("jetstream { store_dir: %q, sync_interval: always }\n", dir)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"-a", "127.0.0.1", "-p", strconv.Itoa(port), "-c", conf}
}

// pcProc is one running server process and its output.
type pcProc struct {
	cmd *exec.Cmd
	out *bytes.Buffer
}

// start runs the server with JetStream on dir at port and waits until it
// listens; ok is false if it did not listen in time.
func (s pcServer) start(t *testing.T, dir string, port int) (*pcProc, bool) {
	return s.startUnless(t, dir, port, nil)
}

// startUnless is start that gives up waiting once stop is closed (the
// power went during start-up).
func (s pcServer) startUnless(t *testing.T, dir string, port int, stop <-chan struct{}) (*pcProc, bool) {
	t.Helper()
	p := &pcProc{out: &bytes.Buffer{}}
	p.cmd = exec.Command(s.bin, s.args(t, dir, port)...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) && !closed(stop) {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			return p, true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return p, false
}

// closed reports whether ch (nil: never) is closed.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func (p *pcProc) kill() {
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

// pcLoad is the record of one round of publishing: every id tried and
// the sequence of every acknowledged one.
type pcLoad struct {
	mu    sync.Mutex
	tried []string
	acked map[string]uint64 // id -> seq
}

func pcData(id string) []byte { return []byte("data-" + id) }

// pcSubject is the subject of id ("p<phase>-w<worker>-<i>"): one per worker.
func pcSubject(id string) string {
	var p, w, i int
	fmt.Sscanf(id, "p%d-w%d-%d", &p, &w, &i)
	return fmt.Sprintf("pc.%d", w)
}

func (l *pcLoad) ackedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

// publish runs workers publishers (each its own id series, round-robin
// over conns) until a publish fails, recording tries before sending and
// acks as they arrive.
func (l *pcLoad) publish(conns []jetstream.JetStream, phase, workers int) *sync.WaitGroup {
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			js := conns[w%len(conns)]
			for i := 0; ; i++ {
				id := fmt.Sprintf("p%d-w%d-%d", phase, w, i)
				l.mu.Lock()
				l.tried = append(l.tried, id)
				l.mu.Unlock()
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				ack, err := js.Publish(ctx, pcSubject(id), pcData(id), jetstream.WithMsgID(id))
				cancel()
				if err != nil {
					return // the power is gone
				}
				l.mu.Lock()
				l.acked[id] = ack.Sequence
				l.mu.Unlock()
			}
		}(w)
	}
	return &wg
}

// pcResult is what the restarts on the durable images found.
type pcResult struct {
	createAcked     bool
	streamLost      int // restarts between phases that found no stream
	started, stream bool
	acked, present  int
	lost            []string // acked ids not at their sequence with their bytes
	retried, dups   int      // ids retried; ids then stored at two sequences
	wrongRetry      []string // acked ids whose retry was not a duplicate of their sequence
	scanErr         error    // reading the whole stream back failed
}

func (r pcResult) String() string {
	return fmt.Sprintf("create-acked=%v stream-lost-between-cuts=%d restarted=%v stream=%v acked=%d present=%d lost=%d retried=%d stored-twice=%d acked-retry-not-dup=%d scan-error=%v",
		r.createAcked, r.streamLost, r.started, r.stream, r.acked, r.present, len(r.lost), r.retried, r.dups, len(r.wrongRetry), r.scanErr)
}

// check reads every acknowledged message back at its sequence, retries
// every tried id, then scans the stream for ids stored twice.
func (l *pcLoad) check(ctx context.Context, js jetstream.JetStream, r *pcResult) {
	r.acked = len(l.acked)
	s, err := js.Stream(ctx, "PC")
	if err != nil {
		r.lost = append(r.lost, sortedIDs(l.acked)...)
		return
	}
	r.stream = true
	for _, id := range sortedIDs(l.acked) {
		m, err := s.GetMsg(ctx, l.acked[id])
		if err == nil && bytes.Equal(m.Data, pcData(id)) && m.Header.Get("Nats-Msg-Id") == id {
			r.present++
		} else {
			r.lost = append(r.lost, id)
		}
	}
	for _, id := range l.tried {
		ack, err := js.Publish(ctx, pcSubject(id), pcData(id), jetstream.WithMsgID(id))
		if err != nil {
			r.wrongRetry = append(r.wrongRetry, id+": "+err.Error())
			continue
		}
		r.retried++
		if seq, ok := l.acked[id]; ok && (!ack.Duplicate || ack.Sequence != seq) {
			r.wrongRetry = append(r.wrongRetry, fmt.Sprintf("%s: acked at %d, retry %+v", id, seq, ack))
		}
	}
	r.dups, r.scanErr = storedTwice(ctx, s)
}

// storedTwice counts the ids found at more than one sequence.
func storedTwice(ctx context.Context, s jetstream.Stream) (int, error) {
	info, err := s.Info(ctx)
	if err != nil {
		return 0, err
	}
	seen, dups := map[string]bool{}, 0
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && seq > 0; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return dups, fmt.Errorf("get %d: %w", seq, err)
		}
		id := m.Header.Get("Nats-Msg-Id")
		if seen[id] {
			dups++
		}
		seen[id] = true
	}
	return dups, nil
}

func sortedIDs(m map[string]uint64) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// mountPowerOrSkip mounts img on a fresh directory, skipping the test
// where this machine cannot mount FUSE.
func mountPowerOrSkip(t *testing.T, img powerfs.Image, mode powerfs.Mode) *powerfs.Mounted {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("power-cut test: needs root to mount FUSE")
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skip("power-cut test: no /dev/fuse")
	}
	mt, err := powerfs.Mount(t.TempDir(), img, mode)
	if errors.Is(err, powerfs.ErrNoFUSE) {
		t.Skipf("power-cut test: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mt.Unmount)
	return mt
}

func jsConns(t *testing.T, url string, n int) []jetstream.JetStream {
	t.Helper()
	var out []jetstream.JetStream
	for i := 0; i < n; i++ {
		nc, err := nats.Connect(url, nats.MaxReconnects(0))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, _ := jetstream.New(nc)
		out = append(out, js)
	}
	return out
}
