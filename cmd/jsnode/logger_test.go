package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// memSink records what the writer wrote; with gate set, the first write
// announces itself on entered and then waits for gate to close.
type memSink struct {
	mu      sync.Mutex
	lines   []string
	reopens int
	closed  bool
	gate    chan struct{}
	entered chan struct{}
	once    sync.Once
}

func (s *memSink) write(lines [][]byte) {
	if len(lines) == 0 {
		return
	}
	if s.gate != nil {
		s.once.Do(func() { close(s.entered); <-s.gate })
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range lines {
		s.lines = append(s.lines, string(l))
	}
}
func (s *memSink) reopen() {
	s.mu.Lock()
	s.reopens++
	s.lines = append(s.lines, "<reopen>")
	s.mu.Unlock()
}
func (s *memSink) close() { s.mu.Lock(); s.closed = true; s.mu.Unlock() }

func (s *memSink) got() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

func note(n int) []byte { return fmt.Appendf(nil, "dropped %d", n) }

func TestLogQueueKeepsOrder(t *testing.T) {
	sink := &memSink{}
	q := newLogQueue(sink, 1<<20, note)
	var want []string
	for i := 0; i < 1000; i++ {
		line := fmt.Sprintf("line %d", i)
		want = append(want, line)
		q.push([]byte(line))
		if i == 500 {
			q.reopen()
			want = append(want, "<reopen>")
		}
	}
	q.flush()
	if got := sink.got(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("lines out of order or lost: got %d lines, first diff in %v", len(got), firstDiff(got, want))
	}
	q.close()
	if !sink.closed {
		t.Fatal("close did not close the sink")
	}
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("#%d: %q vs %q", i, a[i], b[i])
		}
	}
	return "length"
}

// A writer stuck on its first write: pushes never wait, lines past the
// byte limit are dropped and counted, and once the writer is back the
// count is written before the next line.
func TestLogQueueDropsWhenWriterBlocked(t *testing.T) {
	sink := &memSink{gate: make(chan struct{}), entered: make(chan struct{})}
	q := newLogQueue(sink, 100, note)
	q.push([]byte("first"))
	<-sink.entered // the writer holds "first" and is blocked
	for i := 0; i < 25; i++ {
		q.push([]byte(fmt.Sprintf("line%04d\n", i))) // 9 bytes: 11 fit in 100
	}
	close(sink.gate)
	q.flush()
	q.push([]byte("after"))
	q.close()
	got := sink.got()
	want := []string{"first"}
	for i := 0; i < 11; i++ {
		want = append(want, fmt.Sprintf("line%04d\n", i))
	}
	want = append(want, "dropped 14", "after")
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// Close writes everything still queued, including the drop count, even
// when the writer was behind when it was called.
func TestLogQueueCloseFlushes(t *testing.T) {
	sink := &memSink{gate: make(chan struct{}), entered: make(chan struct{})}
	q := newLogQueue(sink, 15, note)
	q.push([]byte("a"))
	<-sink.entered
	q.push([]byte("0123456789"))
	q.push([]byte("0123456789")) // does not fit: dropped
	closed := make(chan struct{})
	go func() { q.close(); close(closed) }()
	close(sink.gate)
	<-closed
	if got := strings.Join(sink.got(), "|"); got != "a|0123456789|dropped 1" {
		t.Fatalf("after close: %q", got)
	}
	q.push([]byte("late")) // after close: dropped, no panic
	q.flush()              // returns at once
}

func TestLoggerLineFormat(t *testing.T) {
	sink := &memSink{}
	l := &logger{pid: 42}
	l.trace.Store(true)
	l.q = newLogQueue(sink, 1<<20, l.dropNote)
	l.Noticef("hello %s", "world")
	l.Debugf("not shown")
	l.Tracef("<<- [PING]")
	l.logtime.Store(true)
	l.Errorf("boom")
	l.Close()
	got := sink.got()
	if len(got) != 3 || got[0] != "[42] [INF] hello world\n" || got[1] != "[42] [TRC] <<- [PING]\n" {
		t.Fatalf("lines %q", got)
	}
	if !regexp.MustCompile(`^\[42\] \d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{6} \[ERR\] boom\n$`).MatchString(got[2]) {
		t.Fatalf("timed line %q", got[2])
	}
	if n := string(l.dropNote(3)); !strings.HasSuffix(n, "[WRN] 3 log lines dropped (log writer behind)\n") {
		t.Fatalf("drop note %q", n)
	}
}

// Rotation and purge on a real file, without a process: the file passes
// the limit, is renamed with nats-server's timestamp suffix, and with
// maxNum 3 only the live file and two backups remain.
func TestFileSinkRotatesAndPurges(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "n.log")
	os.WriteFile(filepath.Join(dir, "n.log.notastamp"), []byte("keep"), 0o644)
	line := func(level, format string, v ...any) []byte {
		return fmt.Appendf(nil, "["+level+"] "+format+"\n", v...)
	}
	s, err := openFileSink(path, 300, 3, line, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 60; i++ {
		s.write([][]byte{fmt.Appendf(nil, "message %04d ..........\n", i)}) // 24 bytes
	}
	s.close()
	backups, err := listBackups(dir, "n.log")
	if err != nil {
		t.Fatal(err)
	}
	if len(backups) != 2 {
		t.Fatalf("backups %v, want the 2 newest", backups)
	}
	stamp := regexp.MustCompile(`^n\.log\.\d{4}\.\d\d\.\d\d\.\d\d\.\d\d\.\d\d\.\d{9}$`)
	for _, b := range backups {
		if !stamp.MatchString(b) {
			t.Errorf("backup name %q is not <file>.YYYY.MM.DD.hh.mm.ss.nnnnnnnnn", b)
		}
	}
	live, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(live), `[INF] Rotated log, backup saved as "`+filepath.Join(dir, backups[1])+`"`) {
		t.Fatalf("live file starts %q", live)
	}
	newest, _ := os.ReadFile(filepath.Join(dir, backups[1]))
	if !strings.Contains(string(live)+string(newest), "message 0059") || !strings.Contains(string(live), "[INF] Purged log file") {
		t.Fatalf("live file %q", live)
	}
	if _, err := os.Stat(filepath.Join(dir, "n.log.notastamp")); err != nil {
		t.Fatal("purge removed a file that is not a backup")
	}
	for _, b := range backups {
		data, _ := os.ReadFile(filepath.Join(dir, b))
		if len(data) <= 300 || len(data) > 300+24 {
			t.Errorf("backup %s holds %d bytes; want just past the 300-byte limit", b, len(data))
		}
	}
}
