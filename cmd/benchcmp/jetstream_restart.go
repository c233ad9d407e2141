package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"time"
)

// restartMsgs is how many 128 B messages the restart benchmark stores.
const restartMsgs = 1_000_000

// benchJSRestart fills a file stream with restartMsgs messages on each
// server, then restarts each server rounds times, interleaved, timing
// from the start of the process until STREAM.INFO answers with every
// message, and reading the RSS once it does.
func benchJSRestart(jsnode, natsServer, cli string, rounds int, scale float64, dir string) error {
	n := max(int(float64(restartMsgs)*scale), 1000)
	servers := [2]*server{
		{name: "jsnode", bin: jsnode, args: []string{"-js", "-sd", dir + "/restart-j"}},
		{name: "nats-server", bin: natsServer, args: []string{"-js", "-sd", dir + "/restart-n"}},
	}
	for _, s := range servers {
		if err := s.start(); err != nil {
			return err
		}
		out, err := exec.Command(cli, "-s", s.url, "bench", "js", "pub", "async", "restart.x", "--create", "--purge",
			"--storage", "file", "--stream", "restart", "--msgs", strconv.Itoa(n), "--size", "128B",
			"--batch", "500", "--no-progress").CombinedOutput()
		s.stop()
		if err != nil {
			return fmt.Errorf("filling %s: %v: %s", s.name, err, out)
		}
	}
	var rss [2][]float64
	times, err := interleave(rounds, func(side int) (float64, error) {
		s := servers[side]
		start := time.Now()
		if err := s.start(); err != nil {
			return 0, err
		}
		defer s.stop()
		for {
			if msgs, err := streamMsgs(cli, s.url, "restart"); err == nil && msgs == uint64(n) {
				break
			}
			if time.Since(start) > 5*time.Minute {
				return 0, fmt.Errorf("%s: the stream did not answer with %d messages", s.name, n)
			}
			time.Sleep(10 * time.Millisecond)
		}
		elapsed := time.Since(start)
		rss[side] = append(rss[side], float64(rssKiB(s.cmd.Process.Pid)))
		return float64(elapsed.Milliseconds()), nil
	})
	if err != nil {
		return err
	}
	j, ns := median(times[0]), median(times[1])
	fmt.Printf("%-22s %13.0f ms %15.0f ms %8.2f  (lower is better)\n", fmt.Sprintf("restart %dk msgs", n/1000), j, ns, j/ns)
	fmt.Printf("  rounds ms:")
	for i := range times[0] {
		fmt.Printf(" %.0f/%.0f", times[0][i], times[1][i])
	}
	fmt.Printf("\n%-22s %12.0f KiB %14.0f KiB %8.2f\n", "RSS after recovery", median(rss[0]), median(rss[1]), median(rss[0])/median(rss[1]))
	return nil
}

// streamMsgs asks STREAM.INFO for the stream's message count.
func streamMsgs(cli, url, stream string) (uint64, error) {
	out, err := exec.Command(cli, "-s", url, "req", "$JS.API.STREAM.INFO."+stream, "", "--raw", "--timeout", "2s").Output()
	if err != nil {
		return 0, err
	}
	var si struct {
		State struct {
			Msgs uint64 `json:"messages"`
		} `json:"state"`
	}
	if err := json.Unmarshal(out, &si); err != nil {
		return 0, err
	}
	return si.State.Msgs, nil
}
