package osfs

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"syscall"
)

// file is an open os file. Read uses the kernel's file offset; Write
// appends at the end found by fstat and never moves that offset, so reads
// and appends do not disturb each other.
type file struct {
	f        *os.File
	name     string
	readOnly bool
}

func (f *file) Read(p []byte) (int, error) {
	n, err := f.f.Read(p)
	return n, mapErr(err)
}

func (f *file) ReadAt(p []byte, off int64) (int, error) {
	n, err := f.f.ReadAt(p, off)
	return n, mapErr(err)
}

// Write appends p at the current end of the file.
func (f *file) Write(p []byte) (int, error) {
	fi, err := f.f.Stat()
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := f.f.WriteAt(p, fi.Size())
	return n, f.writeErr(err)
}

func (f *file) WriteAt(p []byte, off int64) (int, error) {
	n, err := f.f.WriteAt(p, off)
	return n, f.writeErr(err)
}

func (f *file) Close() error { return mapErr(f.f.Close()) }

func (f *file) Sync() error { return mapErr(f.f.Sync()) }

func (f *file) Size() (int64, error) {
	fi, err := f.f.Stat()
	if err != nil {
		return 0, mapErr(err)
	}
	return fi.Size(), nil
}

func (f *file) Truncate(size int64) error {
	return f.writeErr(f.f.Truncate(size))
}

// writeErr maps errors of write-type calls; the kernel reports a write to
// a read-only descriptor as EBADF or EINVAL, which becomes a permission
// error here so osfs and memfs agree.
func (f *file) writeErr(err error) error {
	if err != nil && f.readOnly && (errors.Is(err, syscall.EBADF) || errors.Is(err, syscall.EINVAL)) {
		return fmt.Errorf("osfs: %s opened read-only: %w", f.name, iofs.ErrPermission)
	}
	return mapErr(err)
}
