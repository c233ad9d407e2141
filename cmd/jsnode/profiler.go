package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"strconv"
	"time"
)

// profiler is the pprof HTTP listener of prof_port / --profile, as
// nats-server runs one: Go's /debug/pprof/ handlers on the client host.
type profiler struct {
	srv  *http.Server
	addr string
}

// startProfiler listens on host:port (-1: any port) and serves pprof;
// blockRate is prof_block_rate (runtime.SetBlockProfileRate).
func startProfiler(host string, port, blockRate int, log *logger) (*profiler, error) {
	if port == -1 {
		port = 0
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("error starting profiler: %s", err)
	}
	log.Noticef("profiling port: %d", l.Addr().(*net.TCPAddr).Port)
	if blockRate != 0 {
		runtime.SetBlockProfileRate(blockRate)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	p := &profiler{addr: l.Addr().String(), srv: &http.Server{Handler: mux, MaxHeaderBytes: 1 << 20, ReadTimeout: 5 * time.Second}}
	go p.srv.Serve(l)
	return p, nil
}

func (p *profiler) Close() { p.srv.Close() }
