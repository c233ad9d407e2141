package raft

import (
	"slices"
	"testing"

	"jsnode/node/raft/raftcheck"
)

// These tests prove the randomized checker bites: with a deliberately
// broken variant switched on, the same harness must report a safety
// violation within a bounded number of seeds.

// bugSeedsMax bounds the seeds each bug hunt may take. With the churn
// profile the first violation currently shows up within about 15 seeds.
const bugSeedsMax = 300

// findViolation returns the first seed whose run breaks a safety
// property, with the check it fails and the violation.
func findViolation(t *testing.T, bugs testBugs) (uint64, string, string) {
	t.Helper()
	for seed := range uint64(bugSeedsMax) {
		opt := churnSimOptions()
		opt.bugs = bugs
		s := newSim(seed, opt)
		if err := s.run(); err != nil && s.violation != "" {
			return seed, s.violated, s.violation
		}
	}
	return 0, "", ""
}

func TestCheckerFindsFigure8Bug(t *testing.T) {
	seed, check, v := findViolation(t, testBugs{commitByCountAnyTerm: true})
	if v == "" {
		t.Fatal("committing previous-term entries by counting went unnoticed")
	}
	if !slices.Contains([]string{raftcheck.LeaderCompleteness, raftcheck.StateMachineSafety}, check) {
		t.Fatalf("unexpected kind of violation (check %q): %s", check, v)
	}
	t.Logf("seed %d: %s", seed, v)
}

func TestCheckerFindsForgottenVote(t *testing.T) {
	seed, check, v := findViolation(t, testBugs{skipVotePersist: true})
	if v == "" {
		t.Fatal("forgetting the vote across crashes went unnoticed")
	}
	safety := []string{raftcheck.ElectionSafety, raftcheck.LogMatching, raftcheck.LeaderCompleteness, raftcheck.StateMachineSafety}
	if !slices.Contains(safety, check) {
		t.Fatalf("unexpected kind of violation (check %q): %s", check, v)
	}
	t.Logf("seed %d: %s", seed, v)
}
