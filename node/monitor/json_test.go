package monitor

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The documents in testdata/nats-server were captured from nats-server
// v2.15.2 (HTTP endpoints of a 2-node cluster with users, traffic, a
// closed connection; system-account events and requests of a server with
// accounts). Each is decoded strictly into our type (an unknown key or a
// value of the wrong JSON type fails) and encoded again: the result must
// be the same bytes, which proves key names, JSON types, omitempty and key
// order all agree with nats-server.

// envelope is ServerAPIResponse with a typed data, for decoding replies.
type envelope[T any] struct {
	Server *ServerInfo `json:"server"`
	Data   *T          `json:"data,omitempty"`
	Error  *APIError   `json:"error,omitempty"`
}

func capturedDocs() map[string]func() any {
	return map[string]func() any{
		"varz.json":                                  func() any { return new(Varz) },
		"connz_subs_true_auth_true.json":             func() any { return new(Connz) },
		"connz_subs_detail_auth_1.json":              func() any { return new(Connz) },
		"connz_state_closed_subs_detail_auth_1.json": func() any { return new(Connz) },
		"connz_state_all.json":                       func() any { return new(Connz) },
		"routez_subs_1.json":                         func() any { return new(Routez) },
		"routez_subs_detail.json":                    func() any { return new(Routez) },
		"subsz_subs_1.json":                          func() any { return new(Subsz) },
		"subsz.json":                                 func() any { return new(Subsz) },
		"accountz.json":                              func() any { return new(Accountz) },
		"accountz_acc.json":                          func() any { return new(Accountz) },
		"accstatz_unused_1.json":                     func() any { return new(AccountStatz) },
		"accstatz.json":                              func() any { return new(AccountStatz) },
		"healthz.json":                               func() any { return new(HealthStatus) },
		"jsz.json":                                   func() any { return new(JSInfo) },
		"leafz.json":                                 func() any { return new(Leafz) },
		"gatewayz.json":                              func() any { return new(Gatewayz) },
		"account_conns_event.json":                   func() any { return new(AccountNumConns) },
		"connect_event.json":                         func() any { return new(ConnectEventMsg) },
		"disconnect_event.json":                      func() any { return new(DisconnectEventMsg) },
		"statsz_event.json":                          func() any { return new(ServerStatsMsg) },
		"statsz_ping_reply.json":                     func() any { return new(ServerStatsMsg) },
		"idz_reply.json":                             func() any { return new(Idz) },
		"varz_reply.json":                            func() any { return new(envelope[Varz]) },
		"connz_reply.json":                           func() any { return new(envelope[Connz]) },
		"connz_bad_body_reply.json":                  func() any { return new(envelope[Connz]) },
		"healthz_reply.json":                         func() any { return new(envelope[HealthStatus]) },
		"accstatz_reply.json":                        func() any { return new(envelope[AccountStatz]) },
		"userinfo_reply.json":                        func() any { return new(envelope[UserInfo]) },
	}
}

func TestCapturedDocumentsRoundTrip(t *testing.T) {
	docs := capturedDocs()
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			orig, err := os.ReadFile(filepath.Join("testdata", "nats-server", name))
			if err != nil {
				t.Fatal(err)
			}
			orig = bytes.TrimSpace(orig)
			v := docs[name]()
			dec := json.NewDecoder(bytes.NewReader(orig))
			dec.DisallowUnknownFields()
			if err := dec.Decode(v); err != nil {
				t.Fatalf("strict decode: %v", err)
			}
			var again []byte
			if bytes.HasPrefix(orig, []byte("{\n")) {
				again, err = json.MarshalIndent(v, "", "  ")
			} else {
				again, err = json.Marshal(v)
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, orig) {
				t.Fatalf("re-encoded differs at byte %d:\n got ...%s\nwant ...%s", firstDiff(again, orig),
					around(again, firstDiff(again, orig)), around(orig, firstDiff(again, orig)))
			}
		})
	}
}

// The handler-error reply carries "data":null next to the error.
func TestFailedEnvelopeMatchesCapture(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("testdata", "nats-server", "connz_handler_error_reply.json"))
	if err != nil {
		t.Fatal(err)
	}
	var captured struct {
		Server *ServerInfo `json:"server"`
	}
	if err := json.Unmarshal(orig, &captured); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(Failed(captured.Server, errors.New("invalid sorting option: bogus")))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, bytes.TrimSpace(orig)) {
		t.Fatalf("got  %s\nwant %s", b, orig)
	}
}

func firstDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func around(b []byte, i int) string {
	lo, hi := max(i-80, 0), min(i+80, len(b))
	return strings.ReplaceAll(string(b[lo:hi]), "\n", "⏎")
}

// Types no capture covers: the key names of a zero value (omitempty keys
// left out) are nats-server's.
func TestZeroValueKeys(t *testing.T) {
	cases := []struct {
		v    any
		keys string
	}{
		{ClientInfo{}, ""},
		{RouteStat{}, "rid,sent,received,pending"},
		{GatewayStat{}, "gwid,name,sent,received,inbound_connections"},
		{LeafInfo{}, "id,name,is_spoke,account,ip,port,in_msgs,out_msgs,in_bytes,out_bytes,subscriptions"},
		{RemoteGatewayz{}, "configured"},
		{AccountGatewayz{}, "name,interest_mode"},
		{HealthzError{}, "type"},
		{ExtExport{}, ""},
		{ExtImport{}, "invalid,share,tracking"},
		{MapDest{}, "subject,weight"},
		{ServiceLatency{}, "sampling,results"},
		{ExtVrIssues{}, "description,blocking,time_check"},
		{Permissions{}, "publish,subscribe"},
		{ResponsePermission{}, "max,ttl"},
		{JetStreamConfig{}, "max_memory,max_storage"},
		{JSLimitOpts{}, ""},
		{PeerInfo{}, "name,current,active,peer"},
		{MetaClusterInfo{}, "cluster_size,quorum_needed,pending,pending_requests,pending_infos,snapshot"},
		{MetaSnapshotStats{}, "pending_entries,pending_size,last_time"},
		{AccountDetail{}, "name,id,memory,storage,reserved_memory,reserved_storage,accounts,ha_assets,api"},
		{ClusterOptsVarz{}, ""},
		{RemoteLeafOptsVarz{}, ""},
		{TLSPeerCert{}, ""},
		{ProxyInfo{}, "key"},
	}
	for _, tc := range cases {
		b, err := json.Marshal(tc.v)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(orderedKeys(t, b), ","); got != tc.keys {
			t.Errorf("%T keys:\n got %s\nwant %s", tc.v, got, tc.keys)
		}
	}
}

// orderedKeys lists a JSON object's top-level keys in document order.
func orderedKeys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", b)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestHealthzErrorTypeJSON(t *testing.T) {
	for i, want := range []string{"CONNECTION", "BAD_REQUEST", "JETSTREAM", "ACCOUNT", "STREAM", "CONSUMER"} {
		b, _ := json.Marshal(HealthzErrorType(i))
		if string(b) != `"`+want+`"` {
			t.Errorf("type %d marshals as %s", i, b)
		}
		var back HealthzErrorType
		if err := json.Unmarshal(b, &back); err != nil || back != HealthzErrorType(i) {
			t.Errorf("%s does not read back: %v %v", b, back, err)
		}
	}
	var bad HealthzErrorType
	if err := json.Unmarshal([]byte(`"NOPE"`), &bad); err == nil {
		t.Error("unknown type accepted")
	}
}

func TestSamplingRateJSON(t *testing.T) {
	b, _ := json.Marshal(ServiceLatency{Sampling: 0, Results: "lat"})
	if string(b) != `{"sampling":"headers","results":"lat"}` {
		t.Fatalf("headers sampling: %s", b)
	}
	b, _ = json.Marshal(ServiceLatency{Sampling: 25, Results: "lat"})
	if string(b) != `{"sampling":25,"results":"lat"}` {
		t.Fatalf("percent sampling: %s", b)
	}
	var back ServiceLatency
	if err := json.Unmarshal([]byte(`{"sampling":"headers"}`), &back); err != nil || back.Sampling != 0 {
		t.Fatalf("headers back: %+v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"sampling":40}`), &back); err != nil || back.Sampling != 40 {
		t.Fatalf("percent back: %+v %v", back, err)
	}
}
