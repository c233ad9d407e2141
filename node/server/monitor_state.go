package server

import (
	"maps"
	"time"
)

// This file is the server's monitoring bookkeeping: what /varz, /connz
// and friends report beyond the live connections (monitor_*.go build the
// documents). Everything here is owned by the loop; the host only posts
// updates (process statistics, HTTP request counts) onto it.

// DefaultMaxClosedClients is how many closed connections /connz
// state=closed remembers (nats-server's max_closed_clients default).
const DefaultMaxClosedClients = 10000

// monitorState is kept in Server.mon.
type monitorState struct {
	start time.Time // when the server was created: varz start, uptime
	// configLoad is when the options were last loaded (start, reload).
	configLoad time.Time
	closed     closedRing
	httpReqs   map[string]uint64
	proc       processStats
	slow       kindCounts
	stale      kindCounts
}

// processStats are what the host measures about the process: the loop
// cannot read them itself (no system calls on the loop).
type processStats struct {
	rss      int64
	cpu      float64
	cores    int
	maxProcs int
	memLimit int64
}

// msgCount is a message count and their payload bytes.
type msgCount struct {
	msgs, bytes int64
}

func (m *msgCount) add(n int) {
	m.msgs++
	m.bytes += int64(n)
}

// kindCounts splits a counter by connection kind.
type kindCounts struct {
	clients, routes uint64
}

// initMonitor starts the bookkeeping when the server is created.
func (m *monitorState) init(now time.Time, maxClosed int) {
	m.start = now
	m.configLoad = now
	if maxClosed <= 0 {
		maxClosed = DefaultMaxClosedClients
	}
	m.closed.max = maxClosed
	m.httpReqs = make(map[string]uint64)
}

// SetProcessStats records the process's resident memory (bytes), CPU use
// (percent, over the host's last sampling interval) and CPU count, for
// varz mem, cpu and cores. The host samples them off the loop and posts
// this call onto it.
func (s *Server) SetProcessStats(rssBytes int64, cpuPercent float64, cores int) {
	p := &s.mon.proc
	p.rss, p.cpu, p.cores = rssBytes, cpuPercent, cores
}

// SetGoRuntime records the Go runtime's GOMAXPROCS and memory limit
// (bytes; 0 when none is set), for varz gomaxprocs and gomemlimit.
func (s *Server) SetGoRuntime(maxProcs int, memLimit int64) {
	s.mon.proc.maxProcs, s.mon.proc.memLimit = maxProcs, memLimit
}

// httpCountedPaths are the endpoints http_req_stats counts, as
// nats-server does (its other endpoints are not counted).
var httpCountedPaths = map[string]bool{
	"/": true, "/varz": true, "/connz": true, "/routez": true, "/gatewayz": true, "/leafz": true,
	"/subsz": true, "/accountz": true, "/accstatz": true, "/jsz": true, "/healthz": true,
}

// NoteHTTPRequest counts one monitoring request for http_req_stats. path
// is the endpoint without the base path ("/varz"); the /subscriptionsz
// alias counts as /subsz, and paths nats-server does not count are
// ignored.
func (s *Server) NoteHTTPRequest(path string) {
	if path == "/subscriptionsz" {
		path = "/subsz"
	}
	if httpCountedPaths[path] {
		s.mon.httpReqs[path]++
	}
}

// httpReqStats is a copy of the request counts.
func (s *Server) httpReqStats() map[string]uint64 {
	return maps.Clone(s.mon.httpReqs)
}
