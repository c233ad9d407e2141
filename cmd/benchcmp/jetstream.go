package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// The JetStream part: nats bench's JetStream publishers (128 B) against
// both servers, each with a store in its own temporary directory.
// jsnode runs with its default (durable before ack, group commit) and
// relaxed (sync_interval: 2m); nats-server with its default (acks before
// fsync, fsync every 2 minutes) and with sync_interval: always (the
// guarantee jsnode gives by default). Each line compares the pair the
// issue's targets name.

// jsScenario is one nats bench js pub workload.
type jsScenario struct {
	name    string
	mode    string // "sync" or "async"
	storage string // "file" or "memory"
	msgs    int
}

// jsPair is which two servers a line compares.
type jsPair struct {
	jsnode, natsServer string // keys of the servers map
	label              string
}

// jsLine is one reported comparison.
type jsLine struct {
	sc   jsScenario
	pair jsPair
}

var (
	durableVsDefault = jsPair{"jsnode", "nats-server", "jsnode durable / nats-server default"}
	durableVsAlways  = jsPair{"jsnode", "nats-server-always", "jsnode durable / nats-server sync always"}
	relaxedVsDefault = jsPair{"jsnode-relaxed", "nats-server", "jsnode relaxed / nats-server default"}
)

var jsLines = []jsLine{
	{jsScenario{"js file async b500", "async", "file", 200_000}, durableVsDefault},
	{jsScenario{"js file sync", "sync", "file", 10_000}, durableVsAlways},
	{jsScenario{"js file sync", "sync", "file", 10_000}, durableVsDefault},
	{jsScenario{"js memory async", "async", "memory", 200_000}, durableVsDefault},
	{jsScenario{"js file async b500", "async", "file", 200_000}, relaxedVsDefault},
	{jsScenario{"js file sync", "sync", "file", 10_000}, relaxedVsDefault},
	{jsScenario{"js file async b500", "async", "file", 20_000}, durableVsAlways},
}

func benchJetStream(jsnode, natsServer, cli string, rounds int, scale float64) error {
	dir, err := os.MkdirTemp("", "benchcmp-js-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	conf := func(name, body string) (string, error) {
		p := filepath.Join(dir, name+".conf")
		return p, os.WriteFile(p, []byte(body), 0o644)
	}
	relaxed, err := conf("relaxed", "jetstream { sync_interval: \"2m\" }\n")
	if err != nil {
		return err
	}
	always, err := conf("always", "jetstream { sync_interval: always }\n")
	if err != nil {
		return err
	}
	store := func(name string) string { return filepath.Join(dir, name) }
	servers := map[string]*server{
		"jsnode":             {name: "jsnode", bin: jsnode, args: []string{"-js", "-sd", store("j")}},
		"jsnode-relaxed":     {name: "jsnode-relaxed", bin: jsnode, args: []string{"-c", relaxed, "-js", "-sd", store("jr")}},
		"nats-server":        {name: "nats-server", bin: natsServer, args: []string{"-js", "-sd", store("n")}},
		"nats-server-always": {name: "nats-server-always", bin: natsServer, args: []string{"-c", always, "-js", "-sd", store("na")}},
	}
	for _, name := range []string{"jsnode", "jsnode-relaxed", "nats-server", "nats-server-always"} {
		if err := servers[name].start(); err != nil {
			return err
		}
		defer servers[name].stop()
	}
	fmt.Printf("\n%-22s %16s %18s %8s  %s\n", "jetstream (128 B)", "jsnode msgs/s", "nats-server msgs/s", "ratio", "pair")
	for _, l := range jsLines {
		sc := l.sc
		sc.msgs = max(int(float64(sc.msgs)*scale), 100)
		pair := [2]*server{servers[l.pair.jsnode], servers[l.pair.natsServer]}
		rates, err := interleave(rounds, func(side int) (float64, error) {
			rate, err := runJS(cli, pair[side].url, sc)
			if err != nil {
				return 0, fmt.Errorf("%s on %s: %w", sc.name, pair[side].name, err)
			}
			return rate, nil
		})
		if err != nil {
			return err
		}
		reportJS(sc.name, l.pair.label, rates)
	}
	for _, name := range []string{"jsnode", "jsnode-relaxed", "nats-server", "nats-server-always"} {
		s := servers[name]
		fmt.Printf("peak RSS %-20s %8d KiB\n", s.name, peakRSSKiB(s.cmd.Process.Pid))
	}
	return benchJSRestart(jsnode, natsServer, cli, rounds, scale, dir)
}

// runJS runs one nats bench js pub and returns its rate. Each run purges
// the stream first so the store does not grow from round to round.
func runJS(cli, url string, sc jsScenario) (float64, error) {
	stream := "bench" + sc.storage
	args := []string{"-s", url, "bench", "js", "pub", sc.mode, "bench." + sc.storage, "--create", "--purge",
		"--storage", sc.storage, "--stream", stream, "--msgs", strconv.Itoa(sc.msgs), "--size", "128B", "--no-progress"}
	if sc.mode == "async" {
		args = append(args, "--batch", "500")
	}
	out, err := exec.Command(cli, args...).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%v: %s", err, out)
	}
	return parseRate(out)
}

func reportJS(name, pair string, rates [2][]float64) {
	j, n := median(rates[0]), median(rates[1])
	fmt.Printf("%-22s %16.0f %18.0f %8.2f  %s\n", name, j, n, j/n, pair)
	var b strings.Builder
	for i := range rates[0] {
		fmt.Fprintf(&b, " %s/%s", short(rates[0][i]), short(rates[1][i]))
	}
	fmt.Printf("  rounds:%s\n", b.String())
}

// peakRSSKiB is the process's peak resident set (VmHWM).
func peakRSSKiB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return -1
}
