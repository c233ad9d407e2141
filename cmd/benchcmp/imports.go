package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// Requests across a service import: the requester is a user of account
// B, the responder a user of account A, which exports the service; B
// imports it under another subject. Both servers run the same config.

const importConfig = `
accounts {
  A: { users: [ {user: a, password: a} ], exports: [ {service: "svc.bench"} ] }
  B: { users: [ {user: b, password: b} ], imports: [ {service: {account: A, subject: "svc.bench"}, to: "imp.bench"} ] }
}
`

var importScenario = scenario{name: "service import 128B", size: "128B", msgs: 20_000, service: true}

// benchServiceImport runs importScenario on both servers, interleaved.
func benchServiceImport(jsnode, natsServer, cli string, rounds int, scale float64) error {
	dir, err := os.MkdirTemp("", "benchcmp")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	conf := filepath.Join(dir, "accounts.conf")
	if err := os.WriteFile(conf, []byte(importConfig), 0o600); err != nil {
		return err
	}
	var ports [2]int
	for side, bin := range []string{jsnode, natsServer} {
		port, stop, err := startWithConfig(bin, conf)
		if err != nil {
			return err
		}
		defer stop()
		ports[side] = port
	}
	sc := importScenario
	sc.msgs = int(float64(sc.msgs) * scale)
	rates, err := interleave(rounds, func(side int) (float64, error) {
		rate, err := runImport(cli, ports[side], sc)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", sc.name, err)
		}
		return rate, nil
	})
	if err != nil {
		return err
	}
	report(sc.name, rates)
	return nil
}

// startWithConfig runs a server with conf on a free loopback port.
func startWithConfig(bin, conf string) (int, func(), error) {
	port, err := freePort()
	if err != nil {
		return 0, nil, err
	}
	cmd := exec.Command(bin, "-c", conf, "-a", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return 0, nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &server{name: bin, cmd: cmd}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return port, s.stop, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.stop()
	return 0, nil, fmt.Errorf("%s did not start listening on %d", bin, port)
}

// runImport serves svc.bench as A and requests imp.bench as B.
func runImport(cli string, port int, sc scenario) (float64, error) {
	url := func(user string) string { return fmt.Sprintf("nats://%s:%s@127.0.0.1:%d", user, user, port) }
	common := []string{"--no-progress", "--size", sc.size, "--msgs", strconv.Itoa(sc.msgs)}
	var bgOut bytes.Buffer
	bg := exec.Command(cli, append([]string{"-s", url("a"), "bench", "service", "serve", "svc.bench"}, common...)...)
	bg.Stdout, bg.Stderr = &bgOut, &bgOut
	if err := bg.Start(); err != nil {
		return 0, err
	}
	defer bg.Process.Kill()
	time.Sleep(750 * time.Millisecond) // the responder must be subscribed first
	out, err := exec.Command(cli, append([]string{"-s", url("b"), "bench", "service", "request", "imp.bench"}, common...)...).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%v: %s (responder: %s)", err, out, bgOut.String())
	}
	return parseRate(out)
}
