package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestClusterFlagsOverrideConfig(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.conf")
	os.WriteFile(file, []byte("cluster { name: file, listen: 127.0.0.1:7000, routes: [nats://x:1], authorization { user: a, password: b } }\n"), 0o644)
	cl, err := parseFlags([]string{"-c", file, "--cluster", "nats://ru:rp@127.0.0.1:6222",
		"--cluster_name", "flag", "--routes", "nats-route://a:1, nats-route://b:2,",
		"--cluster_advertise", "pub:16222", "--no_advertise", "--connect_retries", "4"}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	opts, _, err := buildOptions(cl)
	if err != nil {
		t.Fatal(err)
	}
	c := opts.Cluster
	if c.Host != "127.0.0.1" || c.Port != 6222 || c.Username != "ru" || c.Password != "rp" || c.Name != "flag" {
		t.Fatalf("cluster listen/name: %+v", c)
	}
	if strings.Join(c.Routes, ",") != "nats-route://a:1,nats-route://b:2" {
		t.Fatalf("routes %q", c.Routes)
	}
	if c.Advertise != "pub:16222" || !c.NoAdvertise || c.ConnectRetries != 4 {
		t.Fatalf("advertise/no_advertise/connect_retries: %+v", c)
	}
	// Without user info --cluster clears the file's cluster credentials,
	// as with nats-server; :-1 picks a random port.
	cl, err = parseFlags([]string{"-c", file, "--cluster", "nats://127.0.0.1:-1"}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	opts, _, _ = buildOptions(cl)
	if c := opts.Cluster; c.Port != -1 || c.Username != "" || c.Name != "file" || len(c.Routes) != 1 {
		t.Fatalf("--cluster without credentials: %+v", c)
	}
}

func TestParseClusterListen(t *testing.T) {
	l, err := parseClusterListen("nats://[::1]:6222")
	if err != nil || l.host != "::1" || l.port != 6222 {
		t.Fatalf("%+v %v", l, err)
	}
	if _, err := parseClusterListen("nats://u:p@host"); err == nil {
		t.Fatal("missing port accepted")
	}
}
