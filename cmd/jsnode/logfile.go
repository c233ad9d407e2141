package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// streamSink writes lines to a stream (stderr) that cannot be reopened
// or rotated.
type streamSink struct{ w io.Writer }

func (s streamSink) write(lines [][]byte) {
	if len(lines) > 0 {
		s.w.Write(joinLines(lines))
	}
}
func (s streamSink) reopen() {}
func (s streamSink) close()  {}

// fileSink is the log file: appended to, reopened on SIGUSR1 (after
// logrotate moved it away) and, with a size limit, rotated as
// nats-server rotates: once a write takes the file past the limit it is
// renamed to "<file>.YYYY.MM.DD.hh.mm.ss.nnnnnnnnn" and a new file is
// started with a line naming the backup. With maxNum > 0 only maxNum
// files are kept, the live one included, so maxNum-1 backups.
type fileSink struct {
	path   string
	f      *os.File
	size   int64
	limit  int64 // 0: never rotate
	maxNum int   // 0: keep every backup
	// line formats a line ("INF", "ERR") the sink writes about itself.
	line func(level, format string, v ...any) []byte
	// errOut receives the sink's own failures (stderr).
	errOut io.Writer
}

// openFileSink opens (or creates) the log file for appending.
func openFileSink(path string, limit int64, maxNum int, line func(string, string, ...any) []byte, errOut io.Writer) (*fileSink, error) {
	s := &fileSink{path: path, limit: limit, maxNum: maxNum, line: line, errOut: errOut}
	if err := s.open(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *fileSink) open() error {
	f, err := os.OpenFile(s.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	s.f, s.size = f, st.Size()
	return nil
}

// write appends the lines, rotating after the line that passes the
// limit, so every rotated file ends just past the limit as with
// nats-server (which checks after each line).
func (s *fileSink) write(lines [][]byte) {
	if s.f == nil {
		return
	}
	start := 0
	var total int64
	for i, l := range lines {
		total += int64(len(l))
		if s.limit > 0 && s.size+total > s.limit {
			s.append(joinLines(lines[start : i+1]))
			s.rotate()
			start, total = i+1, 0
		}
	}
	if start < len(lines) {
		s.append(joinLines(lines[start:]))
	}
}

func (s *fileSink) append(b []byte) {
	if s.f == nil {
		return // the file could not be reopened; the error was reported
	}
	n, err := s.f.Write(b)
	s.size += int64(n)
	if err != nil {
		fmt.Fprintf(s.errOut, "jsnode: writing log file %s: %v\n", s.path, err)
	}
}

// reopen closes the file and opens the path again: after logrotate
// renamed it, a new file appears there. Its first line says so, with
// nats-server's text.
func (s *fileSink) reopen() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
	if err := s.open(); err != nil {
		fmt.Fprintf(s.errOut, "jsnode: reopening log file %s: %v\n", s.path, err)
		return
	}
	s.append(s.line("INF", "File log re-opened"))
}

// rotate renames the full file to a timestamped backup and starts a new
// one, then purges old backups.
func (s *fileSink) rotate() {
	if err := s.f.Close(); err != nil {
		// As nats-server: keep writing and try again at twice the size.
		s.limit *= 2
		fmt.Fprintf(s.errOut, "jsnode: closing log file for rotation: %v\n", err)
		return
	}
	s.f = nil
	backup := s.path + time.Now().Format(".2006.01.02.15.04.05.000000000")
	renameErr := os.Rename(s.path, backup)
	if err := s.open(); err != nil {
		fmt.Fprintf(s.errOut, "jsnode: reopening log file after rotation: %v\n", err)
		return
	}
	if renameErr != nil {
		// Still the same file: try again at twice the size rather than
		// on every line.
		s.limit *= 2
		s.append(s.line("ERR", "Unable to rename log file for rotation (%v), will attempt next rotation at size %d", renameErr, s.limit))
		return
	}
	s.size = 0
	s.append(s.line("INF", "Rotated log, backup saved as %q", backup))
	if s.maxNum > 0 {
		s.purge()
	}
}

// purge removes the oldest backups beyond maxNum-1. Backups are the
// files named "<base>.<timestamp>" beside the log; the timestamp's fixed
// width makes name order time order.
func (s *fileSink) purge() {
	dir, base := filepath.Dir(s.path), filepath.Base(s.path)
	backups, err := listBackups(dir, base)
	if err != nil {
		s.append(s.line("ERR", "Unable to read directory %q for log purge (%v), will attempt next rotation", dir, err))
		return
	}
	keep := s.maxNum - 1
	for i := 0; i < len(backups)-keep; i++ {
		if err := os.Remove(filepath.Join(dir, backups[i])); err != nil {
			s.append(s.line("ERR", "Unable to remove backup log file %q (%v), will attempt next rotation", backups[i], err))
			return
		}
		s.append(s.line("INF", "Purged log file %q", backups[i]))
	}
}

// backupStamp is the suffix layout of a rotated file.
const backupStamp = "2006.01.02.15.04.05.000000000"

// listBackups returns the rotated files of base in dir, oldest first.
func listBackups(dir, base string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		stamp, ok := strings.CutPrefix(e.Name(), base+".")
		if !ok || e.IsDir() {
			continue
		}
		if _, err := time.Parse(backupStamp, stamp); err == nil {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

func (s *fileSink) close() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

// joinLines makes one buffer of a batch, for one write call.
func joinLines(lines [][]byte) []byte {
	if len(lines) == 1 {
		return lines[0]
	}
	n := 0
	for _, l := range lines {
		n += len(l)
	}
	b := make([]byte, 0, n)
	for _, l := range lines {
		b = append(b, l...)
	}
	return b
}
