// Package mutant plants deliberate bugs ("mutants") at their real sites in
// node/, so the simulator's checks can be shown to catch each one
// (`make mutants`).
//
// In an ordinary build On and Every are constant false and Clock returns
// its argument: the compiler removes every planted branch, and production
// carries none of their behaviour. Built with `-tags mutants`, Set
// switches on one mutant of the Catalog for the whole process; the sim is
// single-threaded, so its counters (Every) stay deterministic as long as
// Reset runs before each simulated run (RunScenario does).
package mutant
