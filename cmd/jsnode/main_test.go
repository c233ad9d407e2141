package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jsnode/node/server"
)

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := runCmd(t, "-v")
	if code != 0 || out != "jsnode: v"+server.Version+" (nats-server "+server.ServerVersion+" protocol)\n" {
		t.Fatalf("-v: code %d out %q", code, out)
	}
	code, out, _ = runCmd(t, "--help")
	if code != 0 || !strings.Contains(out, "Usage: jsnode") || !strings.Contains(out, "--port") {
		t.Fatalf("--help: code %d out %q", code, out)
	}
}

func TestUnsupportedAndUnknownFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--cluster", "nats://u@0.0.0.0:6222"}, "expected cluster password to be set"},
		{[]string{"--cluster", "nats://0.0.0.0"}, "missing port"},
		{[]string{"--cluster", "nats://127.0.0.1:-1", "--cluster_name", "a b", "-p", "-1"}, "cluster name cannot contain spaces"},
		{[]string{"-tls"}, `"-tls" is not supported by jsnode yet`},
		{[]string{"-ms", "8222"}, `"-ms" is not supported by jsnode yet`},
		{[]string{"--https_port", "8222"}, `"-https_port" is not supported by jsnode yet`},
		{[]string{"--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		code, _, errOut := runCmd(t, c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: code %d stderr %q, want it to contain %q", c.args, code, errOut, c.want)
		}
	}
}

func TestConfigFileTestAndErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.conf")
	os.WriteFile(good, []byte("port: 4333\nauthorization { user: a, password: b }\n"), 0o644)
	code, out, errOut := runCmd(t, "-c", good, "-t")
	if code != 0 || errOut != "jsnode: configuration file "+good+" is valid\n" {
		t.Fatalf("-t on a good file: code %d out %q err %q", code, out, errOut)
	}
	bad := filepath.Join(dir, "bad.conf")
	os.WriteFile(bad, []byte("port: 4333\nmax_payloadd: 1MB\n"), 0o644)
	code, _, errOut = runCmd(t, "-c", bad, "-t")
	if code == 0 || !strings.Contains(errOut, bad+":2:1: unknown field \"max_payloadd\"") {
		t.Fatalf("bad key: code %d err %q", code, errOut)
	}
	code, _, errOut = runCmd(t, "-c", filepath.Join(dir, "missing.conf"))
	if code == 0 || !strings.Contains(errOut, "missing.conf") {
		t.Fatalf("missing file: code %d err %q", code, errOut)
	}
}

func TestCommandLineOverridesConfig(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "s.conf")
	os.WriteFile(file, []byte("port: 4333\nserver_name: fromfile\nping_interval: \"20s\"\n"), 0o644)
	cl, err := parseFlags([]string{"-c", file, "-p", "4444", "-DV"}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	opts, _, err := buildOptions(cl)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Port != 4444 || opts.ServerName != "fromfile" || opts.PingInterval != 20*time.Second {
		t.Fatalf("port %d name %q ping %v", opts.Port, opts.ServerName, opts.PingInterval)
	}
	if !opts.Debug || !opts.Trace {
		t.Fatalf("-DV: debug %v trace %v", opts.Debug, opts.Trace)
	}
	if opts.MaxPayload != 1<<20 || opts.Host != "0.0.0.0" {
		t.Fatalf("defaults not applied: max_payload %d host %q", opts.MaxPayload, opts.Host)
	}
}
