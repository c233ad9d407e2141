package sim

import "jsnode/disk/memfs"

// What a crash keeps of unsynced state (see memfs.CrashOptions): about
// half of the files and directories with unsynced changes keep a prefix
// of them, and a quarter of those end in a torn write.
const (
	crashUnsyncedKeep    = 0.5
	crashTornWrite       = 0.25
	crashUnsyncedDirKeep = 0.5
)

// crashFS returns what survives a crash of m, drawn from seed.
func crashFS(m *memfs.FS, seed uint64) *memfs.FS {
	return m.CrashClone(memfs.CrashOptions{
		Seed:                       seed,
		UnsyncedKeepProbability:    crashUnsyncedKeep,
		TornWriteProbability:       crashTornWrite,
		UnsyncedDirKeepProbability: crashUnsyncedDirKeep,
	})
}
