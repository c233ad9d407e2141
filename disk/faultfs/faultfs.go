// Package faultfs wraps a disk.FS to inject errors, in the manner of
// Pebble's errorfs: every call on the file system or on a file it opened
// is classified as an Op and, before it runs, the wrapper asks an Injector
// whether it should fail instead. Injectors are small values built from
// predicates (which ops, which paths) and policies (once, always, seeded
// random, disk full) and combined with Any.
//
// The path given to injectors is the name passed to the call, cleaned with
// path.Clean; file operations use the name the file was opened with, and
// Rename uses the old name. An injected error is returned wrapped with the
// op and path, so errors.Is still matches it.
//
// # Failed syncs
//
// A failed File.Sync or SyncDir always returns an error matching
// disk.ErrIO (the injected error is wrapped as well). This models EIO from
// fsync, after which the kernel may already have dropped the dirty pages:
// the file's unsynced data must be treated as lost, and retrying Sync
// proves nothing. A caller must not retry and then assume durability; it
// should stop using the file and recover from what is known durable (the
// node halts or restarts). To keep a retry from ever looking successful, a
// file whose Sync failed is poisoned: every later Sync on that handle
// fails with disk.ErrIO without reaching the inner file system, so, over
// disk/memfs, the data stays unsynced and a crash can lose it.
//
// An injected failure of Close still closes the inner file.
//
// # Damaged reads
//
// An injector that also implements ReadCorrupter sees the bytes of every
// successful Read and ReadAt and may change them (flip a bit), modelling a
// medium that returns wrong data without an error: the stored file is
// untouched, so a reread can return the right bytes.
package faultfs

import (
	"errors"
	"fmt"
	"path"

	"jsnode/disk"
)

// Op identifies the kind of a file-system call.
type Op int

// The operations a wrapped file system reports.
const (
	OpCreate Op = iota
	OpOpen
	OpOpenReadWrite
	OpRemove
	OpRemoveAll
	OpRename
	OpMkdirAll
	OpList
	OpStat
	OpSyncDir
	OpFileRead
	OpFileReadAt
	OpFileWrite
	OpFileWriteAt
	OpFileSync
	OpFileSize
	OpFileTruncate
	OpFileClose
	numOps
)

var opNames = [numOps]string{
	"Create", "Open", "OpenReadWrite", "Remove", "RemoveAll", "Rename", "MkdirAll", "List",
	"Stat", "SyncDir", "File.Read", "File.ReadAt", "File.Write", "File.WriteAt", "File.Sync",
	"File.Size", "File.Truncate", "File.Close",
}

// writeOps are the ops that change the file system or ask to (opening for
// writing, syncing); every other op is a read.
var writeOps = [numOps]bool{
	OpCreate: true, OpOpenReadWrite: true, OpRemove: true, OpRemoveAll: true, OpRename: true,
	OpMkdirAll: true, OpSyncDir: true, OpFileWrite: true, OpFileWriteAt: true, OpFileSync: true,
	OpFileTruncate: true,
}

func (o Op) String() string {
	if o < 0 || o >= numOps {
		return fmt.Sprintf("Op(%d)", int(o))
	}
	return opNames[o]
}

// IsWrite reports whether o changes the file system or asks to: Create,
// OpenReadWrite, Remove, RemoveAll, Rename, MkdirAll, SyncDir and the
// file's Write, WriteAt, Sync and Truncate.
func (o Op) IsWrite() bool { return o >= 0 && o < numOps && writeOps[o] }

// IsRead reports whether o only observes: Open, List, Stat and the file's
// Read, ReadAt, Size and Close.
func (o Op) IsRead() bool { return o >= 0 && o < numOps && !writeOps[o] }

// IsSync reports whether o is File.Sync or SyncDir.
func (o Op) IsSync() bool { return o == OpFileSync || o == OpSyncDir }

// Ops returns every Op, in order.
func Ops() []Op {
	ops := make([]Op, numOps)
	for i := range ops {
		ops[i] = Op(i)
	}
	return ops
}

// FS is a disk.FS that consults an Injector before every call.
type FS struct {
	inner disk.FS
	inj   Injector
}

// Wrap returns inner with faults from inj; a nil inj injects nothing.
func Wrap(inner disk.FS, inj Injector) disk.FS { return &FS{inner: inner, inj: inj} }

// fault asks the injector about op on name and returns the error to report.
func (fs *FS) fault(op Op, name string) error {
	if fs.inj == nil {
		return nil
	}
	p := path.Clean(name)
	return wrapInjected(op, p, fs.inj.MaybeError(op, p))
}

// writeFault is fault for writes of n bytes, for injectors that count them.
func (fs *FS) writeFault(op Op, name string, n int) error {
	wi, ok := fs.inj.(WriteInjector)
	if !ok {
		return fs.fault(op, name)
	}
	p := path.Clean(name)
	return wrapInjected(op, p, wi.MaybeWriteError(op, p, n))
}

// corruptRead lets a ReadCorrupter damage the bytes a read delivered.
func (fs *FS) corruptRead(op Op, name string, p []byte) {
	if rc, ok := fs.inj.(ReadCorrupter); ok && len(p) > 0 {
		rc.CorruptRead(op, path.Clean(name), p)
	}
}

func wrapInjected(op Op, p string, err error) error {
	switch {
	case err == nil:
		return nil
	case op.IsSync() && !errors.Is(err, disk.ErrIO):
		return fmt.Errorf("faultfs: injected %v %q: %w: %w", op, p, disk.ErrIO, err)
	default:
		return fmt.Errorf("faultfs: injected %v %q: %w", op, p, err)
	}
}

// Create creates or truncates name and opens it read-write.
func (fs *FS) Create(name string) (disk.File, error) {
	return fs.open(OpCreate, name, fs.inner.Create)
}

// Open opens an existing file read-only.
func (fs *FS) Open(name string) (disk.File, error) {
	return fs.open(OpOpen, name, fs.inner.Open)
}

// OpenReadWrite opens an existing file for reading and appending.
func (fs *FS) OpenReadWrite(name string) (disk.File, error) {
	return fs.open(OpOpenReadWrite, name, fs.inner.OpenReadWrite)
}

func (fs *FS) open(op Op, name string, open func(string) (disk.File, error)) (disk.File, error) {
	if err := fs.fault(op, name); err != nil {
		return nil, err
	}
	f, err := open(name)
	if err != nil {
		return nil, err
	}
	return &file{fs: fs, inner: f, name: name}, nil
}

// Remove deletes a file or an empty directory.
func (fs *FS) Remove(name string) error {
	if err := fs.fault(OpRemove, name); err != nil {
		return err
	}
	return fs.inner.Remove(name)
}

// RemoveAll deletes a directory tree; a missing path is not an error.
func (fs *FS) RemoveAll(name string) error {
	if err := fs.fault(OpRemoveAll, name); err != nil {
		return err
	}
	return fs.inner.RemoveAll(name)
}

// Rename atomically replaces newname with oldname.
func (fs *FS) Rename(oldname, newname string) error {
	if err := fs.fault(OpRename, oldname); err != nil {
		return err
	}
	return fs.inner.Rename(oldname, newname)
}

// MkdirAll creates a directory and any missing parents.
func (fs *FS) MkdirAll(dir string) error {
	if err := fs.fault(OpMkdirAll, dir); err != nil {
		return err
	}
	return fs.inner.MkdirAll(dir)
}

// List returns the names in dir, sorted.
func (fs *FS) List(dir string) ([]string, error) {
	if err := fs.fault(OpList, dir); err != nil {
		return nil, err
	}
	return fs.inner.List(dir)
}

// Stat describes name.
func (fs *FS) Stat(name string) (disk.FileInfo, error) {
	if err := fs.fault(OpStat, name); err != nil {
		return disk.FileInfo{}, err
	}
	return fs.inner.Stat(name)
}

// SyncDir makes the directory's entries durable; failures match disk.ErrIO.
func (fs *FS) SyncDir(dir string) error {
	if err := fs.fault(OpSyncDir, dir); err != nil {
		return err
	}
	return fs.inner.SyncDir(dir)
}
