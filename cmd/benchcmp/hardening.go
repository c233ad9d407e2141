package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The hardening benchmarks measure what one bad client costs the others,
// each round on a fresh server of each kind, interleaved:
//
//   - latency: an idle client's PING round trip while one connection
//     publishes bursts to a subject another connection holds 100,000
//     subscriptions on (p99 and max of the probes);
//   - stuck: the longest gap a healthy subscriber sees, and the longest a
//     publisher's write blocks, while a subscriber on the same subject
//     never reads;
//   - memory: the server's peak RSS while 40 never-reading subscribers
//     join during a flood.
//
// Lower is better for all of them; the ratio printed is jsnode/nats-server.

// fanoutSubs, fanoutBurst and fanoutBursts shape the latency benchmark.
const (
	fanoutSubs   = 100_000
	fanoutBurst  = 300
	fanoutBursts = 3
	stuckMsgs    = 200_000 // 1 KiB each, about 200 MiB through the server
	rssStuckSubs = 40
)

// hardeningParts selects the hardening benchmarks to run (-hardening).
var hardeningParts = map[string]bool{"latency": true, "stuck": true, "memory": true}

func benchHardening(jsnode, natsServer string, rounds int) error {
	bins := [2]string{jsnode, natsServer}
	names := [2]string{"jsnode", "nats-server"}
	fmt.Printf("\n%-34s %12s %12s %8s\n", "hardening (lower is better)", "jsnode", "nats-server", "ratio")
	type metric struct {
		name string
		vals [2][]float64
		unit string
	}
	ms := []*metric{
		{name: "idle PING p99 under fan-out", unit: "ms"},
		{name: "idle PING max under fan-out", unit: "ms"},
		{name: "healthy sub longest gap", unit: "ms"},
		{name: "publisher longest write block", unit: "ms"},
		{name: "peak RSS, 40 stuck subs", unit: "MiB"},
	}
	for r := 0; r < rounds; r++ {
		order := [2]int{0, 1}
		if r%2 == 1 {
			order = [2]int{1, 0}
		}
		for _, side := range order {
			var err error
			if hardeningParts["latency"] {
				err = withFresh(names[side], bins[side], func(s *server) error {
					p99, max, err := measureFanoutPing(s.url)
					if err != nil {
						return fmt.Errorf("latency: %w", err)
					}
					ms[0].vals[side] = append(ms[0].vals[side], ms1(p99))
					ms[1].vals[side] = append(ms[1].vals[side], ms1(max))
					return nil
				})
			}
			if err == nil && hardeningParts["stuck"] {
				err = withFresh(names[side], bins[side], func(s *server) error {
					gap, block, err := measureStuckGap(s.url)
					if err != nil {
						return fmt.Errorf("stuck: %w", err)
					}
					ms[2].vals[side] = append(ms[2].vals[side], ms1(gap))
					ms[3].vals[side] = append(ms[3].vals[side], ms1(block))
					return nil
				})
			}
			if err == nil && hardeningParts["memory"] {
				err = withFresh(names[side], bins[side], func(s *server) error {
					peak, err := measurePeakRSS(s)
					if err != nil {
						return fmt.Errorf("memory: %w", err)
					}
					ms[4].vals[side] = append(ms[4].vals[side], float64(peak)/1024)
					return nil
				})
			}
			if err != nil {
				return fmt.Errorf("%s: %w", names[side], err)
			}
		}
	}
	for _, m := range ms {
		if len(m.vals[0]) == 0 {
			continue
		}
		j, n := median(m.vals[0]), median(m.vals[1])
		fmt.Printf("%-34s %9.1f %s %9.1f %s %8.2f\n", m.name, j, m.unit, n, m.unit, j/n)
		var b strings.Builder
		for i := range m.vals[0] {
			fmt.Fprintf(&b, " %.1f/%.1f", m.vals[0][i], m.vals[1][i])
		}
		fmt.Printf("  rounds jsnode/nats-server %s:%s\n", m.unit, b.String())
	}
	return nil
}

func ms1(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// withFresh starts a server from bin, runs f on it and stops it.
func withFresh(name, bin string, f func(s *server) error) error {
	s := &server{name: name, bin: bin}
	if err := s.start(); err != nil {
		return err
	}
	defer s.stop()
	return f(s)
}

// measureFanoutPing returns the p99 and max PING round trip of an idle
// client while bursts fan out to fanoutSubs subscriptions.
func measureFanoutPing(url string) (p99, max time.Duration, err error) {
	fan, err := dialRaw(url, 0)
	if err != nil {
		return 0, 0, err
	}
	defer fan.close()
	var subs strings.Builder
	for i := 1; i <= fanoutSubs; i++ {
		fmt.Fprintf(&subs, "SUB fan %d\r\n", i)
	}
	if err := fan.send([]byte(subs.String())); err != nil {
		return 0, 0, err
	}
	if _, err := fan.ping(30 * time.Second); err != nil {
		return 0, 0, fmt.Errorf("subscribing: %w", err)
	}
	go fan.drain(nil)

	probe, err := dialRaw(url, 0)
	if err != nil {
		return 0, 0, err
	}
	defer probe.close()
	pub, err := dialRaw(url, 0)
	if err != nil {
		return 0, 0, err
	}
	defer pub.close()

	var stop atomic.Bool
	var rtts []time.Duration
	var probeErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			d, err := probe.ping(30 * time.Second)
			if err != nil {
				probeErr = err
				return
			}
			rtts = append(rtts, d)
			time.Sleep(time.Millisecond)
		}
	}()
	burst := pubBurst("fan", 16, fanoutBurst)
	for i := 0; i < fanoutBursts && err == nil; i++ {
		if err = pub.send(burst); err == nil {
			_, err = pub.ping(60 * time.Second)
		}
	}
	stop.Store(true)
	wg.Wait()
	if err != nil {
		return 0, 0, err
	}
	if probeErr != nil {
		return 0, 0, fmt.Errorf("probe: %w", probeErr)
	}
	sort.Slice(rtts, func(i, j int) bool { return rtts[i] < rtts[j] })
	return rtts[len(rtts)*99/100], rtts[len(rtts)-1], nil
}

// measureStuckGap floods stuckMsgs 1 KiB messages to a healthy and a stuck
// subscriber and returns the healthy one's longest gap between reads and
// the publisher's longest blocked write.
func measureStuckGap(url string) (gap, block time.Duration, err error) {
	stuck, err := dialRaw(url, 4096)
	if err != nil {
		return 0, 0, err
	}
	defer stuck.close()
	healthy, err := dialRaw(url, 0)
	if err != nil {
		return 0, 0, err
	}
	defer healthy.close()
	for _, c := range []*rawClient{stuck, healthy} {
		if err := c.send([]byte("SUB flood 1\r\n")); err != nil {
			return 0, 0, err
		}
		if _, err := c.ping(5 * time.Second); err != nil {
			return 0, 0, err
		}
	}
	var mu sync.Mutex
	var last time.Time
	var got int
	want := stuckMsgs * (1024 + len("MSG flood 1 1024\r\n\r\n"))
	done := make(chan struct{})
	go healthy.drain(func(t time.Time, n int) {
		mu.Lock()
		defer mu.Unlock()
		if !last.IsZero() && t.Sub(last) > gap {
			gap = t.Sub(last)
		}
		last = t
		if got += n; got >= want {
			close(done)
		}
	})
	pub, err := dialRaw(url, 0)
	if err != nil {
		return 0, 0, err
	}
	defer pub.close()
	const perWrite = 64
	chunk := pubBurst("flood", 1024, perWrite)
	for i := 0; i < stuckMsgs/perWrite; i++ {
		t := time.Now()
		if err := pub.send(chunk); err != nil {
			return 0, 0, err
		}
		if d := time.Since(t); d > block {
			block = d
		}
	}
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		return 0, 0, fmt.Errorf("healthy subscriber got %d of %d bytes", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	return gap, block, nil
}

// measurePeakRSS floods 1 KiB messages while rssStuckSubs never-reading
// subscribers join, one every 50 ms, and returns the server's peak RSS
// (VmHWM) in KiB.
func measurePeakRSS(s *server) (int, error) {
	healthy, err := dialRaw(s.url, 0)
	if err != nil {
		return 0, err
	}
	defer healthy.close()
	healthy.send([]byte("SUB flood 1\r\n"))
	if _, err := healthy.ping(5 * time.Second); err != nil {
		return 0, err
	}
	go healthy.drain(nil)
	pub, err := dialRaw(s.url, 0)
	if err != nil {
		return 0, err
	}
	defer pub.close()
	var stop atomic.Bool
	var pubErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		chunk := pubBurst("flood", 1024, 64)
		for !stop.Load() {
			if pubErr = pub.send(chunk); pubErr != nil {
				return
			}
		}
	}()
	var stuck []*rawClient
	defer func() {
		for _, c := range stuck {
			c.close()
		}
	}()
	for i := 0; i < rssStuckSubs; i++ {
		time.Sleep(50 * time.Millisecond)
		c, err := dialRaw(s.url, 4096)
		if err != nil {
			stop.Store(true)
			return 0, err
		}
		c.send([]byte("SUB flood 1\r\n"))
		stuck = append(stuck, c)
	}
	time.Sleep(2 * time.Second)
	stop.Store(true)
	pub.close()
	wg.Wait()
	return statusKiB(s.cmd.Process.Pid, "VmHWM:"), nil
}

// statusKiB reads one "<field> <n> kB" line of /proc/<pid>/status.
func statusKiB(pid int, field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return -1
}
