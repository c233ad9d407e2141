package main

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"
)

// logger writes nats-server-style lines: "[pid] date time [LVL] message".
// It is called from the event loop, so it never writes itself: the line
// is formatted on the caller and queued, and one writer goroutine writes
// it (and reopens or rotates the file). Close (or Flush) waits for what
// is queued to reach the file.
//
// A configuration reload changes the levels and the output while other
// goroutines log (logger_reload.go), hence the atomics.
type logger struct {
	q       *logQueue
	pid     int
	logtime atomic.Bool
	utc     bool // logtime_utc: timestamps in UTC
	debug   atomic.Bool
	trace   atomic.Bool
	file    atomic.Bool // writing to a log file (reopen applies)
}

// logSettings are the output choices for newLogger.
type logSettings struct {
	logtime, debug, trace bool
	utc                   bool // logtime_utc
	// file is the log file ("": write to the stream).
	file string
	// sizeLimit rotates the file past this many bytes (0: never);
	// maxNum keeps that many files, the live one included (0: all).
	sizeLimit int64
	maxNum    int
}

// newLogger starts the writer over the log file, or over stream when
// there is none.
func newLogger(stream io.Writer, ls logSettings) (*logger, error) {
	l := &logger{pid: os.Getpid(), utc: ls.utc}
	l.logtime.Store(ls.logtime)
	l.debug.Store(ls.debug)
	l.trace.Store(ls.trace)
	l.file.Store(ls.file != "")
	var sink logSink = streamSink{w: stream}
	if ls.file != "" {
		fs, err := l.openFile(ls, stream)
		if err != nil {
			return nil, err
		}
		sink = fs
	}
	l.q = newLogQueue(sink, maxQueuedLogBytes, l.dropNote)
	return l, nil
}

// format builds one line, newline included.
func (l *logger) format(level, format string, v ...any) []byte {
	msg := fmt.Sprintf(format, v...)
	if l.logtime.Load() {
		now := time.Now()
		if l.utc {
			now = now.UTC()
		}
		return fmt.Appendf(nil, "[%d] %s [%s] %s\n", l.pid, now.Format("2006/01/02 15:04:05.000000"), level, msg)
	}
	return fmt.Appendf(nil, "[%d] [%s] %s\n", l.pid, level, msg)
}

func (l *logger) dropNote(n int) []byte {
	return l.format("WRN", "%d log lines dropped (log writer behind)", n)
}

func (l *logger) write(level, format string, v ...any) {
	l.q.push(l.format(level, format, v...))
}

func (l *logger) Noticef(format string, v ...any) { l.write("INF", format, v...) }
func (l *logger) Warnf(format string, v ...any)   { l.write("WRN", format, v...) }
func (l *logger) Errorf(format string, v ...any)  { l.write("ERR", format, v...) }
func (l *logger) Fatalf(format string, v ...any)  { l.write("FTL", format, v...) }

func (l *logger) Debugf(format string, v ...any) {
	if l.debug.Load() {
		l.write("DBG", format, v...)
	}
}

func (l *logger) Tracef(format string, v ...any) {
	if l.trace.Load() {
		l.write("TRC", format, v...)
	}
}

// Reopen reopens the log file (SIGUSR1), in order with the lines queued
// before it; the new file starts with nats-server's notice. Without a log
// file it only says so, as nats-server does.
func (l *logger) Reopen() {
	if !l.file.Load() {
		l.Noticef("File log re-open ignored, not a file logger")
		return
	}
	l.q.reopen()
}

// Flush waits until every line logged so far is written.
func (l *logger) Flush() { l.q.flush() }

// Close writes what is queued and closes the file; call it on every exit
// path so the last lines (a fatal error, "Server Exiting..") are kept.
func (l *logger) Close() { l.q.close() }
