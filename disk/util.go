package disk

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"path"
	"strings"
)

// CleanPath returns name in the canonical form every implementation uses:
// '/'-separated, relative to the file system's root, without "." or ".."
// elements, and "." for the root itself (also for ""). A name that is
// absolute or climbs above the root gives an error wrapping fs.ErrInvalid.
func CleanPath(name string) (string, error) {
	if name == "" {
		return ".", nil
	}
	if strings.HasPrefix(name, "/") {
		return "", fmt.Errorf("disk: absolute path %q: %w", name, iofs.ErrInvalid)
	}
	clean := path.Clean(name)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("disk: path %q escapes the root: %w", name, iofs.ErrInvalid)
	}
	return clean, nil
}

// ReadFile returns the whole current contents of name.
func ReadFile(fs FS, name string) ([]byte, error) {
	f, err := fs.Open(name)
	if err != nil {
		return nil, err
	}
	// One buffer of the file's size (io.ReadAll alone would grow and
	// copy its way up: for an 8 MiB block, several times the work).
	var data []byte
	if size, err := f.Size(); err == nil && size > 0 {
		data = make([]byte, 0, size+1) // +1: EOF needs no second buffer
	}
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if errors.Is(err, io.EOF) {
			return data, f.Close()
		}
		if err != nil {
			return data, errors.Join(err, f.Close())
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // grew since Size: make room
		}
	}
}

// Ancestors returns dir and every directory above it up to the root
// ("."), nearest first: the directories whose entries MkdirAll(dir) may
// have created, each durable only once its parent is synced.
func Ancestors(dir string) []string {
	var out []string
	for d := path.Clean(dir); ; d = path.Dir(d) {
		out = append(out, d)
		if d == "." || d == "/" {
			return out
		}
	}
}

// SyncAncestors syncs dir and every directory above it (Ancestors), so
// that a path MkdirAll just made survives a crash.
func SyncAncestors(fs FS, dir string) error {
	for _, d := range Ancestors(dir) {
		if err := fs.SyncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// TempSuffix is appended to a name by WriteFileAtomic for its temporary file.
const TempSuffix = ".tmp"

// WriteFileAtomic replaces name with data so that after a crash the file
// holds either its old contents or data, never a mix: it writes and syncs
// name+TempSuffix, renames it over name and syncs the parent directory.
// On error the temporary file is removed (best effort).
func WriteFileAtomic(fs FS, name string, data []byte) error {
	tmp := name + TempSuffix
	if err := writeAndSync(fs, tmp, data); err != nil {
		_ = fs.Remove(tmp)
		return err
	}
	if err := fs.Rename(tmp, name); err != nil {
		_ = fs.Remove(tmp)
		return err
	}
	return fs.SyncDir(path.Dir(name))
}

// writeAndSync creates name, writes data, syncs and closes it.
func writeAndSync(fs FS, name string, data []byte) error {
	f, err := fs.Create(name)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return errors.Join(err, f.Close())
	}
	if err := f.Sync(); err != nil {
		return errors.Join(err, f.Close())
	}
	return f.Close()
}
