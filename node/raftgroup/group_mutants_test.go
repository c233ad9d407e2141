//go:build mutants

package raftgroup

import (
	"testing"

	"jsnode/node/mutant"
)

// TestNeverSyncLosesCommittedEntries: with the log never synced, a crash
// of every member forgets a committed entry, which is what the
// simulator's checkers must then notice.
func TestNeverSyncLosesCommittedEntries(t *testing.T) {
	mutant.Set(mutant.LogNeverSync)
	defer mutant.Set("")
	if committedSurvivesCrashOfAll(t) {
		t.Fatal("committed entry kept after a crash of all members, with the log never synced")
	}
}
