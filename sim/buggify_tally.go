package sim

import (
	"fmt"
	"maps"
	"slices"

	"jsnode/node/server"
)

// BuggifyTally sums the BUGGIFY sites of many scenario runs for a sweep's
// summary: per site, in how many runs it fired and how often in all.
// Every site the server declares is listed, so a site that never fired
// stands out (it is switched on for about a quarter of the seeds, so over
// a sweep it should fire in some runs of every scenario that reaches it).
type BuggifyTally struct {
	runs  int
	fired map[string]int // runs in which the site fired
	times map[string]int // times it fired, over all runs
}

// Add counts one run.
func (t *BuggifyTally) Add(r Result) {
	if t.fired == nil {
		t.fired, t.times = make(map[string]int), make(map[string]int)
	}
	t.runs++
	for site, n := range r.Buggify {
		if n > 0 {
			t.fired[site]++
			t.times[site] += n
		}
	}
}

// Lines renders the tally: a header, then one line per site sorted by
// name (the server's sites and any other site that fired).
func (t *BuggifyTally) Lines() []string {
	sites := server.BuggifySites()
	for site := range maps.Keys(t.fired) {
		if !slices.Contains(sites, site) {
			sites = append(sites, site)
		}
	}
	slices.Sort(sites)
	width := 0
	for _, s := range sites {
		width = max(width, len(s))
	}
	lines := []string{fmt.Sprintf("buggify sites: runs in which each fired (of %d runs), times fired", t.runs)}
	for _, s := range sites {
		lines = append(lines, fmt.Sprintf("  %-*s %6d runs %9d times", width, s, t.fired[s], t.times[s]))
	}
	return lines
}
