// Package powerfs is a file system for power-cut tests: it keeps every
// file and directory in memory twice, as the running process sees it and
// as it would be found after a power loss. Only fsync moves bytes from the
// first to the second: a file's bytes on fsync of that file, a directory's
// entries (creates, renames, removes) on fsync of that directory. Nothing
// else is ever durable, so a program that acks before the right fsyncs
// loses data here, where a real disk would usually (not always) save it.
//
// The model (this file) is plain Go and tested without FUSE; fuse.go
// serves it through the kernel so real processes can run on it.
package powerfs

import (
	"sort"
	"sync"
	"syscall"
	"time"
)

// RootID is the node id of the root directory (FUSE's root node id).
const RootID = 1

// node is one file or directory: its live state and its durable state.
type node struct {
	dir     bool
	mode    uint32 // permission bits
	mtime   time.Time
	data    []byte            // file: what reads return
	synced  []byte            // file: what survives a power cut
	dirty   int               // file: bytes from here on may differ from synced
	kids    map[string]uint64 // dir: live entries
	durable map[string]uint64 // dir: entries that survive a power cut
}

// Mode is how much an fsync makes durable.
type Mode int

const (
	// POSIX: an fsync makes durable only what POSIX promises: the file's
	// bytes, or the directory's entries. The strictest reading.
	POSIX Mode = iota
	// Journal: any fsync also commits every directory's entries, as a
	// journaling file system (ext4, XFS) commits all pending metadata in
	// one transaction; a file's bytes still need that file's fsync. This
	// is what programs that never fsync directories rely on in practice.
	Journal
)

func (md Mode) String() string {
	if md == Journal {
		return "journal"
	}
	return "posix"
}

// Model is the in-memory file system. Every method is safe for
// concurrent use; after Cut every operation fails with EIO.
type Model struct {
	mu     sync.Mutex
	nodes  map[uint64]*node
	nextID uint64
	mode   Mode
	dead   bool
	// A cut armed by CutAtSync: at the cutAt-th fsync counted in syncs.
	cutAt, syncs int
	died         chan struct{}
}

// NewModel returns a file system holding exactly img, all of it durable,
// whose fsyncs work as mode says.
func NewModel(img Image, mode Mode) *Model {
	m := &Model{nodes: map[uint64]*node{}, nextID: RootID, mode: mode}
	m.newNode(true, 0o755)
	for _, d := range img.sortedDirs() {
		m.restoreDir(d)
	}
	for _, p := range img.sortedFiles() {
		m.restoreFile(p, img.Files[p])
	}
	return m
}

func (m *Model) newNode(dir bool, mode uint32) uint64 {
	id := m.nextID
	m.nextID++
	n := &node{dir: dir, mode: mode & 0o7777, mtime: time.Now()}
	if dir {
		n.kids, n.durable = map[string]uint64{}, map[string]uint64{}
	}
	m.nodes[id] = n
	return id
}

// Cut is the power cut: it returns the durable image at this instant and
// makes every later operation fail, so no fsync can succeed after it.
func (m *Model) Cut() Image {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dead = true
	return m.image()
}

// CutAtSync arms a power cut at the nth fsync from now (n >= 1): that
// fsync fails, as does everything after it, and the durable image stays
// as it was just before it. The returned channel is closed at the cut.
// This places a cut precisely between two steps of a program's
// durability protocol.
func (m *Model) CutAtSync(n int) <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cutAt, m.syncs, m.died = n, 0, make(chan struct{})
	return m.died
}

// armedCut counts an fsync and reports whether it is the armed cut's.
func (m *Model) armedCut() bool {
	if m.cutAt == 0 {
		return false
	}
	m.syncs++
	if m.syncs < m.cutAt {
		return false
	}
	m.dead, m.cutAt = true, 0
	close(m.died)
	return true
}

// Durable returns the image a power cut now would leave, without cutting.
func (m *Model) Durable() Image {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.image()
}

// Live returns what the running process currently sees, as an image.
func (m *Model) Live() Image {
	m.mu.Lock()
	defer m.mu.Unlock()
	img := newImage()
	m.walk(RootID, "", &img, func(n *node) map[string]uint64 { return n.kids }, func(n *node) []byte { return n.data })
	return img
}

func (m *Model) image() Image {
	img := newImage()
	m.walk(RootID, "", &img, func(n *node) map[string]uint64 { return n.durable }, func(n *node) []byte { return n.synced })
	return img
}

// walk copies the tree under id into img, reading entries and bytes with
// the given accessors (live or durable).
func (m *Model) walk(id uint64, path string, img *Image, ents func(*node) map[string]uint64, bytes func(*node) []byte) {
	for _, name := range sortedNames(ents(m.nodes[id])) {
		kid := ents(m.nodes[id])[name]
		p := join(path, name)
		if k := m.nodes[kid]; k.dir {
			img.Dirs[p] = true
			m.walk(kid, p, img, ents, bytes)
		} else {
			img.Files[p] = append([]byte{}, bytes(k)...)
		}
	}
}

func sortedNames(ents map[string]uint64) []string {
	names := make([]string, 0, len(ents))
	for n := range ents {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// op runs f under the lock, failing with EIO once the power is cut.
func (m *Model) op(f func() syscall.Errno) syscall.Errno {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dead {
		return syscall.EIO
	}
	return f()
}

// dirNode returns the directory id, or ENOTDIR/ENOENT.
func (m *Model) dirNode(id uint64) (*node, syscall.Errno) {
	n, ok := m.nodes[id]
	if !ok {
		return nil, syscall.ENOENT
	}
	if !n.dir {
		return nil, syscall.ENOTDIR
	}
	return n, 0
}

func (m *Model) fileNode(id uint64) (*node, syscall.Errno) {
	n, ok := m.nodes[id]
	if !ok {
		return nil, syscall.ENOENT
	}
	if n.dir {
		return nil, syscall.EISDIR
	}
	return n, 0
}
