package sim

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

var (
	seedFlag  = flag.Uint64("seed", 0, "run scenarios with this one seed (overrides -seeds)")
	seedsFlag = flag.String("seeds", "1-3", "run scenarios with each seed of the range A-B (or a single N)")
	traceFlag = flag.String("simtrace", "", "write the event trace of each scenario run to this file (use with -seed)")
)

// seedRange returns the seeds selected by -seed / -seeds.
func seedRange(t *testing.T) []uint64 {
	if *seedFlag != 0 {
		return []uint64{*seedFlag}
	}
	lo, hi, err := parseSeeds(*seedsFlag)
	if err != nil {
		t.Fatalf("-seeds: %v", err)
	}
	seeds := make([]uint64, 0, hi-lo+1)
	for s := lo; s <= hi; s++ {
		seeds = append(seeds, s)
	}
	return seeds
}

func parseSeeds(s string) (lo, hi uint64, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = strconv.ParseUint(a, 10, 64); err != nil {
		return 0, 0, err
	}
	hi = lo
	if isRange {
		if hi, err = strconv.ParseUint(b, 10, 64); err != nil {
			return 0, 0, err
		}
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("empty range %q", s)
	}
	return lo, hi, nil
}

// TestScenarios runs every built-in scenario for each selected seed,
// twice, and fails if an invariant breaks or the two runs' trace hashes
// differ (hidden nondeterminism). Each run prints one line with its
// hash and speed; each failure prints the replay command.
func TestScenarios(t *testing.T) {
	seeds := seedRange(t)
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			for _, seed := range seeds {
				runSeed(t, sc, seed)
			}
		})
	}
}

func runSeed(t *testing.T, sc *Scenario, seed uint64) {
	replay := fmt.Sprintf("go test ./sim -run 'TestScenarios/%s' -seed=%d", sc.Name, seed)
	first, err := runTraced(sc, seed)
	fmt.Println(first.String())
	if err != nil {
		t.Errorf("FAIL scenario=%s seed=%d: %v\n    replay: %s", sc.Name, seed, err, replay)
		return
	}
	second, _ := RunScenario(sc, seed, nil)
	if second.TraceHash != first.TraceHash {
		t.Errorf("FAIL scenario=%s seed=%d: nondeterministic: trace hash %s then %s\n    replay: %s -simtrace=/tmp/trace.txt",
			sc.Name, seed, first.TraceHash, second.TraceHash, replay)
	}
}

// runTraced runs sc once, writing the trace to -simtrace if set.
func runTraced(sc *Scenario, seed uint64) (Result, error) {
	if *traceFlag == "" {
		return RunScenario(sc, seed, nil)
	}
	f, err := os.Create(*traceFlag)
	if err != nil {
		return Result{}, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	defer bw.Flush()
	return RunScenario(sc, seed, bw)
}
