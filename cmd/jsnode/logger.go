package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// logger writes nats-server-style lines: "[pid] date time [LVL] message".
// It is called from the event loop only for rare events (or when debug or
// trace were asked for), so a direct, locked write is acceptable.
type logger struct {
	mu      sync.Mutex
	w       io.Writer
	pid     int
	logtime bool
	utc     bool // logtime_utc: timestamps in UTC
	debug   bool
	trace   bool
}

func newLogger(w io.Writer, logtime, debug, trace bool) *logger {
	return &logger{w: w, pid: os.Getpid(), logtime: logtime, debug: debug, trace: trace}
}

func (l *logger) write(level, format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.logtime {
		now := time.Now()
		if l.utc {
			now = now.UTC()
		}
		fmt.Fprintf(l.w, "[%d] %s [%s] %s\n", l.pid, now.Format("2006/01/02 15:04:05.000000"), level, msg)
		return
	}
	fmt.Fprintf(l.w, "[%d] [%s] %s\n", l.pid, level, msg)
}

func (l *logger) Noticef(format string, v ...any) { l.write("INF", format, v...) }
func (l *logger) Warnf(format string, v ...any)   { l.write("WRN", format, v...) }
func (l *logger) Errorf(format string, v ...any)  { l.write("ERR", format, v...) }
func (l *logger) Fatalf(format string, v ...any)  { l.write("FTL", format, v...) }

func (l *logger) Debugf(format string, v ...any) {
	if l.debug {
		l.write("DBG", format, v...)
	}
}

func (l *logger) Tracef(format string, v ...any) {
	if l.trace {
		l.write("TRC", format, v...)
	}
}
