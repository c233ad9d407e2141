package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"jsnode/node/server"
)

// runBinary runs bin with args to its end and returns the exit code.
func runBinary(t *testing.T, bin string, args ...string) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stderr.String()
	}
	t.Fatalf("%v: %v", args, err)
	return 0, ""
}

// The real process: -t without and with a file, an unsupported flag and
// an unknown one; and lame-duck mode, which must be logged once.
func TestE2EBinaryValidation(t *testing.T) {
	bin := buildJsnode(t)
	good := filepath.Join(t.TempDir(), "good.conf")
	os.WriteFile(good, []byte("port: 4333\nmax_traced_msg_len: 10\n"), 0o644)
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"-t"}, 1, "jsnode: must specify [-c, --config] option to check configuration file syntax\n"},
		{[]string{"-t", "-c", good}, 0, "jsnode: configuration file " + good + " is valid\n"},
		{[]string{"--tls"}, 1, "jsnode: \"-tls\" is not supported by jsnode yet\n"},
		{[]string{"--bogus"}, 1, "jsnode: flag provided but not defined: -bogus (see jsnode -h)\n"},
	} {
		code, stderr := runBinary(t, bin, c.args...)
		if code != c.code || stderr != c.stderr {
			t.Errorf("%v: exit %d stderr %q; want exit %d stderr %q", c.args, code, stderr, c.code, c.stderr)
		}
	}
}

func TestE2EBinaryLameDuckLoggedOnce(t *testing.T) {
	bin := buildJsnode(t)
	var stderr syncBuffer
	cmd := exec.Command(bin, "-a", "127.0.0.1", "-p", "-1", "-T=false")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitFor(t, "server ready", func() bool { return strings.Contains(stderr.String(), "Server is ready") })
	cmd.Process.Signal(syscall.SIGUSR2)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(waitLimit):
		t.Fatal("no exit after lame-duck mode with no clients")
	}
	out := stderr.String()
	if n := strings.Count(out, "Entering lame duck mode"); n != 1 {
		t.Fatalf("%d lame duck lines:\n%s", n, out)
	}
	if !strings.Contains(out, "[INF]   Version:  "+server.Version+"\n") || !strings.Contains(out, "[INF]   Protocol: nats-server "+server.ServerVersion+"\n") {
		t.Fatalf("banner:\n%s", out)
	}
}

// syncBuffer is a bytes.Buffer a child process may write while the test
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
