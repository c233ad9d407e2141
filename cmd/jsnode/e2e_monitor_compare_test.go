package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
)

// Side-by-side comparison of the monitoring endpoints with nats-server
// (the reference binary in .tools, skipped when absent): both servers get
// the same configuration and the same client traffic, then every
// endpoint is fetched from both and the documents must have the same
// keys with the same JSON types at every depth (values may differ).
// Arrays compare the union of their elements' keys. A key only one side
// has fails the test unless monitorAllowed gives the reason. Bad queries
// must get the same status and the same body from both.

// monitorAllowed are the differences jsnode accepts, by path
// ("endpoint.key.key", "[]" for array elements), with the reason.
var monitorAllowed = map[string]string{
	"varz.feature_flags":                        "jsnode has no feature flags yet",
	"routez.routes[].account":                   "nats-server pins $SYS to a dedicated route; jsnode keeps one route per server pair",
	"varz.cluster.pool_size":                    "jsnode keeps one route per server pair and advertises no pool size",
	"routez.routes[].subscriptions_list":        "nats-server's dedicated $SYS route carries the system account's interest; jsnode has none yet",
	"routez.routes[].subscriptions_list_detail": "as routez.routes[].subscriptions_list",
}

// monitorMapPaths are objects keyed by data, not by schema: only their
// values' types are compared.
var monitorMapPaths = map[string]bool{"varz.http_req_stats": true}

// The documents fetched from both servers (queries included).
var monitorEndpoints = []string{
	"varz", "connz", "connz?subs=true&auth=true", "connz?subs=detail", "connz?subs=detail&auth=true",
	"connz?state=closed", "connz?state=closed&subs=detail&auth=true", "connz?state=all&sort=cid",
	"subsz", "subsz?subs=1", "subsz?subs=1&test=foo.bar", "routez", "routez?subs=1", "healthz",
	"healthz?js-enabled-only=true", "accountz", "accountz?acc=$G", "accstatz", "accstatz?unused=1",
	"jsz", "leafz", "gatewayz",
}

// Bad requests and the status both must answer with (bodies must be
// equal too).
var monitorBadQueries = []string{
	"connz?limit=x", "connz?offset=1.5", "connz?cid=-1", "connz?sort=bogus", "connz?auth=maybe",
	"connz?subs=maybe", "connz?state=nope", "connz?sort=stop", "connz?sort=reason&state=open",
	"subsz?test=foo.*", "subsz?subs=detail", "routez?subs=maybe", "accstatz?unused=2",
	"accountz?acc=NOPE", "healthz?details=maybe", "healthz?stream=S", "healthz?account=A&consumer=C",
	"jsz?limit=x", "jsz?leader-only=true", "leafz?subs=maybe", "gatewayz?accs=maybe",
}

// Users both servers are configured with.
const compareConfig = "authorization { users: [ {user: a, password: pa}, {user: b, password: pb} ] }\n"

// natsServerPath is the reference binary, or skips the test.
func natsServerPath(t *testing.T) string {
	t.Helper()
	bin, err := filepath.Abs(natsServerBin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("nats-server not available at %s: %v", bin, err)
	}
	return bin
}

// refServer is a running nats-server child process.
type refServer struct {
	client, monitor string // nats:// and http:// URLs
}

// startRefServer runs nats-server with the config file and extra flags on
// fresh ports and waits until its monitor answers.
func startRefServer(t *testing.T, config, name string, extra ...string) *refServer {
	t.Helper()
	ports := freePorts(t, 2)
	runNatsServer(t, name, append([]string{"-c", config, "-a", "127.0.0.1", "-p", strconv.Itoa(ports[0]),
		"-m", strconv.Itoa(ports[1]), "-n", name}, extra...)...)
	rs := &refServer{client: "nats://127.0.0.1:" + strconv.Itoa(ports[0]), monitor: "http://127.0.0.1:" + strconv.Itoa(ports[1])}
	waitFor(t, "nats-server's monitor", func() bool {
		resp, err := http.Get(rs.monitor + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	})
	return rs
}

// startCompareNode runs jsnode through its command line with the same
// config file and flags.
func startCompareNode(t *testing.T, config, name string, extra ...string) (*runningNode, string) {
	t.Helper()
	args := append([]string{"-c", config, "-a", "127.0.0.1", "-p", "-1", "-m", "-1", "-n", name}, extra...)
	cl, err := parseFlags(args, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	opts, _, err := buildOptions(cl)
	if err != nil {
		t.Fatal(err)
	}
	n, err := startNode(opts, &memLog{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Shutdown)
	return n, "http://" + n.MonitorAddr()
}

// writeConfig writes the shared config file.
func writeConfig(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "monitor.conf")
	if err := os.WriteFile(file, []byte(compareConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// compareTraffic makes the same clients and traffic on a server: two
// open connections with subscriptions (plain, queue, auto-unsubscribe),
// messages between them, and one closed connection. The open
// connections are closed when the test ends.
func compareTraffic(t *testing.T, url, monitorURL string) {
	t.Helper()
	dial := func(user, pass, name string) *nats.Conn {
		nc, err := nats.Connect(url, nats.UserInfo(user, pass), nats.Name(name))
		if err != nil {
			t.Fatalf("connect %s to %s: %v", user, url, err)
		}
		t.Cleanup(nc.Close)
		return nc
	}
	c1, c2, gone := dial("a", "pa", "c1"), dial("b", "pb", ""), dial("a", "pa", "gone")
	c1.Subscribe("foo.>", func(*nats.Msg) {})
	c1.QueueSubscribe("q.*", "workers", func(*nats.Msg) {})
	s, _ := c2.SubscribeSync("bar")
	s.AutoUnsubscribe(100)
	gone.Subscribe("gone.sub", func(*nats.Msg) {})
	gone.Flush()
	gone.Close()
	c1.Flush()
	for i := 0; i < 10; i++ {
		c2.Publish("foo.x", []byte("hello"))
	}
	c2.Flush()
	waitFor(t, "the closed connection in "+monitorURL, func() bool {
		var cz struct {
			NumConns int `json:"num_connections"`
		}
		_, _, body := httpGet(t, monitorURL+"/connz?state=closed")
		return json.Unmarshal(body, &cz) == nil && cz.NumConns == 1
	})
}

func TestE2EMonitorCompareSingleNode(t *testing.T) {
	natsServerPath(t)
	config := writeConfig(t)
	ref := startRefServer(t, config, "ns1")
	node, mon := startCompareNode(t, config, "js1")
	compareTraffic(t, ref.client, ref.monitor)
	compareTraffic(t, node.ClientURL(), mon)
	compareEndpoints(t, ref.monitor, mon, monitorEndpoints)
	compareBadQueries(t, ref.monitor, mon)
	compareCounts(t, ref.monitor, mon)
}

func TestE2EMonitorCompareCluster(t *testing.T) {
	natsServerPath(t)
	config := writeConfig(t)
	ports := freePorts(t, 4)
	cluster := func(self, peer int) []string {
		return []string{"--cluster", "nats://127.0.0.1:" + strconv.Itoa(ports[self]), "--cluster_name", "cmp",
			"--routes", "nats://127.0.0.1:" + strconv.Itoa(ports[peer])}
	}
	ref1 := startRefServer(t, config, "ns1", cluster(0, 1)...)
	ref2 := startRefServer(t, config, "ns2", cluster(1, 0)...)
	j1, mon1 := startCompareNode(t, config, "js1", cluster(2, 3)...)
	j2, _ := startCompareNode(t, config, "js2", cluster(3, 2)...)
	waitFor(t, "the jsnode route", func() bool { return numRoutesOf(t, j1) == 1 && numRoutesOf(t, j2) == 1 })
	// A subscriber on each second server, so that the first one's routes
	// carry interest.
	for _, url := range []string{ref2.client, j2.ClientURL()} {
		nc, err := nats.Connect(url, nats.UserInfo("b", "pb"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		nc.Subscribe("remote.sub", func(*nats.Msg) {})
		nc.Flush()
	}
	for _, mon := range []string{ref1.monitor, mon1} {
		waitFor(t, "the remote interest in "+mon+"/routez", func() bool {
			return strings.Contains(string(fetchBody(t, mon, "routez?subs=1")), `"remote.sub"`)
		})
	}
	compareTraffic(t, ref1.client, ref1.monitor)
	compareTraffic(t, j1.ClientURL(), mon1)
	compareEndpoints(t, ref1.monitor, mon1, []string{"varz", "routez", "routez?subs=1", "routez?subs=detail", "connz", "subsz", "healthz"})
}

// compareEndpoints fetches each endpoint from both servers and compares
// the documents' shapes.
func compareEndpoints(t *testing.T, ref, js string, endpoints []string) {
	t.Helper()
	for _, ep := range endpoints {
		refDoc, jsDoc := fetchDoc(t, ref, ep), fetchDoc(t, js, ep)
		name := strings.SplitN(ep, "?", 2)[0]
		var diffs []string
		compareShape(name, refDoc, jsDoc, &diffs)
		for _, d := range diffs {
			t.Errorf("/%s: %s", ep, d)
		}
	}
}

// fetchDoc GETs an endpoint and decodes its JSON body.
func fetchDoc(t *testing.T, base, ep string) any {
	t.Helper()
	code, h, body := httpGet(t, base+"/"+ep)
	if code != http.StatusOK {
		t.Fatalf("%s/%s: status %d body %q", base, ep, code, body)
	}
	if h.Get("Content-Type") != "application/json" || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("%s/%s: headers %v", base, ep, h)
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%s/%s: %v", base, ep, err)
	}
	return doc
}

// jsonType names a decoded JSON value's type.
func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// compareShape records, into diffs, where ref (nats-server) and js differ
// in keys or JSON types.
func compareShape(path string, ref, js any, diffs *[]string) {
	if rt, jt := jsonType(ref), jsonType(js); rt != jt {
		*diffs = append(*diffs, fmt.Sprintf("%s: nats-server has %s, jsnode %s", path, rt, jt))
		return
	}
	switch r := ref.(type) {
	case map[string]any:
		compareObjects(path, r, js.(map[string]any), diffs)
	case []any:
		j := js.([]any)
		if len(r) > 0 && len(j) > 0 {
			compareShape(path+"[]", unionOf(r), unionOf(j), diffs)
		}
	}
}

// compareObjects compares two objects key by key.
func compareObjects(path string, ref, js map[string]any, diffs *[]string) {
	if monitorMapPaths[path] {
		compareShape(path+"{}", unionOf(mapValues(ref)), unionOf(mapValues(js)), diffs)
		return
	}
	keys := make([]string, 0, len(ref)+len(js))
	for k := range ref {
		keys = append(keys, k)
	}
	for k := range js {
		if _, ok := ref[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := path + "." + k
		rv, inRef := ref[k]
		jv, inJS := js[k]
		switch {
		case inRef && inJS:
			compareShape(p, rv, jv, diffs)
		case monitorAllowed[p] != "":
		case inRef:
			*diffs = append(*diffs, p+": only nats-server has it")
		default:
			*diffs = append(*diffs, p+": only jsnode has it")
		}
	}
}

// unionOf merges array elements: objects into one object holding every
// key seen (first value wins), anything else is the first element.
func unionOf(elems []any) any {
	if len(elems) == 0 {
		return nil
	}
	if _, ok := elems[0].(map[string]any); !ok {
		return elems[0]
	}
	u := map[string]any{}
	for _, e := range elems {
		m, _ := e.(map[string]any)
		for k, v := range m {
			if _, seen := u[k]; !seen {
				u[k] = v
			}
		}
	}
	return u
}

func mapValues(m map[string]any) []any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

// compareBadQueries expects the same status and body from both servers.
func compareBadQueries(t *testing.T, ref, js string) {
	t.Helper()
	for _, q := range monitorBadQueries {
		rc, _, rb := httpGet(t, ref+"/"+q)
		jc, _, jb := httpGet(t, js+"/"+q)
		if rc != jc || string(rb) != string(jb) {
			t.Errorf("/%s: nats-server %d %q, jsnode %d %q", q, rc, rb, jc, jb)
		}
		if rc == http.StatusOK {
			t.Errorf("/%s: both answered 200; the case tests nothing", q)
		}
	}
}

// compareCounts checks the values that the same traffic must make equal.
func compareCounts(t *testing.T, ref, js string) {
	t.Helper()
	type conn struct {
		Name     string `json:"name"`
		InMsgs   int64  `json:"in_msgs"`
		OutMsgs  int64  `json:"out_msgs"`
		InBytes  int64  `json:"in_bytes"`
		OutBytes int64  `json:"out_bytes"`
		NumSubs  int    `json:"subscriptions"`
		User     string `json:"authorized_user"`
		Reason   string `json:"reason"`
	}
	type connz struct {
		Total int    `json:"total"`
		Conns []conn `json:"connections"`
	}
	for _, q := range []string{"connz?auth=true", "connz?state=closed&auth=true"} {
		var refCz, jsCz connz
		json.Unmarshal(fetchBody(t, ref, q), &refCz)
		json.Unmarshal(fetchBody(t, js, q), &jsCz)
		if refCz.Total != jsCz.Total || !slices.Equal(refCz.Conns, jsCz.Conns) {
			t.Errorf("/%s: nats-server %+v\njsnode %+v", q, refCz, jsCz)
		}
	}
}

func fetchBody(t *testing.T, base, ep string) []byte {
	t.Helper()
	_, _, body := httpGet(t, base+"/"+ep)
	return body
}

// The comparison machinery itself: a difference must be reported.
func TestCompareShapeFindsDifferences(t *testing.T) {
	var ref, js any
	json.Unmarshal([]byte(`{"a":1,"b":{"c":"x"},"l":[{"k":1},{"m":true}],"n":2}`), &ref)
	json.Unmarshal([]byte(`{"a":"1","b":{},"l":[{"k":1}],"extra":0,"n":2}`), &js)
	var diffs []string
	compareShape("t", ref, js, &diffs)
	want := []string{"t.a: nats-server has number, jsnode string", "t.b.c: only nats-server has it",
		"t.extra: only jsnode has it", "t.l[].m: only nats-server has it"}
	if !slices.Equal(diffs, want) {
		t.Fatalf("diffs:\n%s\nwant:\n%s", strings.Join(diffs, "\n"), strings.Join(want, "\n"))
	}
}

// compareAccountsConfig puts the compare users into accounts with
// exports, imports and mappings, and names a system account.
const compareAccountsConfig = `
accounts {
  A: { users: [ {user: a, password: pa} ]
       exports: [ {stream: "foo.>"}, {service: "svc.>", response_type: stream, response_threshold: "5s"} ]
       mappings: { "old.*": "new.$1", "split": [ {destination: "s.1", weight: 40}, {destination: "s.2", weight: 60} ] } }
  B: { users: [ {user: b, password: pb} ]
       imports: [ {stream: {account: A, subject: "foo.>"}, prefix: "a"}, {service: {account: A, subject: "svc.time"}, to: "time"} ] }
  SYS: { users: [ {user: sys, password: ps} ] }
}
system_account: SYS
`

func TestE2EMonitorCompareAccounts(t *testing.T) {
	natsServerPath(t)
	file := filepath.Join(t.TempDir(), "accounts.conf")
	if err := os.WriteFile(file, []byte(compareAccountsConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := startRefServer(t, file, "ns1")
	node, mon := startCompareNode(t, file, "js1")
	compareTraffic(t, ref.client, ref.monitor)
	compareTraffic(t, node.ClientURL(), mon)
	compareEndpoints(t, ref.monitor, mon, []string{
		"varz", "accountz", "accountz?acc=A", "accountz?acc=B", "accountz?acc=SYS", "accountz?acc=$G",
		"accstatz", "accstatz?unused=1", "connz?auth=true&subs=detail", "connz?acc=B", "subsz?subs=1",
	})
	for _, url := range []string{ref.monitor, mon} {
		if code, _, body := httpGet(t, url+"/accountz?acc=NOPE"); code != 400 || !strings.Contains(string(body), "Account NOPE does not exist") {
			t.Errorf("%s/accountz?acc=NOPE: %d %q", url, code, body)
		}
	}
}
