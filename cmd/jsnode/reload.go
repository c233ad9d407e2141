package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"sync"

	"jsnode/node/config"
	"jsnode/node/server"
)

// Configuration reload on SIGHUP (or `jsnode --signal reload`), as
// nats-server does it: the file given with -c is read again and the
// command line overrides it as at start (buildOptions, shared with the
// start). Reading, parsing and validating, and opening a new log file,
// happen here, off the event loop; the loop then checks the new options
// against the running ones and applies them in one event. Any error
// leaves the running configuration as it was and is logged as
// "Failed to reload server configuration: <why>".

// reloader holds what a reload needs between signals.
type reloader struct {
	mu   sync.Mutex // one reload at a time
	cl   *cmdline
	n    *runningNode
	log  *logger
	proc config.Process // the process settings in force
	// pidMu guards proc.PidFile, which serve reads when the process exits.
	pidMu sync.Mutex
}

// errNoConfigFile is nats-server's answer to a reload without -c.
var errNoConfigFile = errors.New("can only reload config when a file is provided using -c or --config")

// reload reads the configuration again and applies it, logging the
// outcome as nats-server does, and returns it.
func (r *reloader) reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.tryReload()
	if err != nil {
		r.log.Errorf("Failed to reload server configuration: %v", err)
	}
	return err
}

// setNode gives the reloader the node it reloads, once it runs.
func (r *reloader) setNode(n *runningNode) {
	r.mu.Lock()
	r.n = n
	r.mu.Unlock()
}

// request is the node's Env.Reload: a reload off the loop (it reads the
// file and waits for the loop), then done on the loop with the outcome.
func (r *reloader) request(done func(error)) {
	go func() {
		err := r.reload()
		r.mu.Lock()
		n := r.n
		r.mu.Unlock()
		if n != nil { // nil only if asked before the server was up
			n.loop.Post(func() { done(err) })
		}
	}()
}

func (r *reloader) tryReload() error {
	if r.cl.configFile == "" {
		return errNoConfigFile
	}
	if r.n == nil {
		return errors.New("the server is still starting")
	}
	opts, proc, err := buildOptions(r.cl)
	if err != nil {
		return err
	}
	out, err := r.openLog(proc)
	if err != nil {
		return err
	}
	var applyErr error
	used := false
	err = r.n.Do(func(s *server.Server) {
		p, err := s.PrepareReload(opts)
		if err != nil {
			applyErr = err
			return
		}
		r.applyProcess(proc, opts, out)
		used = true
		applyErr = p.Apply()
	})
	if err == nil {
		err = applyErr
	}
	if out != nil && !used {
		out.close() // refused: the new file was never used
	}
	if err == nil && used {
		r.reloadPidFile(proc.PidFile)
	}
	return err
}

// reloadPidFile writes the pid file a reload named, as nats-server does;
// the one in force is removed when the process exits (serve).
func (r *reloader) reloadPidFile(path string) {
	r.pidMu.Lock()
	defer r.pidMu.Unlock()
	if path == "" || path == r.proc.PidFile {
		return
	}
	if err := writePidFile(path); err != nil {
		r.log.Errorf("Failed to write pid file %q: %v", path, err)
		return
	}
	r.log.Noticef("Reloaded: pid_file = %v", path)
	r.proc.PidFile = path
}

// pidFile is the pid file in force ("" for none).
func (r *reloader) pidFile() string {
	r.pidMu.Lock()
	defer r.pidMu.Unlock()
	return r.proc.PidFile
}

// openLog opens the log file a reload moves the log to (nil when it
// stays where it is), with the rotation settings of the new
// configuration.
func (r *reloader) openLog(proc *config.Process) (*fileSink, error) {
	same := proc.LogFile == r.proc.LogFile && proc.LogSizeLimit == r.proc.LogSizeLimit && proc.LogMaxNum == r.proc.LogMaxNum
	if proc.LogFile == "" || same {
		return nil, nil
	}
	return r.log.openFile(logSettings{file: proc.LogFile, sizeLimit: proc.LogSizeLimit, maxNum: proc.LogMaxNum}, os.Stderr)
}

// applyProcess installs the logging settings of a reload the server
// accepted, with nats-server's lines. It runs on the loop, between the
// check and the server's own changes, so the log is right for them. out
// is the new log file (nil: unchanged); the log writer closes the old one.
func (r *reloader) applyProcess(proc *config.Process, opts *server.Options, out *fileSink) {
	logtime := r.cl.logtime
	if proc.LogtimeSet && !r.cl.set["logtime"] {
		logtime = proc.Logtime
	}
	if logtime != r.log.logtimeOn() {
		r.log.Noticef("Reloaded: logtime = %v", logtime)
	}
	var sink logSink
	if out != nil {
		if proc.LogFile != r.proc.LogFile {
			r.log.Noticef("Reloaded: log_file = %v", proc.LogFile)
		}
		if proc.LogSizeLimit != r.proc.LogSizeLimit {
			r.log.Noticef("Reloaded: logfile_size_limit = %v", proc.LogSizeLimit)
		}
		if proc.LogMaxNum != r.proc.LogMaxNum {
			r.log.Noticef("Reloaded: logfile_max_num = %v", proc.LogMaxNum)
		}
		sink = out
		r.proc.LogFile, r.proc.LogSizeLimit, r.proc.LogMaxNum = proc.LogFile, proc.LogSizeLimit, proc.LogMaxNum
	}
	r.log.reconfigure(sink, logtime, opts.Debug, opts.Trace)
}

// configDigest identifies the config file's contents for the reload log
// line and varz ("sha256:<hex>"). nats-server digests its parsed
// configuration; this is the digest of the file's bytes.
func configDigest(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
