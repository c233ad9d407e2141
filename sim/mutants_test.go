//go:build mutants

package sim

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"jsnode/node/mutant"
)

// The mutation suite (`make mutants`): each mutant of node/mutant's
// catalog is planted in turn and its scenarios are swept until a check
// fails, to show that the simulator catches every planted bug.
var (
	mutantFlag         = flag.String("mutant", "", "TestMutants: run only this mutant")
	mutantRunsFlag     = flag.Int("mutant-seeds", 200, "TestMutants: runs (scenario, seed) each mutant's sweep may take")
	mutantScenarioFlag = flag.String("mutant-scenario", "", "TestMutants: sweep only this scenario")
	mutantSeedFlag     = flag.Uint64("mutant-seed", 0, "TestMutants: replay this one seed (with -mutant and -mutant-scenario)")
)

// mutantHangLimit is the wall time one run may take before it counts as
// a hang (a run takes well under a second; a failing porcupine check at
// most twice its sweep budget).
const mutantHangLimit = 2 * time.Minute

// mutantOutcome is one mutant's line of the table.
type mutantOutcome struct {
	name     string
	check    string // "" if not caught
	scenario string
	seed     uint64
	runs     int // runs until the first catch (or in all)
	detail   string
	wall     time.Duration
}

// TestMutants sweeps every mutant (or -mutant) and prints the table.
// Run k of a sweep (k = 1, 2, ...) takes the mutant's scenarios round
// robin, each from seed 1 on, so "runs to first catch" counts every
// scenario run it took. Each run is run twice, as in TestScenarios, so a
// differing trace hash is caught too.
func TestMutants(t *testing.T) {
	SetLinearizabilityBudget(LinearizabilitySweepBudget)
	defer SetLinearizabilityBudget(LinearizabilityReplayBudget)
	defer mutant.Set("")
	all, err := loadAllScenarios()
	if err != nil {
		t.Fatal(err)
	}
	var out []mutantOutcome
	start := time.Now()
	for _, m := range mutant.Catalog {
		if *mutantFlag != "" && m.Name != *mutantFlag {
			continue
		}
		scs, err := mutantScenarios(m, all, *mutantScenarioFlag)
		if err != nil {
			t.Fatal(err)
		}
		o := sweepMutant(m.Name, scs, *mutantRunsFlag, *mutantSeedFlag)
		out = append(out, o)
		fmt.Printf("mutant %s: %s\n", m.Name, o.summary())
		if o.check == "hang" {
			t.Errorf("mutant %s hung on %s seed %d; the remaining mutants were not run", m.Name, o.scenario, o.seed)
			break
		}
	}
	if *mutantFlag != "" && len(out) == 0 {
		t.Fatalf("-mutant=%s: no such mutant", *mutantFlag)
	}
	printMutantTable(os.Stdout, out, time.Since(start))
}

// loadAllScenarios loads every scenario file by name.
func loadAllScenarios() (map[string]*Scenario, error) {
	paths, err := ScenarioFiles(testScenarioDir)
	if err != nil {
		return nil, err
	}
	all := make(map[string]*Scenario, len(paths))
	for _, p := range paths {
		sc, err := LoadScenarioFile(p)
		if err != nil {
			return nil, err
		}
		all[strings.TrimSuffix(filepath.Base(p), ScenarioExt)] = sc
	}
	return all, nil
}

// mutantScenarios are the scenarios m's sweep takes, in catalog order
// (all files, sorted, when the catalog names none), or only the one named.
func mutantScenarios(m mutant.Mutant, all map[string]*Scenario, only string) ([]*Scenario, error) {
	names := m.Scenarios
	if len(names) == 0 {
		paths, err := ScenarioFiles(testScenarioDir)
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			names = append(names, strings.TrimSuffix(filepath.Base(p), ScenarioExt))
		}
	}
	if only != "" {
		names = []string{only}
	}
	var scs []*Scenario
	for _, n := range names {
		sc := all[n]
		if sc == nil {
			return nil, fmt.Errorf("mutant %s: no scenario %q", m.Name, n)
		}
		scs = append(scs, sc)
	}
	return scs, nil
}

// sweepMutant plants name and runs its scenarios round robin until one
// fails or maxRuns runs passed; with replay set, it runs that seed of the
// first scenario only.
func sweepMutant(name string, scs []*Scenario, maxRuns int, replay uint64) mutantOutcome {
	mutant.Set(name)
	defer mutant.Set("")
	o := mutantOutcome{name: name}
	start := time.Now()
	defer func() { o.wall = time.Since(start) }()
	for k := 0; k < maxRuns; k++ {
		sc, seed := scs[k%len(scs)], uint64(k/len(scs)+1)
		if replay != 0 {
			if k > 0 {
				break
			}
			sc, seed = scs[0], replay
		}
		o.runs = k + 1
		if check, detail := runMutantSeed(sc, seed); check != "" {
			o.check, o.scenario, o.seed, o.detail = check, sc.Name, seed, detail
			o.wall = time.Since(start)
			return o
		}
	}
	o.wall = time.Since(start)
	return o
}

// runMutantSeed runs one seed twice, under a watchdog, and returns the
// check that failed ("" if none) and the failure's first line.
func runMutantSeed(sc *Scenario, seed uint64) (check, detail string) {
	type result struct{ check, detail string }
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{"crash", fmt.Sprintf("panic: %v", p)}
			}
		}()
		first, err := runTraced(sc, seed)
		if err != nil {
			check, line := classifyFailure(err.Error())
			done <- result{check, line}
			return
		}
		if second, _ := RunScenario(sc, seed, nil); second.TraceHash != first.TraceHash {
			done <- result{"determinism", fmt.Sprintf("nondeterministic: trace hash %s then %s", first.TraceHash, second.TraceHash)}
			return
		}
		done <- result{}
	}()
	select {
	case r := <-done:
		return r.check, r.detail
	case <-time.After(mutantHangLimit):
		// The run cannot be stopped; the caller stops the suite.
		return "hang", fmt.Sprintf("no result after %v", mutantHangLimit)
	}
}

func (o mutantOutcome) summary() string {
	if o.check == "" {
		return fmt.Sprintf("not caught in %d runs (%v)", o.runs, o.wall.Round(time.Millisecond))
	}
	return fmt.Sprintf("caught by %s on %s seed %d after %d runs (%v): %s\n    replay: go test -tags mutants ./sim -run TestMutants -mutant=%s -mutant-scenario=%s -mutant-seed=%d -v",
		o.check, o.scenario, o.seed, o.runs, o.wall.Round(time.Millisecond), o.detail, o.name, o.scenario, o.seed)
}

// printMutantTable prints mutant | caught | by check | scenario | runs.
func printMutantTable(w *os.File, out []mutantOutcome, wall time.Duration) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "mutant\tcaught\tby check\tscenario\tseed\truns to first catch\twall")
	caught := 0
	for _, o := range out {
		if o.check == "" {
			fmt.Fprintf(tw, "%s\tno\t-\t-\t-\t(%d runs)\t%v\n", o.name, o.runs, o.wall.Round(time.Millisecond))
			continue
		}
		caught++
		fmt.Fprintf(tw, "%s\tyes\t%s\t%s\t%d\t%d\t%v\n", o.name, o.check, o.scenario, o.seed, o.runs, o.wall.Round(time.Millisecond))
	}
	tw.Flush()
	fmt.Fprintf(w, "mutants: %d of %d caught, wall %v\n", caught, len(out), wall.Round(time.Second))
}
