package main

import "io"

// What a configuration reload changes in the logger (reload.go): the
// log file, timestamps and the debug and trace levels.

// openFile opens the log file of ls as a sink; errOut gets the sink's own
// failures. Not for the loop: it opens a file.
func (l *logger) openFile(ls logSettings, errOut io.Writer) (*fileSink, error) {
	return openFileSink(ls.file, ls.sizeLimit, ls.maxNum, l.format, errOut)
}

// reconfigure switches the levels and, with sink non-nil, the output:
// lines logged before the call go to the old output, later ones to the
// new, and the writer closes the old one.
func (l *logger) reconfigure(sink logSink, logtime, debug, trace bool) {
	if sink != nil {
		l.q.switchSink(sink)
		l.file.Store(true)
	}
	l.logtime.Store(logtime)
	l.debug.Store(debug)
	l.trace.Store(trace)
}

// logtimeOn reports whether lines carry a timestamp.
func (l *logger) logtimeOn() bool { return l.logtime.Load() }
