package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseSeeds reads a seed range "A-B" (inclusive) or a single seed "N",
// as -seeds takes it in `go test ./sim` and cmd/simsweep.
func ParseSeeds(s string) (lo, hi uint64, err error) {
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

// Porcupine's search is exponential on a non-linearizable history, so a
// sweep over a buggy build would spend its whole budget per failing seed.
// Sweeps use the short budget; replaying one seed uses the full one, which
// decides every history the scenarios produce.
const (
	LinearizabilitySweepBudget  = 5 * time.Second
	LinearizabilityReplayBudget = 60 * time.Second
)

// linearizabilityBudget bounds porcupine's search in this process; a
// history it cannot decide in time is a failure to decide, not a pass.
var linearizabilityBudget = LinearizabilityReplayBudget

// SetLinearizabilityBudget sets porcupine's budget for every later run in
// this process (set it before starting runs, not while they run).
func SetLinearizabilityBudget(d time.Duration) {
	if d > 0 {
		linearizabilityBudget = d
	}
}
