package main

import "io"

// What a configuration reload changes in the logger (reload.go): the
// output, timestamps and the debug and trace levels.

// reconfigure switches the logger; w nil keeps the current output.
func (l *logger) reconfigure(w io.Writer, logtime, debug, trace bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w != nil {
		l.w = w
	}
	l.logtime, l.debug, l.trace = logtime, debug, trace
}

// logtimeOn reports whether lines carry a timestamp.
func (l *logger) logtimeOn() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.logtime
}
