package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// End-to-end tests of the log file with real jsnode processes: secrets
// never reach it, SIGUSR1 reopens it, and it rotates by size.

// jsnodeProc is a jsnode process started from a freshly built binary.
type jsnodeProc struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  *lockedBuffer
	log  string // its log file
	url  string // client URL, read from the log
	done chan error
}

// startJsnode runs bin with args (which must log to logFile) and waits
// until the server is ready; the process is killed when the test ends.
func startJsnode(t *testing.T, bin, logFile string, args ...string) *jsnodeProc {
	t.Helper()
	p := &jsnodeProc{t: t, cmd: exec.Command(bin, args...), out: &lockedBuffer{}, log: logFile, done: make(chan error, 1)}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start jsnode: %v", err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		if t.Failed() {
			t.Logf("jsnode output:\n%s", p.out.String())
		}
	})
	p.waitFile(logFile, "Server is ready")
	m := regexp.MustCompile(`Listening for client connections on (\S+)`).FindStringSubmatch(readFile(logFile))
	if m == nil {
		t.Fatalf("no client address in the log:\n%s", readFile(logFile))
	}
	p.url = "nats://" + m[1]
	return p
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// waitFile waits until the file at path contains sub.
func (p *jsnodeProc) waitFile(path, sub string) {
	p.t.Helper()
	waitFor(p.t, fmt.Sprintf("%q in %s", sub, filepath.Base(path)), func() bool {
		return strings.Contains(readFile(path), sub)
	})
}

func (p *jsnodeProc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *jsnodeProc) stop() {
	p.t.Helper()
	p.signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			p.t.Fatalf("jsnode exited with %v", err)
		}
	case <-time.After(waitLimit):
		p.t.Fatal("jsnode did not exit after SIGTERM")
	}
}

func (p *jsnodeProc) connect(opts ...nats.Option) (*nats.Conn, error) {
	nc, err := nats.Connect(p.url, append(opts, nats.NoReconnect())...)
	if err == nil {
		p.t.Cleanup(nc.Close)
	}
	return nc, err
}

func TestE2ELogFileNeverShowsSecrets(t *testing.T) {
	bin := buildJsnode(t)
	dir := t.TempDir()
	cases := []struct {
		name    string
		args    []string
		good    nats.Option
		bad     nats.Option
		wantLog string
	}{
		{"token", []string{"--auth", "S3cr3tTok"}, nats.Token("S3cr3tTok"), nats.Token("S3cr3tWrongTok"), `"auth_token":"[REDACTED]"`},
		{"user and password", []string{"--user", "derek", "--pass", "S3cr3tPass"},
			nats.UserInfo("derek", "S3cr3tPass"), nats.UserInfo("derek", "S3cr3tWrongPass"), `"pass":"[REDACTED]"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			logFile := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".log")
			p := startJsnode(t, bin, logFile, append([]string{"-a", "127.0.0.1", "-p", "-1", "-DV", "-l", logFile}, c.args...)...)
			nc, err := p.connect(c.good)
			if err != nil {
				t.Fatalf("connect with the right secret: %v", err)
			}
			if err := nc.Publish("x", []byte("hello")); err != nil || nc.Flush() != nil {
				t.Fatalf("publish: %v", err)
			}
			if _, err := p.connect(c.bad); err == nil {
				t.Fatal("connect with the wrong secret succeeded")
			}
			p.stop()
			log := readFile(logFile)
			if strings.Count(log, "<<- [CONNECT {") < 2 || !strings.Contains(log, c.wantLog) {
				t.Fatalf("log lacks the redacted CONNECT traces:\n%s", log)
			}
			if strings.Contains(log, "S3cr3t") {
				t.Fatalf("log shows a secret:\n%s", log)
			}
		})
	}
}

func TestE2ELogReopenOnSIGUSR1(t *testing.T) {
	bin := buildJsnode(t)
	logFile := filepath.Join(t.TempDir(), "jsnode.log")
	p := startJsnode(t, bin, logFile, "-a", "127.0.0.1", "-p", "-1", "-D", "-l", logFile)
	moved := logFile + ".1"
	if err := os.Rename(logFile, moved); err != nil { // what logrotate does
		t.Fatal(err)
	}
	p.signal(syscall.SIGUSR1)
	p.waitFile(logFile, "[INF] File log re-opened")
	if _, err := p.connect(); err != nil {
		t.Fatal(err)
	}
	p.waitFile(logFile, "Client connection created")
	p.stop()
	fresh, old := readFile(logFile), readFile(moved)
	if !strings.Contains(old, "Server is ready") || strings.Contains(old, "re-opened") || strings.Contains(old, "Client connection created") {
		t.Fatalf("the moved file got lines after the reopen:\n%s", old)
	}
	if strings.Contains(fresh, "Server is ready") || !strings.Contains(fresh, "Server Exiting..") {
		t.Fatalf("the new file does not hold exactly the lines after the reopen:\n%s", fresh)
	}
}

func TestE2ELogRotation(t *testing.T) {
	bin := buildJsnode(t)
	dir := t.TempDir()
	logFile := filepath.Join(dir, "jsnode.log")
	conf := filepath.Join(dir, "jsnode.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf("host: 127.0.0.1\nport: -1\nlog_file: %q\nlogfile_size_limit: 2KB\nlogfile_max_num: 3\n", logFile)), 0o644)
	p := startJsnode(t, bin, logFile, "-c", conf, "-DV")
	nc, err := p.connect()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ { // each PUB traces a line of ~100 bytes: ~15 rotations
		nc.Publish("rotate.me", []byte("payload"))
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	p.stop()
	backups, err := listBackups(dir, "jsnode.log")
	if err != nil {
		t.Fatal(err)
	}
	if len(backups) != 2 {
		t.Fatalf("backups %v: want 2 (logfile_max_num 3 counts the live file)", backups)
	}
	stamp := regexp.MustCompile(`^jsnode\.log\.\d{4}\.\d\d\.\d\d\.\d\d\.\d\d\.\d\d\.\d{9}$`)
	for _, b := range backups {
		if !stamp.MatchString(b) {
			t.Errorf("backup %q is not named <file>.YYYY.MM.DD.hh.mm.ss.nnnnnnnnn", b)
		}
		st, err := os.Stat(filepath.Join(dir, b))
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() <= 2048 {
			t.Errorf("backup %s holds %d bytes: rotated before passing the 2 KB limit", b, st.Size())
		}
	}
	live := readFile(logFile)
	if !strings.Contains(live, "Rotated log, backup saved as") || !strings.Contains(live, "Server Exiting..") {
		t.Fatalf("live log:\n%s", live)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 { // conf, live log, 2 backups
		t.Fatalf("directory holds %d entries, want 4", len(entries))
	}
}
