package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"jsnode/node/monitor"
	"jsnode/node/server"
)

// The monitoring HTTP server, as nats-server's: the same paths under
// http_base_path, the same query parameters and 400 texts, JSON indented
// by two spaces (/healthz not indented), CORS open. Each request is
// parsed here, answered by the node on its loop (runningNode.Do: the
// answer is a fresh value) and marshalled here, so the loop never
// encodes or writes.

// HTTP server limits, as nats-server sets them; there is no write
// timeout, so a slow reader of a large /connz still gets all of it.
const (
	monitorReadHeaderTimeout = 5 * time.Second
	monitorMaxHeaderBytes    = 1 << 20
)

// monitorServer is a running monitoring listener.
type monitorServer struct {
	node      *runningNode
	base      string // normalized http_base_path
	http      *http.Server
	addr      string // bound host:port
	served    chan struct{}
	closeOnce sync.Once
}

// startMonitor listens on opts' HTTP host and port (-1: a random port)
// and serves the node's monitoring endpoints.
func startMonitor(n *runningNode, opts *server.Options, logger server.Logger) (*monitorServer, error) {
	host := opts.HTTPHost
	if host == "" {
		host = opts.Host // nats-server's default: the client host
	}
	if host == "" {
		host = server.DefaultHost
	}
	port := max(opts.HTTPPort, 0)
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("can't listen to the monitor port: %v", err)
	}
	m := &monitorServer{node: n, base: monitor.NormalizeBasePath(opts.HTTPBasePath), served: make(chan struct{})}
	_, bound, _ := net.SplitHostPort(ln.Addr().String())
	m.addr = net.JoinHostPort(host, bound)
	logger.Noticef("Starting http monitor on %s", m.addr)
	m.http = &http.Server{
		Handler:           m.mux(),
		ReadHeaderTimeout: monitorReadHeaderTimeout,
		MaxHeaderBytes:    monitorMaxHeaderBytes,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go func() {
		defer close(m.served)
		if err := m.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Errorf("Error serving monitor on %q: %v", m.addr, err)
		}
	}()
	return m, nil
}

// Addr is the bound "host:port".
func (m *monitorServer) Addr() string { return m.addr }

// Close stops listening, drops open connections and waits for the serve
// loop to end.
func (m *monitorServer) Close() {
	m.closeOnce.Do(func() {
		m.http.Close()
		<-m.served
	})
}

// mux registers the endpoints under the base path. Like nats-server's,
// the root handler also receives every unknown path and answers 404 to
// anything but the base path itself.
func (m *monitorServer) mux() *http.ServeMux {
	mux := http.NewServeMux()
	handle := func(p string, h http.HandlerFunc) { mux.HandleFunc(monitor.JoinBasePath(m.base, p), h) }
	handle(monitor.RootPath, m.root)
	handle(monitor.VarzPath, m.endpoint(monitor.VarzPath, countFirst, varzAnswer))
	handle(monitor.ConnzPath, m.endpoint(monitor.ConnzPath, countAfterParse, connzAnswer))
	handle(monitor.RoutezPath, m.endpoint(monitor.RoutezPath, countAfterParse, routezAnswer))
	handle(monitor.SubszPath, m.endpoint(monitor.SubszPath, countFirst, subszAnswer))
	handle(monitor.SubscriptionsPath, m.endpoint(monitor.SubszPath, countFirst, subszAnswer))
	handle(monitor.AccountzPath, m.endpoint(monitor.AccountzPath, countFirst, accountzAnswer))
	handle(monitor.AccountStatzPath, m.endpoint(monitor.AccountStatzPath, countFirst, accstatzAnswer))
	handle(monitor.JszPath, m.endpoint(monitor.JszPath, countFirst, jszAnswer))
	handle(monitor.LeafzPath, m.endpoint(monitor.LeafzPath, countFirst, leafzAnswer))
	handle(monitor.GatewayzPath, m.endpoint(monitor.GatewayzPath, countFirst, gatewayzAnswer))
	handle(monitor.HealthzPath, m.healthz)
	return mux
}

// When a request is counted in http_req_stats: nats-server counts /connz
// and /routez only once their query parsed, the others on arrival.
type countWhen bool

const (
	countFirst      countWhen = false
	countAfterParse countWhen = true
)

// answerFunc parses a query (an error is a 400 with its text) and
// returns the work to run on the loop, which yields the document or an
// error (also a 400, as nats-server answers handler errors).
type answerFunc func(q url.Values) (func(s *server.Server) (any, error), error)

// endpoint serves one JSON endpoint.
func (m *monitorServer) endpoint(stat string, when countWhen, answer answerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if when == countFirst {
			m.count(stat)
		}
		work, err := answer(r.URL.Query())
		if err != nil {
			badRequest(w, err)
			return
		}
		if when == countAfterParse {
			m.count(stat)
		}
		var doc any
		if err := m.node.Do(func(s *server.Server) { doc, err = work(s) }); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		if err != nil {
			badRequest(w, err)
			return
		}
		body, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, http.StatusOK, body)
	}
}

// count adds one request to http_req_stats, on the loop, without waiting.
func (m *monitorServer) count(path string) {
	n := m.node
	n.loop.Post(func() {
		if n.srv != nil {
			n.srv.NoteHTTPRequest(path)
		}
	})
}

// badRequest answers 400 with the error text as a plain body.
func badRequest(w http.ResponseWriter, err error) {
	w.WriteHeader(http.StatusBadRequest)
	io.WriteString(w, err.Error())
}

// writeJSON sends a JSON body with nats-server's headers.
func writeJSON(w http.ResponseWriter, code int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(code)
	w.Write(body)
}

// healthz is /healthz: its status code comes from the check, and the body
// is not indented and leaves the status code out.
func (m *monitorServer) healthz(w http.ResponseWriter, r *http.Request) {
	m.count(monitor.HealthzPath)
	opts, err := monitor.ParseHealthzQuery(r.URL.Query())
	if err != nil {
		badRequest(w, err)
		return
	}
	var hs *monitor.HealthStatus
	if err := m.node.Do(func(s *server.Server) { hs = s.Healthz(opts) }); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	code := hs.StatusCode
	hs.StatusCode = 0
	body, _ := json.Marshal(hs)
	writeJSON(w, code, body)
}

// root is the HTML index, served only at exactly the base path.
func (m *monitorServer) root(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != m.base {
		http.NotFound(w, r)
		return
	}
	m.count(monitor.RootPath)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<html lang=\"en\"><head><title>jsnode</title></head><body>\n<h1>jsnode v%s</h1>\n", server.Version)
	for _, e := range []struct{ path, label string }{
		{monitor.VarzPath, "General"}, {monitor.JszPath, "JetStream"}, {monitor.ConnzPath, "Connections"},
		{monitor.AccountzPath, "Accounts"}, {monitor.AccountStatzPath, "Account Stats"},
		{monitor.SubszPath, "Subscriptions"}, {monitor.RoutezPath, "Routes"}, {monitor.LeafzPath, "LeafNodes"},
		{monitor.GatewayzPath, "Gateways"}, {monitor.HealthzPath, "Health Probe"},
	} {
		fmt.Fprintf(w, "<a href=\"%s\">%s</a><br/>\n", monitor.JoinBasePath(m.base, e.path), e.label)
	}
	io.WriteString(w, "</body></html>\n")
}
