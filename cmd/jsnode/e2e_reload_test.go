package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// End-to-end tests of configuration reload with the real binary: a
// process started with -c, its config file rewritten, then SIGHUP (or
// `jsnode --signal reload`), as an operator does it.

// procNode is a jsnode process with its config file, log and pid file.
type procNode struct {
	t       *testing.T
	cmd     *exec.Cmd
	dir     string
	conf    string
	logFile string
	pidFile string
	port    int
}

// freePort finds a loopback port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startProc writes the config (%d in it is the client port) and starts
// jsnode with -c, a log file and a pid file; it returns once the node is
// ready.
func startProc(t *testing.T, conf string) *procNode {
	t.Helper()
	return startProcLog(t, conf, true)
}

// startProcLog is startProc; without logFlag the log file is not given
// on the command line (the config file must name jsnode.log in dir).
func startProcLog(t *testing.T, conf string, logFlag bool) *procNode {
	t.Helper()
	return startProcFlags(t, conf, func(p *procNode) []string {
		flags := []string{"-P", p.pidFile}
		if logFlag {
			flags = append(flags, "-l", p.logFile)
		}
		return flags
	})
}

// startProcFlags starts jsnode with -c and the flags flagsOf gives.
func startProcFlags(t *testing.T, conf string, flagsOf func(p *procNode) []string) *procNode {
	t.Helper()
	dir := t.TempDir()
	p := &procNode{t: t, dir: dir, conf: filepath.Join(dir, "jsnode.conf"),
		logFile: filepath.Join(dir, "jsnode.log"), pidFile: filepath.Join(dir, "jsnode.pid"), port: freePort(t)}
	p.writeConf(strings.ReplaceAll(conf, "$DIR", dir))
	args := append([]string{"-a", "127.0.0.1", "-c", p.conf}, flagsOf(p)...)
	p.cmd = exec.Command(buildJsnode(t), args...)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)
	p.waitLog("Server is ready")
	return p
}

// writeConf replaces the config file; %d is the client port.
func (p *procNode) writeConf(conf string) {
	p.t.Helper()
	if strings.Contains(conf, "%d") {
		conf = fmt.Sprintf(conf, p.port)
	}
	if err := os.WriteFile(p.conf, []byte(conf), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func (p *procNode) url() string { return "nats://127.0.0.1:" + strconv.Itoa(p.port) }

// stop ends the process (the one this test started) and waits for it.
func (p *procNode) stop() {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(waitLimit):
		p.cmd.Process.Kill()
		<-done
	}
}

func (p *procNode) log() string {
	b, _ := os.ReadFile(p.logFile)
	return string(b)
}

// waitLog waits until the log has a line containing sub.
func (p *procNode) waitLog(sub string) {
	p.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !strings.Contains(p.log(), sub) {
		if time.Now().After(deadline) {
			p.t.Fatalf("no log line %q; log:\n%s", sub, p.log())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// reload rewrites the config, sends SIGHUP and waits for the outcome
// (the n-th reload outcome in the log).
func (p *procNode) reload(conf string) {
	p.t.Helper()
	before := p.reloads()
	p.writeConf(conf)
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		p.t.Fatal(err)
	}
	p.waitReloads(before + 1)
}

// reloads counts the reload outcomes logged so far.
func (p *procNode) reloads() int {
	l := p.log()
	return strings.Count(l, "Reloaded server configuration") + strings.Count(l, "Failed to reload server configuration")
}

func (p *procNode) waitReloads(n int) {
	p.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for p.reloads() < n {
		if time.Now().After(deadline) {
			p.t.Fatalf("reload not done; log:\n%s", p.log())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestE2EReloadRequiresTokenFromExistingClients(t *testing.T) {
	p := startProc(t, "port: %d\n")
	errs := make(chan error, 4)
	closed := make(chan struct{})
	old, err := nats.Connect(p.url(), nats.NoReconnect(),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err }),
		nats.ClosedHandler(func(*nats.Conn) { close(closed) }))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := old.Flush(); err != nil {
		t.Fatal(err)
	}

	p.reload("port: %d\nauthorization { token: s3cr3t }\n")
	select {
	case <-closed:
	case <-time.After(waitLimit):
		t.Fatal("the client without the token is still connected")
	}
	select {
	case err := <-errs:
		if !errors.Is(err, nats.ErrAuthorization) {
			t.Fatalf("old client's error %v, want an authorization violation", err)
		}
	default:
		t.Fatalf("old client got no error (last: %v), want an authorization violation", old.LastError())
	}
	for _, want := range []string{"Reloaded: authorization token", "Reloaded server configuration (sha256:"} {
		if !strings.Contains(p.log(), want) {
			t.Errorf("no log line %q", want)
		}
	}
	withToken, err := nats.Connect(p.url(), nats.Token("s3cr3t"), nats.NoReconnect())
	if err != nil {
		t.Fatalf("client with the token: %v", err)
	}
	withToken.Close()
	if nc, err := nats.Connect(p.url(), nats.NoReconnect()); err == nil {
		nc.Close()
		t.Fatal("client without the token connected after the reload")
	} else if !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("client without the token: %v, want an authorization error", err)
	}
}

func TestE2EReloadBadConfigKeepsTheRunningOne(t *testing.T) {
	p := startProc(t, "port: %d\n")
	nc, err := nats.Connect(p.url(), nats.NoReconnect())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	p.reload("port: %d\nauthorization { token: \n")
	if !strings.Contains(p.log(), "Failed to reload server configuration: "+p.conf+":2:") {
		t.Fatalf("the parse error is not logged with file:line; log:\n%s", p.log())
	}
	p.reload("port: %d\nmax_pending: 1MB\n")
	if !strings.Contains(p.log(), "Failed to reload server configuration: config reload not supported for MaxPending: old=67108864, new=1048576") {
		t.Fatalf("the refusal is not logged; log:\n%s", p.log())
	}
	if err := nc.Flush(); err != nil {
		t.Fatalf("the client was dropped by refused reloads: %v", err)
	}
	other, err := nats.Connect(p.url(), nats.NoReconnect())
	if err != nil {
		t.Fatalf("the running config (no auth) is gone: %v", err)
	}
	other.Close()
}

func TestE2EReloadRefusesPortChange(t *testing.T) {
	p := startProc(t, "port: %d\n")
	newPort := freePort(t)
	p.reload(fmt.Sprintf("port: %d\n", newPort))
	want := fmt.Sprintf("config reload not supported for Port: old=%d, new=%d", p.port, newPort)
	if !strings.Contains(p.log(), want) {
		t.Fatalf("no %q in the log:\n%s", want, p.log())
	}
	nc, err := nats.Connect(p.url(), nats.NoReconnect())
	if err != nil {
		t.Fatalf("not listening on the old port any more: %v", err)
	}
	nc.Close()
}

func TestE2ESignalReloadByPidAndPidFile(t *testing.T) {
	p := startProc(t, "port: %d\n")
	pid := strconv.Itoa(p.cmd.Process.Pid)
	for i, target := range []string{pid, p.pidFile} {
		p.writeConf(fmt.Sprintf("port: %%d\nmax_payload: %d\n", 1000+i))
		out, err := exec.Command(buildJsnode(t), "--signal", "reload="+target).CombinedOutput()
		if err != nil {
			t.Fatalf("--signal reload=%s: %v: %s", target, err, out)
		}
		p.waitLog(fmt.Sprintf("Reloaded: max_payload = %d", 1000+i))
	}
	if !strings.Contains(p.log(), `Trapped "hangup" signal`) {
		t.Fatal("the signal is not logged")
	}
	nc, err := nats.Connect(p.url(), nats.NoReconnect())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if got := nc.MaxPayload(); got != 1001 {
		t.Fatalf("max_payload %d after reload, want 1001", got)
	}
	out, err := exec.Command(buildJsnode(t), "-sl", "bogus="+pid).CombinedOutput()
	if err == nil || !strings.Contains(string(out), `jsnode: unknown signal "bogus"`) {
		t.Fatalf("unknown command: %v: %s", err, out)
	}
}

func TestE2ESignalQuitStopsTheProcess(t *testing.T) {
	p := startProc(t, "port: %d\n")
	out, err := exec.Command(buildJsnode(t), "--signal", "quit="+p.pidFile).CombinedOutput()
	if err != nil {
		t.Fatalf("--signal quit: %v: %s", err, out)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(waitLimit):
		t.Fatal("the process did not stop")
	}
	if !strings.Contains(p.log(), "Server Exiting..") {
		t.Fatalf("not a graceful stop; log:\n%s", p.log())
	}
}

func TestE2EReloadLoggingSettings(t *testing.T) {
	p := startProc(t, "port: %d\n")
	connectOnce := func() {
		nc, err := nats.Connect(p.url(), nats.NoReconnect())
		if err != nil {
			t.Fatal(err)
		}
		nc.Close()
	}
	connectOnce()
	if strings.Contains(p.log(), "[DBG]") {
		t.Fatal("debug lines before debug was turned on")
	}
	p.reload("port: %d\ndebug: true\nlogtime: false\n")
	connectOnce()
	p.waitLog("[DBG]")
	for _, want := range []string{"Reloaded: debug = true", "Reloaded: logtime = false"} {
		if !strings.Contains(p.log(), want) {
			t.Errorf("no log line %q", want)
		}
	}
	// -l on the command line wins over log_file in the file, at a
	// reload as at the start.
	moved := filepath.Join(p.dir, "moved.log")
	p.reload(fmt.Sprintf("port: %%d\ndebug: true\nlogtime: false\nlog_file: %q\n", moved))
	if _, err := os.Stat(moved); err == nil || strings.Contains(p.log(), "Reloaded: log_file") {
		t.Fatal("log_file in the file overrode -l")
	}
}

func TestE2EReloadMovesTheLogFile(t *testing.T) {
	p := startProcLog(t, "port: %d\nlog_file: \"$DIR/jsnode.log\"\n", false)
	moved := filepath.Join(p.dir, "moved.log")
	p.writeConf(fmt.Sprintf("port: %%d\nlog_file: %q\n", moved))
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	p.waitLog("Reloaded: log_file = " + moved)
	p.logFile = moved
	p.waitLog("Reloaded server configuration")
}

// A reload that names another pid_file writes it, as nats-server does, and
// the one in force is removed when the process exits; so do new
// rotation settings of the log file take effect.
func TestE2EReloadPidFileAndLogRotation(t *testing.T) {
	conf := "port: %d\npid_file: \"$DIR/a.pid\"\n"
	p := startProcFlags(t, conf, func(p *procNode) []string { return []string{"-l", p.logFile} })
	a, b := filepath.Join(p.dir, "a.pid"), filepath.Join(p.dir, "b.pid")
	pid := strconv.Itoa(p.cmd.Process.Pid)
	if got, _ := os.ReadFile(a); string(got) != pid {
		t.Fatalf("a.pid holds %q, want %s", got, pid)
	}
	p.reload(strings.ReplaceAll("port: %d\npid_file: \"$DIR/b.pid\"\nlogfile_size_limit: 100000\n", "$DIR", p.dir))
	p.waitLog("Reloaded: pid_file = " + b)
	p.waitLog("Reloaded: logfile_size_limit = 100000")
	if got, _ := os.ReadFile(b); string(got) != pid {
		t.Fatalf("b.pid holds %q, want %s", got, pid)
	}
	p.stop()
	if _, err := os.Stat(b); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("b.pid left behind after exit: %v", err)
	}
}

// The system account's $SYS.REQ.SERVER.<id>.RELOAD reloads the file as
// SIGHUP does and answers when done: no error for a good file, the parse
// error for a bad one (the running configuration stays).
func TestE2EReloadBySystemRequest(t *testing.T) {
	const base = "port: %d\naccounts { SYS { users [ { user: admin, password: pw } ] } }\nsystem_account: SYS\n"
	p := startProc(t, base+"ping_interval: \"2m\"\n")
	nc, err := nats.Connect(p.url(), nats.UserInfo("admin", "pw"), nats.NoReconnect())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	subj := "$SYS.REQ.SERVER." + nc.ConnectedServerId() + ".RELOAD"
	answer := func() map[string]any {
		t.Helper()
		msg, err := nc.Request(subj, nil, waitLimit)
		if err != nil {
			t.Fatalf("RELOAD request: %v", err)
		}
		var resp map[string]any
		if err := json.Unmarshal(msg.Data, &resp); err != nil {
			t.Fatalf("RELOAD answer %q: %v", msg.Data, err)
		}
		return resp
	}
	p.writeConf(base + "ping_interval: \"3m\"\n")
	if resp := answer(); resp["error"] != nil || resp["server"] == nil {
		t.Fatalf("RELOAD of a good file: %v", resp)
	}
	p.waitLog("Reloaded: ping_interval = 3m0s")
	p.writeConf(base + "ping_interval: \n")
	applied := strings.Count(p.log(), "Reloaded server configuration")
	resp := answer()
	e, _ := resp["error"].(map[string]any)
	if desc, _ := e["description"].(string); !strings.Contains(desc, p.conf+":4:") {
		t.Fatalf("RELOAD of a bad file: %v, want its file:line", resp)
	}
	p.waitLog("Failed to reload server configuration: " + p.conf + ":4:")
	if n := strings.Count(p.log(), "Reloaded server configuration"); n != applied {
		t.Fatalf("the bad file was applied (%d reloads logged, want %d)", n, applied)
	}
}
