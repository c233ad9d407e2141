package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"jsnode/node/monitor"
	"jsnode/node/server"
)

// End-to-end tests of the monitoring HTTP server over real TCP, with
// nats.go clients making the traffic.

// startMonitoredNode runs a node with the monitor on a random port.
func startMonitoredNode(t *testing.T, opts *server.Options) (*runningNode, string) {
	t.Helper()
	if opts == nil {
		opts = &server.Options{}
	}
	opts.HTTPPort = -1
	n, _ := startTestNode(t, opts)
	if n.MonitorAddr() == "" {
		t.Fatal("monitor not started")
	}
	return n, "http://" + n.MonitorAddr()
}

// httpGet fetches url and returns the status, headers and body.
func httpGet(t *testing.T, url string) (int, http.Header, []byte) {
	t.Helper()
	c := &http.Client{Timeout: waitLimit}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", url, err)
	}
	return resp.StatusCode, resp.Header, body
}

// getJSON fetches url, expects 200 with nats-server's headers, and
// decodes the body into v.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	code, h, body := httpGet(t, url)
	if code != http.StatusOK {
		t.Fatalf("GET %s: status %d body %q", url, code, body)
	}
	if h.Get("Content-Type") != "application/json" || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("GET %s: headers %v", url, h)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", url, err, body)
	}
}

func TestE2EMonitorConnzMatchesTraffic(t *testing.T) {
	// No system account: its services' subscriptions would count in varz.
	node, mon := startMonitoredNode(t, &server.Options{NoSystemAccount: true})
	sub := connect(t, node, nats.Name("sub"))
	got := make(chan *nats.Msg, 64)
	if _, err := sub.ChanSubscribe("e2e.>", got); err != nil {
		t.Fatal(err)
	}
	if _, err := sub.QueueSubscribe("work", "w", func(*nats.Msg) {}); err != nil {
		t.Fatal(err)
	}
	sub.Flush()
	pub := connect(t, node, nats.Name("pub"))
	const n1, size = 25, 7
	for i := 0; i < n1; i++ {
		pub.Publish("e2e.data", []byte("payload"))
	}
	pub.Flush()
	for i := 0; i < n1; i++ {
		select {
		case <-got:
		case <-time.After(waitLimit):
			t.Fatalf("got %d of %d messages", i, n1)
		}
	}

	var cz monitor.Connz
	getJSON(t, mon+"/connz?subs=1&sort=msgs_from", &cz)
	if cz.NumConns != 2 || cz.Total != 2 || len(cz.Conns) != 2 {
		t.Fatalf("connz: %d of %d connections", cz.NumConns, cz.Total)
	}
	p, s := cz.Conns[0], cz.Conns[1]
	if p.Name != "pub" || p.InMsgs != n1 || p.InBytes != n1*size || p.OutMsgs != 0 {
		t.Fatalf("publisher: %+v", p)
	}
	if s.Name != "sub" || s.OutMsgs != n1 || s.OutBytes != n1*size || s.NumSubs != 2 || len(s.Subs) != 2 {
		t.Fatalf("subscriber: %+v", s)
	}
	if s.Lang != "go" || s.Version != nats.Version || s.IP != "127.0.0.1" || s.Port == 0 || s.RTT == "" {
		t.Fatalf("subscriber identity: %+v", s)
	}

	var v monitor.Varz
	getJSON(t, mon+"/varz", &v)
	if v.Connections != 2 || v.InMsgs != n1 || v.OutMsgs != n1 || v.InClientMsgs != n1 || v.Subscriptions != 2 {
		t.Fatalf("varz: conns %d in %d out %d in_client %d subs %d", v.Connections, v.InMsgs, v.OutMsgs, v.InClientMsgs, v.Subscriptions)
	}
	if v.HTTPReqStats["/varz"] != 1 || v.HTTPReqStats["/connz"] != 1 || v.Cores == 0 || v.MaxProcs == 0 {
		t.Fatalf("varz: http_req_stats %v cores %d gomaxprocs %d", v.HTTPReqStats, v.Cores, v.MaxProcs)
	}
	waitFor(t, "a process sample (mem)", func() bool {
		var v monitor.Varz
		getJSON(t, mon+"/varz", &v)
		return v.Mem > 0
	})

	pub.Close()
	waitFor(t, "the closed publisher in connz", func() bool {
		var cz monitor.Connz
		getJSON(t, mon+"/connz?state=closed", &cz)
		return cz.NumConns == 1 && cz.Conns[0].Name == "pub" && cz.Conns[0].Reason == "Client Closed" &&
			cz.Conns[0].InMsgs == n1 && cz.Conns[0].Stop != nil
	})
	getJSON(t, mon+"/connz", &cz)
	if cz.NumConns != 1 || cz.Conns[0].Name != "sub" {
		t.Fatalf("open after close: %+v", cz.Conns)
	}
}

func TestE2EMonitorBasePathAndErrors(t *testing.T) {
	_, mon := startMonitoredNode(t, &server.Options{HTTPBasePath: "nats/"})
	if code, _, _ := httpGet(t, mon+"/varz"); code != http.StatusNotFound {
		t.Fatalf("/varz outside the base path: %d", code)
	}
	var v monitor.Varz
	getJSON(t, mon+"/nats/varz", &v)
	if v.HTTPBasePath != "nats/" {
		t.Fatalf("http_base_path %q", v.HTTPBasePath)
	}
	code, h, body := httpGet(t, mon+"/nats")
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(string(body), `href="/nats/connz"`) {
		t.Fatalf("index at the base path: %d %v %q", code, h, body)
	}
	for _, p := range []string{"/nats/nope", "/nats/varz/", "/nats/stacksz"} {
		if code, _, _ := httpGet(t, mon+p); code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, code)
		}
	}
	code, _, body = httpGet(t, mon+"/nats/connz?state=nope")
	if code != http.StatusBadRequest || string(body) != "Error decoding state for nope" {
		t.Fatalf("bad state: %d %q", code, body)
	}
	code, h, body = httpGet(t, mon+"/nats/healthz?stream=S")
	if code != http.StatusBadRequest || string(body) != `{"status":"error","error":"\"account\" must not be empty when checking stream health"}` ||
		h.Get("Content-Type") != "application/json" {
		t.Fatalf("healthz stream without account: %d %q", code, body)
	}
	code, _, body = httpGet(t, mon+"/nats/accountz?acc=NOPE")
	if code != http.StatusBadRequest || string(body) != "Account NOPE does not exist" {
		t.Fatalf("unknown account: %d %q", code, body)
	}
}

func TestE2EMonitorSurvivesGarbage(t *testing.T) {
	node, mon := startMonitoredNode(t, nil)
	addr := strings.TrimPrefix(mon, "http://")
	send := func(payload []byte) string {
		c, err := net.DialTimeout("tcp", addr, waitLimit)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(waitLimit))
		c.Write(payload) // the server may close before reading it all
		line, _ := bufio.NewReader(c).ReadString('\n')
		return line
	}
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i*131 + 7)
	}
	if line := send(append(garbage, "\r\n\r\n"...)); !strings.HasPrefix(line, "HTTP/1.1 400") {
		t.Errorf("binary garbage answered %q", line)
	}
	huge := "GET /varz HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 2<<20) + "\r\n\r\n"
	if line := send([]byte(huge)); !strings.HasPrefix(line, "HTTP/1.1 431") {
		t.Errorf("2 MiB header answered %q", line)
	}
	if line := send([]byte("GET /varz HTTP/9.9\r\n\r\n")); !strings.HasPrefix(line, "HTTP/1.1 505") && !strings.HasPrefix(line, "HTTP/1.1 400") {
		t.Errorf("bad version answered %q", line)
	}
	// An idle connection that never sends a request does not block others.
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	var v monitor.Varz
	getJSON(t, mon+"/varz", &v)
	nc := connect(t, node)
	if _, err := nc.Request("nobody", nil, waitLimit); err != nats.ErrNoResponders {
		t.Fatalf("the node stopped serving clients: %v", err)
	}
}

func TestMonitorFlags(t *testing.T) {
	cl, err := parseFlags([]string{"-m", "8222"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	opts, _, err := buildOptions(cl)
	if err != nil || opts.HTTPPort != 8222 {
		t.Fatalf("-m 8222: port %d err %v", opts.HTTPPort, err)
	}
	if cl, err = parseFlags([]string{"--http_port", "-1"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if opts, _, _ = buildOptions(cl); opts.HTTPPort != -1 {
		t.Fatalf("--http_port -1: port %d", opts.HTTPPort)
	}
}

func TestMonitorLogsAndStopsWithTheNode(t *testing.T) {
	opts := &server.Options{Host: "127.0.0.1", Port: -1, HTTPPort: -1}
	log := &memLog{}
	n, err := startNode(opts, log)
	if err != nil {
		t.Fatal(err)
	}
	addr := n.MonitorAddr()
	if !log.has("Starting http monitor on " + addr) {
		t.Fatalf("no start line for %s in %v", addr, log.lines)
	}
	n.Shutdown()
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("monitor still listening after shutdown")
	}
}
