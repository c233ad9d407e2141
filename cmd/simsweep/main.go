// Command simsweep runs the simulator's scenarios over a range of seeds,
// each seed twice to catch nondeterminism, several worlds in parallel,
// with one line per run and the replay command of every failure.
//
//	go run ./cmd/simsweep -seeds=1-1000 -scenario=all -parallel=2
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"jsnode/sim"
)

type job struct {
	sc   *sim.Scenario
	seed uint64
}

type outcome struct {
	job
	res sim.Result
	err error
}

func main() {
	seeds := flag.String("seeds", "1-100", "seed range A-B (or one seed N)")
	name := flag.String("scenario", "all", "scenario name, or all")
	parallel := flag.Int("parallel", runtime.NumCPU(), "worlds run at once (each world is single-threaded)")
	twice := flag.Bool("check-determinism", true, "run each seed twice and compare trace hashes")
	quiet := flag.Bool("q", false, "print only failures and the summary")
	flag.Parse()

	lo, hi, err := sim.ParseSeeds(*seeds)
	if err != nil {
		fatalf("-seeds: %v", err)
	}
	if hi > lo {
		sim.SetLinearizabilityBudget(sim.LinearizabilitySweepBudget)
	}
	scenarios := sim.Scenarios()
	if *name != "all" {
		sc := sim.ScenarioByName(*name)
		if sc == nil {
			fatalf("unknown scenario %q", *name)
		}
		scenarios = []*sim.Scenario{sc}
	}
	var jobs []job
	for _, sc := range scenarios {
		for s := lo; s <= hi; s++ {
			jobs = append(jobs, job{sc, s})
		}
	}
	os.Exit(sweep(jobs, max(*parallel, 1), *twice, *quiet))
}

// sweep runs jobs on parallel workers and reports; it returns the exit code.
func sweep(jobs []job, parallel int, twice, quiet bool) int {
	start := time.Now()
	todo := make(chan job)
	done := make(chan outcome)
	var wg sync.WaitGroup
	for i := 0; i < parallel; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range todo {
				done <- runJob(j, twice)
			}
		}()
	}
	go func() {
		for _, j := range jobs {
			todo <- j
		}
		close(todo)
		wg.Wait()
		close(done)
	}()
	var failed []outcome
	var tally sim.BuggifyTally
	var simTime time.Duration
	n := 0
	for o := range done {
		n++
		tally.Add(o.res)
		simTime += o.res.SimTime
		if twice {
			simTime += o.res.SimTime // the replay simulated it again
		}
		if o.err != nil {
			failed = append(failed, o)
			fmt.Printf("FAIL %s: %v\n    replay: go test ./sim -run 'TestScenarios/%s' -seed=%d\n", o.res, o.err, o.sc.Name, o.seed)
		} else if !quiet {
			fmt.Printf("[%d/%d] %s\n", n, len(jobs), o.res)
		}
	}
	wall := time.Since(start)
	fmt.Printf("runs=%d failed=%d sim-seconds=%.0f wall-seconds=%.1f speed=%.0fx\n",
		len(jobs), len(failed), simTime.Seconds(), wall.Seconds(), simTime.Seconds()/wall.Seconds())
	for _, line := range tally.Lines() {
		fmt.Println(line)
	}
	if len(failed) > 0 {
		return 1
	}
	return 0
}

func runJob(j job, twice bool) outcome {
	res, err := sim.RunScenario(j.sc, j.seed, nil)
	if err == nil && twice {
		again, _ := sim.RunScenario(j.sc, j.seed, nil)
		if again.TraceHash != res.TraceHash {
			err = fmt.Errorf("nondeterministic: trace hash %s then %s", res.TraceHash, again.TraceHash)
		}
	}
	return outcome{j, res, err}
}

func fatalf(format string, v ...any) {
	fmt.Fprintf(os.Stderr, "simsweep: "+format+"\n", v...)
	os.Exit(2)
}
