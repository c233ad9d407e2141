package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// -t needs a file, as with nats-server.
func TestCheckConfigNeedsAFile(t *testing.T) {
	code, out, errOut := runCmd(t, "-t")
	if code == 0 || out != "" || errOut != "jsnode: must specify [-c, --config] option to check configuration file syntax\n" {
		t.Fatalf("-t alone: code %d out %q err %q", code, out, errOut)
	}
}

// Start-up refusals, each with nats-server's text and a non-zero exit.
func TestStartupValidation(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-a", "127.0.0.1", "-p", "-5"}, `Error listening on port: 127.0.0.1:-5, "listen tcp: address -5: invalid port"`},
		{[]string{"-a", "127.0.0.1", "-p", "-1", "--client_advertise", "::bad::"},
			"Error setting server INFO with ClientAdvertise value of ::bad::, err=address ::bad::: too many colons in address"},
		{[]string{"-a", "127.0.0.1", "-p", "-1", "--cluster", "nats://127.0.0.1:-1", "--cluster_advertise", "::bad::"},
			"Error setting route INFO with Cluster.Advertise value of ::bad::, err=address ::bad::: too many colons in address"},
	} {
		code, _, errOut := runCmd(t, c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: code %d stderr %q, want %q", c.args, code, errOut, c.want)
		}
	}
}

func TestLameDuckTooShortHasPosition(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ldm.conf")
	os.WriteFile(file, []byte("port: 4333\nlame_duck_duration: \"8s\"\n"), 0o644)
	code, _, errOut := runCmd(t, "-c", file, "-t")
	if want := file + ":2:21: invalid lame_duck_duration of 8s, minimum is 30 seconds"; code == 0 || !strings.Contains(errOut, want) {
		t.Fatalf("code %d err %q, want %q", code, errOut, want)
	}
}

// Every nats-server v2.15 flag is either taken or refused by name; none
// is an unknown flag.
func TestEveryNatsServerFlagIsAnswered(t *testing.T) {
	f, err := os.Open("testdata/nats-server-flags.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		args := strings.Fields(line)
		n++
		name := strings.TrimLeft(strings.SplitN(args[0], "=", 2)[0], "-")
		cl, err := parseFlags(args, io.Discard)
		switch {
		case err == nil && cl != nil:
		case err != nil && err.Error() == `"-`+name+`" is not supported by jsnode yet`:
		default:
			t.Errorf("%v: %v", args, err)
		}
	}
	if n < 60 {
		t.Fatalf("only %d flags read", n)
	}
}

// The new tuning flags reach the options.
func TestTuningFlags(t *testing.T) {
	cl, err := parseFlags([]string{"--max_traced_msg_len", "12", "--logtime_utc", "--profile", "-1"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	opts, proc, err := buildOptions(cl)
	if err != nil {
		t.Fatal(err)
	}
	if opts.MaxTracedMsgLen != 12 || !proc.LogtimeUTC || proc.ProfPort != -1 {
		t.Fatalf("max_traced_msg_len %d logtime_utc %v profile %d", opts.MaxTracedMsgLen, proc.LogtimeUTC, proc.ProfPort)
	}
}

// prof_port serves Go's pprof index.
func TestProfilerServesPprof(t *testing.T) {
	var buf strings.Builder
	log, err := newLogger(&buf, logSettings{})
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	p, err := startProfiler("127.0.0.1", -1, 0, log)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	resp, err := http.Get("http://" + p.addr + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "goroutine") {
		t.Fatalf("status %d body %.200q", resp.StatusCode, body)
	}
	log.Flush() // the writer goroutine is done with buf after this
	if !strings.Contains(buf.String(), "[INF] profiling port: ") {
		t.Fatalf("log %q", buf.String())
	}
}
