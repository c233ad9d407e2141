package raftlog

import (
	"errors"

	"jsnode/disk"
	"jsnode/node/mutant"
)

// writeFileAtomic is disk.WriteFileAtomic, except that the
// dirsync-skip-rename mutant leaves out the sync of the directory after
// the rename (so a crash may bring back the old file, or none).
func writeFileAtomic(fs disk.FS, name string, data []byte) error {
	if !mutant.On(mutant.DirSyncSkipRename) {
		return disk.WriteFileAtomic(fs, name, data)
	}
	tmp := name + disk.TempSuffix
	f, err := fs.Create(tmp)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err != nil {
		return err
	}
	return fs.Rename(tmp, name)
}
