// Package osfs is the production disk.FS: real files under one root
// directory.
//
// Names are '/'-separated and relative to the root; a name that is absolute
// or climbs out of the root with ".." is rejected (the error wraps
// fs.ErrInvalid). Operating-system errors are wrapped so that errors.Is
// matches disk.ErrNotExist, disk.ErrExist, disk.ErrNoSpace (ENOSPC, EDQUOT),
// disk.ErrIO (EIO) and disk.ErrClosed, while the message stays the
// operating system's.
//
// Open files follow the same offset model as disk/memfs, which is what the
// disk.FS contract asks for: Write always appends at the current end of the
// file (so a Truncate followed by Write continues at the new end), Read has
// its own offset that starts at 0, and ReadAt/WriteAt use neither offset.
// Writing or truncating a file opened with Open fails with an error
// wrapping fs.ErrPermission.
package osfs

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"

	"jsnode/disk"
)

// Permissions for new files and directories (before the umask).
const (
	filePerm = 0o644
	dirPerm  = 0o755
)

// FS is a disk.FS over the directory root.
type FS struct {
	root string
}

// New returns a file system rooted at the directory root, which should
// already exist.
func New(root string) disk.FS { return &FS{root: root} }

// osPath resolves name to an operating-system path under the root.
func (fs *FS) osPath(name string) (string, error) {
	clean, err := disk.CleanPath(name)
	if err != nil {
		return "", err
	}
	return filepath.Join(fs.root, filepath.FromSlash(clean)), nil
}

// nonRootPath is osPath for operations that must not act on the root itself.
func (fs *FS) nonRootPath(op, name string) (string, error) {
	clean, err := disk.CleanPath(name)
	if err != nil {
		return "", err
	}
	if clean == "." {
		return "", fmt.Errorf("osfs: %s of the root directory: %w", op, iofs.ErrInvalid)
	}
	return filepath.Join(fs.root, filepath.FromSlash(clean)), nil
}

// Create creates or truncates name and opens it read-write.
func (fs *FS) Create(name string) (disk.File, error) {
	return fs.open(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, false)
}

// Open opens an existing file read-only.
func (fs *FS) Open(name string) (disk.File, error) {
	return fs.open(name, os.O_RDONLY, true)
}

// OpenReadWrite opens an existing file for reading and appending.
func (fs *FS) OpenReadWrite(name string) (disk.File, error) {
	return fs.open(name, os.O_RDWR, false)
}

func (fs *FS) open(name string, flag int, readOnly bool) (disk.File, error) {
	p, err := fs.osPath(name)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, flag, filePerm)
	if err != nil {
		return nil, mapErr(err)
	}
	return &file{f: f, name: name, readOnly: readOnly}, nil
}

// Remove deletes a file or an empty directory.
func (fs *FS) Remove(name string) error {
	p, err := fs.nonRootPath("remove", name)
	if err != nil {
		return err
	}
	return mapErr(os.Remove(p))
}

// RemoveAll deletes a directory tree; a missing path is not an error.
func (fs *FS) RemoveAll(name string) error {
	p, err := fs.nonRootPath("removeall", name)
	if err != nil {
		return err
	}
	return mapErr(os.RemoveAll(p))
}

// Rename atomically replaces newname with oldname.
func (fs *FS) Rename(oldname, newname string) error {
	oldp, err := fs.nonRootPath("rename", oldname)
	if err != nil {
		return err
	}
	newp, err := fs.nonRootPath("rename", newname)
	if err != nil {
		return err
	}
	return mapErr(os.Rename(oldp, newp))
}

// MkdirAll creates a directory and any missing parents.
func (fs *FS) MkdirAll(dir string) error {
	p, err := fs.osPath(dir)
	if err != nil {
		return err
	}
	return mapErr(os.MkdirAll(p, dirPerm))
}

// List returns the names in dir, sorted.
func (fs *FS) List(dir string) ([]string, error) {
	p, err := fs.osPath(dir)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(p) // sorted by name
	if err != nil {
		return nil, mapErr(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}

// Stat describes name. Directories report size 0.
func (fs *FS) Stat(name string) (disk.FileInfo, error) {
	clean, err := disk.CleanPath(name)
	if err != nil {
		return disk.FileInfo{}, err
	}
	fi, err := os.Stat(filepath.Join(fs.root, filepath.FromSlash(clean)))
	if err != nil {
		return disk.FileInfo{}, mapErr(err)
	}
	info := disk.FileInfo{Name: path.Base(clean), IsDir: fi.IsDir()}
	if !info.IsDir {
		info.Size = fi.Size()
	}
	return info, nil
}

// SyncDir fsyncs the directory so its entries become durable.
func (fs *FS) SyncDir(dir string) error {
	p, err := fs.osPath(dir)
	if err != nil {
		return err
	}
	d, err := os.Open(p)
	if err != nil {
		return mapErr(err)
	}
	return mapErr(errors.Join(d.Sync(), d.Close()))
}

// osError keeps the operating system's message while letting errors.Is
// match both the disk sentinel and the original error.
type osError struct {
	kind error
	err  error
}

func (e *osError) Error() string   { return e.err.Error() }
func (e *osError) Unwrap() []error { return []error{e.kind, e.err} }

// mapErr wraps an operating-system error with the matching disk sentinel.
// io.EOF passes through untouched, as io.Reader callers compare it with ==.
func mapErr(err error) error {
	var kind error
	switch {
	case err == nil || err == io.EOF:
		return err
	case errors.Is(err, iofs.ErrNotExist):
		kind = disk.ErrNotExist
	case errors.Is(err, iofs.ErrExist):
		kind = disk.ErrExist
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		kind = disk.ErrNoSpace
	case errors.Is(err, syscall.EIO):
		kind = disk.ErrIO
	case errors.Is(err, os.ErrClosed):
		kind = disk.ErrClosed
	default:
		return err
	}
	return &osError{kind: kind, err: err}
}
