// Command benchcmp runs the same `nats bench` scenarios against jsnode and
// nats-server on loopback, interleaved round by round (the order swapped
// every round, so neither side always runs on a machine the other just
// warmed or loaded), and prints for each scenario the median msgs/s of
// both, the ratio of the medians jsnode/nats-server and every round's
// pair, then both servers' idle RSS. The machine is shared and noisy: read
// the rounds, not just the ratio.
//
//	go run ./cmd/benchcmp -jsnode bin/jsnode -nats-server .tools/nats-server -nats .tools/nats
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// scenario is one nats bench workload; subs > 0 starts that many
// subscribers (or one service responder) before the publisher.
type scenario struct {
	name    string
	size    string
	msgs    int
	subs    int
	service bool
}

var scenarios = []scenario{
	{name: "pub-only 16B", size: "16B", msgs: 2_000_000},
	{name: "pub/sub 1:1 128B", size: "128B", msgs: 1_000_000, subs: 1},
	{name: "fan-out 1:4 128B", size: "128B", msgs: 500_000, subs: 4},
	{name: "request/reply 128B", size: "128B", msgs: 20_000, service: true},
}

func main() {
	if err := bench(); err != nil {
		fmt.Fprintln(os.Stderr, "benchcmp:", err)
		os.Exit(1)
	}
}

// bench runs everything; returning (rather than exiting) lets the deferred
// stops shut down every server it started, even on failure.
func bench() error {
	jsnode := flag.String("jsnode", "bin/jsnode", "jsnode binary")
	natsServer := flag.String("nats-server", ".tools/nats-server", "nats-server binary")
	natsCLI := flag.String("nats", ".tools/nats", "nats CLI binary")
	rounds := flag.Int("rounds", 5, "interleaved rounds per scenario (median is reported)")
	scale := flag.Float64("scale", 1, "multiply every scenario's message count")
	only := flag.String("only", "", `run one group: "throughput", "cluster" (its cluster part), "jetstream", "js-restart" or "hardening" (default all)`)
	parts := flag.String("hardening", "latency,stuck,memory", "hardening benchmarks to run")
	flag.Parse()
	clear(hardeningParts)
	for _, p := range strings.Split(*parts, ",") {
		switch p {
		case "latency", "stuck", "memory":
			hardeningParts[p] = true
		default:
			return fmt.Errorf("-hardening %q: want a list of latency, stuck, memory", p)
		}
	}
	if *rounds < 1 {
		return fmt.Errorf("-rounds must be at least 1")
	}
	switch *only {
	case "hardening":
		return benchHardening(*jsnode, *natsServer, *rounds)
	case "cluster":
		return benchClusters(*jsnode, *natsServer, *natsCLI, *rounds, *scale)
	case "jetstream":
		return benchJetStream(*jsnode, *natsServer, *natsCLI, *rounds, *scale)
	case "js-restart":
		dir, err := os.MkdirTemp("", "benchcmp-js-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		return benchJSRestart(*jsnode, *natsServer, *natsCLI, *rounds, *scale, dir)
	case "", "throughput":
	default:
		return fmt.Errorf("-only %q: want throughput, cluster, jetstream, js-restart or hardening", *only)
	}

	servers := []*server{
		{name: "jsnode", bin: *jsnode},
		{name: "nats-server", bin: *natsServer},
	}
	for _, s := range servers {
		if err := s.start(); err != nil {
			return err
		}
		defer s.stop()
	}
	time.Sleep(time.Second) // let both settle before reading idle RSS
	for _, s := range servers {
		s.idleRSS = rssKiB(s.cmd.Process.Pid)
	}

	fmt.Printf("%-22s %16s %18s %8s\n", "scenario", "jsnode msgs/s", "nats-server msgs/s", "ratio")
	for _, sc := range scenarios {
		sc.msgs = int(float64(sc.msgs) * *scale)
		rates, err := interleave(*rounds, func(side int) (float64, error) {
			s := servers[side]
			rate, err := run(*natsCLI, s.url, s.url, sc)
			if err != nil {
				return 0, fmt.Errorf("%s on %s: %w", sc.name, s.name, err)
			}
			return rate, nil
		})
		if err != nil {
			return err
		}
		report(sc.name, rates)
	}
	if err := benchServiceImport(*jsnode, *natsServer, *natsCLI, *rounds, *scale); err != nil {
		return err
	}
	if err := benchClusters(*jsnode, *natsServer, *natsCLI, *rounds, *scale); err != nil {
		return err
	}
	if err := benchJetStream(*jsnode, *natsServer, *natsCLI, *rounds, *scale); err != nil {
		return err
	}
	for _, s := range servers {
		fmt.Printf("idle RSS %-12s %8d KiB\n", s.name, s.idleRSS)
	}
	if *only == "throughput" {
		return nil
	}
	return benchHardening(*jsnode, *natsServer, *rounds)
}

type server struct {
	name, bin, url string
	args           []string // extra arguments (JetStream, a config file)
	cmd            *exec.Cmd
	idleRSS        int
}

func (s *server) start() error {
	port, err := freePort()
	if err != nil {
		return err
	}
	s.url = fmt.Sprintf("nats://127.0.0.1:%d", port)
	s.cmd = exec.Command(s.bin, append([]string{"-a", "127.0.0.1", "-p", strconv.Itoa(port)}, s.args...)...)
	s.cmd.Stdout, s.cmd.Stderr = os.Stderr, os.Stderr
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.name, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s did not start listening on %d", s.name, port)
}

func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			s.cmd.Process.Kill()
		}
	}
}

var rateRE = regexp.MustCompile(`stats: ([0-9,]+) msgs/sec`)

// run performs one scenario, publishing to pubURL and subscribing (or
// serving) at subURL, and returns the rate nats bench reports: the
// subscribers' aggregate when there are subscribers, the requester's rate
// for request/reply, else the publisher's.
func run(cli, pubURL, subURL string, sc scenario) (float64, error) {
	subject := fmt.Sprintf("bench.%d", time.Now().UnixNano())
	common := []string{"--no-progress", "--size", sc.size}
	subArgs := append([]string{"-s", subURL}, common...)
	pubArgs := append([]string{"-s", pubURL}, common...)
	var bg *exec.Cmd
	var bgOut bytes.Buffer
	switch {
	case sc.service:
		bg = exec.Command(cli, append([]string{"bench", "service", "serve", subject, "--msgs", strconv.Itoa(sc.msgs)}, subArgs...)...)
	case sc.subs > 0:
		bg = exec.Command(cli, append([]string{"bench", "sub", subject, "--clients", strconv.Itoa(sc.subs), "--msgs", strconv.Itoa(sc.msgs)}, subArgs...)...)
	}
	if bg != nil {
		bg.Stdout, bg.Stderr = &bgOut, &bgOut
		if err := bg.Start(); err != nil {
			return 0, err
		}
		defer bg.Process.Kill()
		time.Sleep(750 * time.Millisecond) // subscriptions must exist before publishing
	}
	var fg *exec.Cmd
	if sc.service {
		fg = exec.Command(cli, append([]string{"bench", "service", "request", subject, "--msgs", strconv.Itoa(sc.msgs)}, pubArgs...)...)
	} else {
		fg = exec.Command(cli, append([]string{"bench", "pub", subject, "--msgs", strconv.Itoa(sc.msgs)}, pubArgs...)...)
	}
	out, err := fg.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%v: %s", err, out)
	}
	if bg == nil || sc.service {
		return parseRate(out)
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- bg.Wait() }()
	select {
	case err := <-waitErr:
		if err != nil {
			return 0, fmt.Errorf("subscriber: %v: %s", err, bgOut.String())
		}
	case <-time.After(60 * time.Second):
		return 0, fmt.Errorf("subscriber did not receive all messages: %s", bgOut.String())
	}
	return parseRate(bgOut.Bytes())
}

func parseRate(out []byte) (float64, error) {
	m := rateRE.FindAllSubmatch(out, -1)
	if len(m) == 0 {
		return 0, fmt.Errorf("no rate in output: %s", out)
	}
	last := strings.ReplaceAll(string(m[len(m)-1][1]), ",", "")
	return strconv.ParseFloat(last, 64)
}

// interleave runs one measurement per side (0 = jsnode, 1 = nats-server)
// in each of rounds rounds, jsnode first in even rounds and second in odd
// ones, and returns each side's results in round order.
func interleave(rounds int, measure func(side int) (float64, error)) ([2][]float64, error) {
	var rates [2][]float64
	for r := 0; r < rounds; r++ {
		order := [2]int{0, 1}
		if r%2 == 1 {
			order = [2]int{1, 0}
		}
		for _, side := range order {
			rate, err := measure(side)
			if err != nil {
				return rates, err
			}
			rates[side] = append(rates[side], rate)
		}
	}
	return rates, nil
}

// report prints a scenario's medians and ratio, then each round's pair.
func report(name string, rates [2][]float64) {
	j, n := median(rates[0]), median(rates[1])
	fmt.Printf("%-22s %16.0f %18.0f %8.2f\n", name, j, n, j/n)
	var b strings.Builder
	for i := range rates[0] {
		fmt.Fprintf(&b, " %s/%s", short(rates[0][i]), short(rates[1][i]))
	}
	fmt.Printf("  rounds jsnode/nats-server msgs/s:%s\n", b.String())
}

// short writes a rate with three or four significant digits.
func short(rate float64) string {
	switch {
	case rate >= 1e6:
		return fmt.Sprintf("%.2fM", rate/1e6)
	case rate >= 1e3:
		return fmt.Sprintf("%.1fk", rate/1e3)
	}
	return fmt.Sprintf("%.0f", rate)
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func rssKiB(pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) >= 2 && fields[0] == "VmRSS:" {
			n, _ := strconv.Atoi(fields[1])
			return n
		}
	}
	return -1
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
