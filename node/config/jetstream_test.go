package config

import (
	"strings"
	"testing"
	"time"

	"jsnode/node/conf"
	"jsnode/node/server"
)

func loadJS(t *testing.T, text string) server.Options {
	t.Helper()
	var o server.Options
	if err := LoadString("js.conf", text, conf.Options{}, &o, &Process{}); err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	return o
}

func TestJetStreamBlock(t *testing.T) {
	o := loadJS(t, `jetstream { store_dir: "/data/js", max_memory_store: 1G, max_file_store: 10GB,
		domain: hub, sync_interval: always }`)
	js := o.JetStream
	if !js.Enabled || js.StoreDir != "/data/js" || js.MaxMemory != 1e9 || js.MaxStore != 10<<30 ||
		js.Domain != "hub" || !js.SyncAlways || js.SyncInterval != 0 {
		t.Fatalf("jetstream block read as %+v", js)
	}
	o = loadJS(t, "jetstream { sync: 2s, enabled: false }\n")
	if o.JetStream.Enabled || o.JetStream.SyncInterval != 2*time.Second {
		t.Fatalf("sync 2s, enabled false: %+v", o.JetStream)
	}
	for text, want := range map[string]bool{"jetstream: enabled": true, "jetstream: true": true,
		"jetstream: disabled": false, "jetstream: false": false} {
		if got := loadJS(t, text).JetStream.Enabled; got != want {
			t.Errorf("%q: enabled %v, want %v", text, got, want)
		}
	}
	o = loadJS(t, "jetstream { key: s3cr3t }\n")
	if o.JetStream.Cipher != "chachapoly" || o.JetStream.Key != "s3cr3t" {
		t.Fatalf("key without cipher: %+v", o.JetStream)
	}
	o = loadJS(t, "jetstream { cipher: AES, key: k }\n")
	if o.JetStream.Cipher != "aes" {
		t.Fatalf("cipher AES: %+v", o.JetStream)
	}
	o = loadJS(t, "store_dir: /x\njetstream: enabled\n")
	if o.JetStream.StoreDir != "/x" || !o.JetStream.Enabled {
		t.Fatalf("top-level store_dir: %+v", o.JetStream)
	}
}

func TestAccountJetStream(t *testing.T) {
	o := loadJS(t, `jetstream: enabled
accounts {
  A: { jetstream: enabled }
  B: { jetstream: { max_memory: 1M, max_store: 2M, max_streams: 3, max_consumers: 4, max_bytes_required: true } }
  C: { jetstream: disabled }
  D: {}
}`)
	got := map[string]*server.JetStreamAccountOpts{}
	for _, a := range o.Accounts {
		got[a.Name] = a.JetStream
	}
	if a := got["A"]; a == nil || *a != server.JetStreamUnlimited {
		t.Errorf("A: %+v, want unlimited", a)
	}
	want := server.JetStreamUnlimited
	want.MaxMemory, want.MaxStore, want.MaxStreams, want.MaxConsumers, want.MaxBytesRequired = 1e6, 2e6, 3, 4, true
	if b := got["B"]; b == nil || *b != want {
		t.Errorf("B: %+v, want %+v", b, want)
	}
	if got["C"] != nil || got["D"] != nil {
		t.Errorf("C, D: %+v %+v, want no JetStream", got["C"], got["D"])
	}
}

func TestJetStreamBlockErrors(t *testing.T) {
	for text, want := range map[string]string{
		"jetstream: maybe":                         "Expected 'enabled' or 'disabled'",
		"jetstream { bogus: 1 }":                   `unknown field "bogus"`,
		"jetstream { prev_key: s3cr3t }":           `"prev_key" is not supported by jsnode yet`,
		"jetstream { cipher: aes }":                `jetstream cipher "aes" needs a key`,
		"jetstream { cipher: rot13, key: k }":      `Unknown cipher type: "rot13"`,
		"jetstream { sync_interval: 0s }":          "sync_interval must be positive",
		"jetstream { domain: \"a.b\" }":            "invalid domain name",
		"store_dir: a\njetstream { store_dir: b }": "Duplicate 'store_dir' configuration",
	} {
		var o server.Options
		err := LoadString("js.conf", text, conf.Options{}, &o, &Process{})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "js.conf:") {
			t.Errorf("%q: error %v, want a positioned %q", text, err, want)
		}
	}
}
