// Package memfs is an in-memory disk.FS that remembers what is durable, so
// that a test or the simulator can ask what a power loss would leave behind.
//
// # What is durable
//
// Every file keeps two contents: the current bytes, which all reads see,
// and the durable bytes as of its last File.Sync, together with the list of
// writes and truncations made since (the unsynced operations, in order).
// Every directory keeps two entry sets: the current one and the durable one
// as of its last SyncDir. A created, renamed or removed name therefore
// becomes durable only when its parent directory is synced, and a file
// whose name was never made durable is lost in a crash even if its data
// was synced. Creating an existing file truncates it in place (the same
// file, like O_TRUNC): the truncation is an unsynced operation of the file.
//
// # The crash model
//
// CrashClone returns a new FS holding what might be found after a power
// loss at this moment. The clone is built from the root down, visiting
// directory entries in sorted name order and drawing every random choice
// from one PCG generator seeded with CrashOptions.Seed, so the same state
// and options always give the same clone:
//
//   - Directories: a directory whose current entries differ from its
//     durable ones takes its current entry set, as if synced, with
//     probability UnsyncedDirKeepProbability, and otherwise its durable set.
//     The choice is per directory, so a rename inside one directory is
//     atomic (old name or new name). A rename between two directories that
//     were not both synced may show up under both names or under neither:
//     the crash-safe pattern must sync both.
//   - Files: each file with unsynced operations keeps none of them with
//     probability 1-UnsyncedKeepProbability; otherwise it keeps a prefix of
//     k of its n operations, k uniform in [1, n], applied in order on top of
//     the durable bytes. For appends this is a random prefix of the unsynced
//     tail, at write granularity.
//   - Torn writes: if the last kept operation is a write, with probability
//     TornWriteProbability it is torn: either only a strict prefix of its
//     bytes is kept, or all of them but with the last 1..MaxGarbageBytes
//     kept bytes corrupted, or both. A corrupted byte always differs from
//     the byte that was written.
//
// Everything in the clone is durable and it has no open files: handles on
// the original keep working on the original only. A directory entry that
// would make a directory its own ancestor (possible only by mixing durable
// and current entry sets after nested renames) is left out of the clone.
//
// FS is safe for concurrent use; every call takes one mutex.
package memfs

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"

	"jsnode/disk"
)

// Errors for calls the disk sentinels do not describe.
var (
	errNotDir   = errors.New("not a directory")
	errIsDir    = errors.New("is a directory")
	errNotEmpty = errors.New("directory not empty")
)

// FS is an in-memory file system with crash semantics.
type FS struct {
	mu   sync.Mutex
	root *node
}

// node is a file or a directory.
type node struct {
	isDir bool

	// Directories: current and durable entries.
	children map[string]*node
	synced   map[string]*node

	// Files: current and durable bytes, and the operations since the last
	// Sync that turn the durable bytes into the current ones.
	data       []byte
	syncedData []byte
	pending    []fileOp
}

// fileOp is one unsynced write (data at off) or truncation (to size off).
type fileOp struct {
	off      int64
	data     []byte
	truncate bool
}

func newDir() *node {
	return &node{isDir: true, children: map[string]*node{}, synced: map[string]*node{}}
}

// New returns an empty file system whose root directory exists.
func New() *FS { return &FS{root: newDir()} }

func pathErr(op, name string, err error) error {
	return &iofs.PathError{Op: op, Path: name, Err: err}
}

// lookup returns the node at the cleaned path clean in the current tree.
func (fs *FS) lookup(op, clean string) (*node, error) {
	n := fs.root
	if clean == "." {
		return n, nil
	}
	for _, part := range strings.Split(clean, "/") {
		if !n.isDir {
			return nil, pathErr(op, clean, errNotDir)
		}
		child, ok := n.children[part]
		if !ok {
			return nil, pathErr(op, clean, disk.ErrNotExist)
		}
		n = child
	}
	return n, nil
}

// parentOf cleans name, which must not be the root, and returns its parent
// directory and base name.
func (fs *FS) parentOf(op, name string) (dir *node, base, clean string, err error) {
	clean, err = disk.CleanPath(name)
	if err != nil {
		return nil, "", "", err
	}
	if clean == "." {
		return nil, "", "", pathErr(op, name, iofs.ErrInvalid)
	}
	dir, err = fs.lookup(op, path.Dir(clean))
	if err != nil {
		return nil, "", "", err
	}
	if !dir.isDir {
		return nil, "", "", pathErr(op, clean, errNotDir)
	}
	return dir, path.Base(clean), clean, nil
}

// Create creates or truncates name and opens it read-write.
func (fs *FS) Create(name string) (disk.File, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	dir, base, clean, err := fs.parentOf("create", name)
	if err != nil {
		return nil, err
	}
	n, ok := dir.children[base]
	switch {
	case ok && n.isDir:
		return nil, pathErr("create", clean, errIsDir)
	case ok:
		n.truncate(0)
	default:
		n = &node{}
		dir.children[base] = n
	}
	return &file{fs: fs, n: n, name: clean}, nil
}

// Open opens an existing file read-only.
func (fs *FS) Open(name string) (disk.File, error) { return fs.open("open", name, true) }

// OpenReadWrite opens an existing file for reading and appending.
func (fs *FS) OpenReadWrite(name string) (disk.File, error) {
	return fs.open("openrw", name, false)
}

func (fs *FS) open(op, name string, readOnly bool) (disk.File, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	clean, err := disk.CleanPath(name)
	if err != nil {
		return nil, err
	}
	n, err := fs.lookup(op, clean)
	if err != nil {
		return nil, err
	}
	if n.isDir {
		return nil, pathErr(op, clean, errIsDir)
	}
	return &file{fs: fs, n: n, name: clean, readOnly: readOnly}, nil
}

// Remove deletes a file or an empty directory.
func (fs *FS) Remove(name string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	dir, base, clean, err := fs.parentOf("remove", name)
	if err != nil {
		return err
	}
	n, ok := dir.children[base]
	if !ok {
		return pathErr("remove", clean, disk.ErrNotExist)
	}
	if n.isDir && len(n.children) > 0 {
		return pathErr("remove", clean, errNotEmpty)
	}
	delete(dir.children, base)
	return nil
}

// RemoveAll deletes a directory tree; a missing path is not an error.
func (fs *FS) RemoveAll(name string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	dir, base, _, err := fs.parentOf("removeall", name)
	if errors.Is(err, disk.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	delete(dir.children, base)
	return nil
}

// Rename atomically replaces newname with oldname. Renaming a directory
// over an empty directory replaces it, as on POSIX systems.
func (fs *FS) Rename(oldname, newname string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	odir, obase, oclean, err := fs.parentOf("rename", oldname)
	if err != nil {
		return err
	}
	nclean, err := disk.CleanPath(newname)
	if err != nil {
		return err
	}
	n, ok := odir.children[obase]
	if !ok {
		return pathErr("rename", oclean, disk.ErrNotExist)
	}
	ndir, nbase, _, err := fs.parentOf("rename", nclean)
	if err != nil {
		return err
	}
	if oclean == nclean {
		return nil
	}
	if n.isDir && strings.HasPrefix(nclean, oclean+"/") {
		return pathErr("rename", nclean, iofs.ErrInvalid)
	}
	if old, ok := ndir.children[nbase]; ok {
		switch {
		case n.isDir && !old.isDir:
			return pathErr("rename", nclean, errNotDir)
		case !n.isDir && old.isDir:
			return pathErr("rename", nclean, errIsDir)
		case old.isDir && len(old.children) > 0:
			return pathErr("rename", nclean, errNotEmpty)
		}
	}
	delete(odir.children, obase)
	ndir.children[nbase] = n
	return nil
}

// MkdirAll creates a directory and any missing parents.
func (fs *FS) MkdirAll(dir string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	clean, err := disk.CleanPath(dir)
	if err != nil || clean == "." {
		return err
	}
	n := fs.root
	for _, part := range strings.Split(clean, "/") {
		child, ok := n.children[part]
		if !ok {
			child = newDir()
			n.children[part] = child
		}
		if !child.isDir {
			return pathErr("mkdir", clean, errNotDir)
		}
		n = child
	}
	return nil
}

// List returns the names in dir, sorted.
func (fs *FS) List(dir string) ([]string, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n, err := fs.lookupDir("list", dir)
	if err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(n.children)), nil
}

// Stat describes name. Directories report size 0.
func (fs *FS) Stat(name string) (disk.FileInfo, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	clean, err := disk.CleanPath(name)
	if err != nil {
		return disk.FileInfo{}, err
	}
	n, err := fs.lookup("stat", clean)
	if err != nil {
		return disk.FileInfo{}, err
	}
	return disk.FileInfo{Name: path.Base(clean), Size: int64(len(n.data)), IsDir: n.isDir}, nil
}

// SyncDir makes the directory's current entries its durable ones.
func (fs *FS) SyncDir(dir string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n, err := fs.lookupDir("syncdir", dir)
	if err != nil {
		return err
	}
	n.synced = maps.Clone(n.children)
	return nil
}

// lookupDir cleans name and returns the directory there.
func (fs *FS) lookupDir(op, name string) (*node, error) {
	clean, err := disk.CleanPath(name)
	if err != nil {
		return nil, err
	}
	n, err := fs.lookup(op, clean)
	if err != nil {
		return nil, err
	}
	if !n.isDir {
		return nil, pathErr(op, clean, errNotDir)
	}
	return n, nil
}

// FlipBit inverts one bit of a file's stored bytes, modelling latent
// corruption of the medium: the bit changes in the current contents and,
// if byteOffset lies within them, in the durable contents. bit is 0..7.
func (fs *FS) FlipBit(name string, byteOffset int64, bit uint) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	clean, err := disk.CleanPath(name)
	if err != nil {
		return err
	}
	n, err := fs.lookup("flipbit", clean)
	if err != nil {
		return err
	}
	if n.isDir {
		return pathErr("flipbit", clean, errIsDir)
	}
	if bit > 7 || byteOffset < 0 || byteOffset >= int64(len(n.data)) {
		return pathErr("flipbit", clean, fmt.Errorf("bit %d of byte %d outside a %d-byte file: %w",
			bit, byteOffset, len(n.data), iofs.ErrInvalid))
	}
	n.data[byteOffset] ^= 1 << bit
	if byteOffset < int64(len(n.syncedData)) {
		n.syncedData[byteOffset] ^= 1 << bit
	}
	return nil
}
