package sim

import (
	"jsnode/disk"
	"jsnode/disk/memfs"
)

// What a crash keeps of unsynced state (see memfs.CrashOptions): about
// half of the files and directories with unsynced changes keep a prefix
// of them, and a quarter of those end in a torn write.
const (
	crashUnsyncedKeep    = 0.5
	crashTornWrite       = 0.25
	crashUnsyncedDirKeep = 0.5
)

// newHostFS returns a fresh, empty host disk.
func newHostFS() disk.FS { return memfs.New() }

// crashFS returns what survives a crash of fs, drawn from seed.
func crashFS(fs disk.FS, seed uint64) disk.FS {
	m, ok := fs.(*memfs.FS)
	if !ok {
		return fs
	}
	return m.CrashClone(memfs.CrashOptions{
		Seed:                       seed,
		UnsyncedKeepProbability:    crashUnsyncedKeep,
		TornWriteProbability:       crashTornWrite,
		UnsyncedDirKeepProbability: crashUnsyncedDirKeep,
	})
}
