// Package disk is the file-system seam between a node and its host, in the
// manner of Pebble's vfs: one small interface, a real implementation
// (disk/osfs), a crashable in-memory one (disk/memfs) whose CrashClone keeps
// only what was synced, and fault injection as a wrapper (disk/faultfs).
//
// Durability rules every implementation honours: written bytes survive a
// crash only after File.Sync; a created, renamed or removed name survives a
// crash only after SyncDir on its parent directory.
package disk

import (
	"errors"
	"io"
)

// Errors shared by implementations (wrapped with the path where useful).
var (
	ErrNotExist = errors.New("file does not exist")
	ErrExist    = errors.New("file already exists")
	ErrNoSpace  = errors.New("no space left on device")
	ErrIO       = errors.New("input/output error")
	ErrClosed   = errors.New("file already closed")
)

// File is an open file. Write always appends at the current end of the
// file (like O_APPEND), Read has its own offset starting at 0, and
// ReadAt/WriteAt use neither, so recovery can read a file, Truncate a torn
// tail and keep appending without leaving holes.
type File interface {
	io.Reader
	io.ReaderAt
	io.Writer
	io.WriterAt
	io.Closer
	// Sync makes every byte written so far durable.
	Sync() error
	// Size is the current length of the file.
	Size() (int64, error)
	// Truncate changes the length of the file.
	Truncate(size int64) error
}

// FileInfo describes a directory entry.
type FileInfo struct {
	Name  string
	Size  int64
	IsDir bool
}

// FS is a file system. Paths use '/' separators.
type FS interface {
	// Create creates or truncates name and opens it read-write.
	Create(name string) (File, error)
	// Open opens an existing file read-only.
	Open(name string) (File, error)
	// OpenReadWrite opens an existing file for reading and writing;
	// sequential writes go to the end of the file.
	OpenReadWrite(name string) (File, error)
	// Remove deletes a file or an empty directory.
	Remove(name string) error
	// RemoveAll deletes a directory tree; a missing path is not an error.
	RemoveAll(name string) error
	// Rename atomically replaces newname with oldname.
	Rename(oldname, newname string) error
	// MkdirAll creates a directory and any missing parents.
	MkdirAll(dir string) error
	// List returns the names in dir, sorted.
	List(dir string) ([]string, error)
	// Stat describes name.
	Stat(name string) (FileInfo, error)
	// SyncDir makes the directory's entries (creates, renames, removes) durable.
	SyncDir(dir string) error
}
