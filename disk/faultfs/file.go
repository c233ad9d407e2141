package faultfs

import (
	"errors"
	"fmt"
	"path"

	"jsnode/disk"
)

// file wraps an open file of the inner file system.
type file struct {
	fs    *FS
	inner disk.File
	name  string
	// syncErr, once set, is returned by every later Sync (see the package
	// doc on failed syncs).
	syncErr error
}

func (f *file) Read(p []byte) (int, error) {
	if err := f.fs.fault(OpFileRead, f.name); err != nil {
		return 0, err
	}
	if sr, ok := f.fs.inj.(ShortReader); ok && len(p) > 1 {
		if k := sr.ShortRead(path.Clean(f.name), len(p)); k >= 1 && k < len(p) {
			p = p[:k]
		}
	}
	n, err := f.inner.Read(p)
	f.fs.corruptRead(OpFileRead, f.name, p[:n])
	return n, err
}

func (f *file) ReadAt(p []byte, off int64) (int, error) {
	if err := f.fs.fault(OpFileReadAt, f.name); err != nil {
		return 0, err
	}
	n, err := f.inner.ReadAt(p, off)
	f.fs.corruptRead(OpFileReadAt, f.name, p[:n])
	return n, err
}

func (f *file) Write(p []byte) (int, error) {
	if err := f.fs.writeFault(OpFileWrite, f.name, len(p)); err != nil {
		return 0, err
	}
	return f.inner.Write(p)
}

func (f *file) WriteAt(p []byte, off int64) (int, error) {
	if err := f.fs.writeFault(OpFileWriteAt, f.name, len(p)); err != nil {
		return 0, err
	}
	return f.inner.WriteAt(p, off)
}

// Close closes the inner file even when a failure is injected.
func (f *file) Close() error {
	injected := f.fs.fault(OpFileClose, f.name)
	err := f.inner.Close()
	if injected != nil {
		return injected
	}
	return err
}

// Sync fails for good once it has failed: an injected failure or an I/O
// error from the inner file poisons the handle.
func (f *file) Sync() error {
	if f.syncErr != nil {
		return fmt.Errorf("faultfs: %s: earlier sync failed, unsynced data may be lost: %w", f.name, f.syncErr)
	}
	if err := f.fs.fault(OpFileSync, f.name); err != nil {
		f.syncErr = err
		return err
	}
	err := f.inner.Sync()
	if errors.Is(err, disk.ErrIO) {
		f.syncErr = err
	}
	return err
}

func (f *file) Size() (int64, error) {
	if err := f.fs.fault(OpFileSize, f.name); err != nil {
		return 0, err
	}
	return f.inner.Size()
}

func (f *file) Truncate(size int64) error {
	if err := f.fs.fault(OpFileTruncate, f.name); err != nil {
		return err
	}
	return f.inner.Truncate(size)
}
