package sim

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
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
	SetLinearizabilityBudget(LinearizabilitySweepBudget)
	lo, hi, err := ParseSeeds(*seedsFlag)
	if err != nil {
		t.Fatalf("-seeds: %v", err)
	}
	seeds := make([]uint64, 0, hi-lo+1)
	for s := lo; s <= hi; s++ {
		seeds = append(seeds, s)
	}
	return seeds
}

// testScenarioDir is the repository's scenarios/ directory as seen from
// the package directory, where go test runs.
var testScenarioDir = filepath.Join("..", "scenarios")

// TestScenarios runs every scenario file (sorted by name) for each
// selected seed, twice, and fails if an invariant breaks or the two runs'
// trace hashes differ (hidden nondeterminism). Each run prints one line
// with its hash and speed; each failure prints the replay command. A file
// that does not load fails its subtest with the file:line:col.
func TestScenarios(t *testing.T) {
	seeds := seedRange(t)
	paths, err := ScenarioFiles(testScenarioDir)
	if err != nil || len(paths) == 0 {
		t.Fatalf("no scenario files in %s: %v", testScenarioDir, err)
	}
	runs, failed := 0, 0
	var tally BuggifyTally
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ScenarioExt)
		t.Run(name, func(t *testing.T) {
			sc, err := LoadScenarioFile(path)
			if err != nil {
				announce(fmt.Sprintf("FAIL scenario file: %v", err))
				t.Fatalf("FAIL scenario file: %v", err)
			}
			for _, seed := range seeds {
				runs++
				if !runSeed(t, sc, seed, len(seeds) == 1, &tally) {
					failed++
				}
			}
		})
	}
	if len(seeds) > 1 {
		announce(fmt.Sprintf("seeds %d-%d: %d scenario runs (each run twice), %d failed",
			seeds[0], seeds[len(seeds)-1], runs, failed))
		for _, line := range tally.Lines() {
			announce(line)
		}
	}
}

// runSeed runs one scenario for one seed twice and reports whether it
// passed. With a single seed every run's line is announced; in a sweep
// only failures are, one line each. The first run's BUGGIFY sites are
// added to tally.
func runSeed(t *testing.T, sc *Scenario, seed uint64, single bool, tally *BuggifyTally) bool {
	replay := fmt.Sprintf("go test ./sim -run 'TestScenarios/%s' -seed=%d", sc.Name, seed)
	first, err := runTraced(sc, seed)
	tally.Add(first)
	if single {
		announce(first.String())
		announce("stats: " + first.StatsLine())
	} else {
		fmt.Println(first.String())
	}
	if err != nil {
		announce(fmt.Sprintf("FAIL scenario: %s seed: %d: %v  replay: %s", sc.Name, seed, err, replay))
		t.Errorf("FAIL scenario=%s seed=%d: %v\n    replay: %s", sc.Name, seed, err, replay)
		return false
	}
	second, _ := RunScenario(sc, seed, nil)
	if second.TraceHash != first.TraceHash {
		announce(fmt.Sprintf("FAIL scenario: %s seed: %d: nondeterministic  replay: %s", sc.Name, seed, replay))
		t.Errorf("FAIL scenario=%s seed=%d: nondeterministic: trace hash %s then %s\n    replay: %s -simtrace=/tmp/trace.txt",
			sc.Name, seed, first.TraceHash, second.TraceHash, replay)
		return false
	}
	return true
}

// announce prints a scenario line. `go test ./sim -seed=N` (package-list
// mode, without -v) throws away a passing package's output, yet the
// per-scenario lines with their trace hashes are what -seed is run for; so
// when -v is off and the test binary was started by the go command, the
// line also goes straight to the go command's own standard output.
func announce(line string) {
	fmt.Println(line)
	if testing.Verbose() || goCommandStdout == nil {
		return
	}
	fmt.Fprintln(goCommandStdout, line)
}

// goCommandStdout is the parent go command's stdout (Linux only), or nil.
var goCommandStdout = openGoCommandStdout()

func openGoCommandStdout() *os.File {
	ppid := os.Getppid()
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", ppid))
	if err != nil || filepath.Base(exe) != "go" {
		return nil
	}
	f, err := os.OpenFile(fmt.Sprintf("/proc/%d/fd/1", ppid), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil
	}
	// A regular file reopened here would get its own offset and be
	// overwritten by the go command; only pipes and terminals are safe.
	if st, err := f.Stat(); err != nil || st.Mode().IsRegular() {
		f.Close()
		return nil
	}
	return f
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
