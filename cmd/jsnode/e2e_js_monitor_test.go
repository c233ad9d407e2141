package main

import (
	"encoding/json"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"jsnode/node/auth"
	"jsnode/node/server"
)

func TestJSMonitoring(t *testing.T) {
	opts := &server.Options{Accounts: []*server.AccountOpts{{Name: "SYS"}}, SystemAccount: "SYS"}
	opts.Auth = auth.Config{Users: []*auth.User{{Username: "sys", Password: "s", Account: "SYS"},
		{Username: "u", Password: "u"}}}
	opts.JetStream.Enabled, opts.JetStream.StoreDir = true, t.TempDir()
	// With accounts configured, only accounts that say so get JetStream.
	lim := server.JetStreamUnlimited
	opts.Accounts = append(opts.Accounts, &server.AccountOpts{Name: "APP", JetStream: &lim})
	opts.Auth.Users[1].Account = "APP"
	n, base := startMonitoredNode(t, opts)

	nc := connect(t, n, nats.UserInfo("u", "u"))
	js, ctx := jsContext(t, nc)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "M", Subjects: []string{"m.>"}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := js.Publish(ctx, "m.x", []byte("hello")); err != nil {
			t.Fatal(err)
		}
	}
	var jsz struct {
		ID       string `json:"server_id"`
		Streams  int    `json:"streams"`
		Messages uint64 `json:"messages"`
		Bytes    uint64 `json:"bytes"`
		Storage  uint64 `json:"storage"`
		Accounts int    `json:"accounts"`
		Config   struct {
			StoreDir string `json:"store_dir"`
			MaxStore int64  `json:"max_storage"`
		} `json:"config"`
		Details []struct {
			Name    string            `json:"name"`
			Streams []json.RawMessage `json:"stream_detail"`
		} `json:"account_details"`
	}
	getJSON(t, base+"/jsz?accounts=true&streams=true", &jsz)
	if jsz.Streams != 1 || jsz.Messages != 3 || jsz.Bytes == 0 || jsz.Bytes != jsz.Storage || jsz.Accounts != 1 ||
		jsz.Config.StoreDir == "" || jsz.Config.MaxStore <= 0 || len(jsz.Details) != 1 ||
		jsz.Details[0].Name != "APP" || len(jsz.Details[0].Streams) != 1 {
		t.Fatalf("/jsz: %+v", jsz)
	}
	var varz struct {
		JetStream struct {
			Config *struct {
				StoreDir string `json:"store_dir"`
			} `json:"config"`
			Stats *struct {
				Storage uint64 `json:"storage"`
			} `json:"stats"`
		} `json:"jetstream"`
	}
	getJSON(t, base+"/varz", &varz)
	if varz.JetStream.Config == nil || varz.JetStream.Config.StoreDir != jsz.Config.StoreDir ||
		varz.JetStream.Stats == nil || varz.JetStream.Stats.Storage != jsz.Storage {
		t.Fatalf("/varz jetstream: %+v", varz.JetStream)
	}
	var health struct {
		Status string `json:"status"`
	}
	getJSON(t, base+"/healthz", &health)
	if health.Status != "ok" {
		t.Fatalf("/healthz: %+v", health)
	}
	// The same document over NATS, from the system account.
	sys := connect(t, n, nats.UserInfo("sys", "s"))
	m, err := sys.Request("$SYS.REQ.SERVER.PING.JSZ", nil, waitLimit)
	if err != nil {
		t.Fatal(err)
	}
	var z struct {
		Data struct {
			Streams  int    `json:"streams"`
			Messages uint64 `json:"messages"`
		} `json:"data"`
	}
	if err := json.Unmarshal(m.Data, &z); err != nil || z.Data.Streams != 1 || z.Data.Messages != 3 {
		t.Fatalf("PING.JSZ: %s (%v)", m.Data, err)
	}
	m, err = sys.Request("$SYS.REQ.ACCOUNT.APP.JSZ", nil, waitLimit)
	if err != nil {
		t.Fatal(err)
	}
	var az struct {
		Data struct {
			Name    string            `json:"name"`
			Storage uint64            `json:"storage"`
			Streams []json.RawMessage `json:"stream_detail"`
		} `json:"data"`
	}
	if err := json.Unmarshal(m.Data, &az); err != nil || az.Data.Name != "APP" || az.Data.Storage != jsz.Storage ||
		len(az.Data.Streams) != 1 {
		t.Fatalf("ACCOUNT.APP.JSZ: %s (%v)", m.Data, err)
	}
}
