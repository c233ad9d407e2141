package memfs

import (
	"maps"
	"math/rand/v2"
	"slices"
)

// MaxGarbageBytes bounds how many trailing bytes of a torn write may be
// corrupted.
const MaxGarbageBytes = 16

// pcgStream is the second PCG seed word; fixed so that Seed alone selects
// the clone.
const pcgStream = 0x6a736e6f64652d63 // "jsnode-c"

// CrashOptions selects one possible state after a power loss. The zero
// value keeps exactly what is durable.
type CrashOptions struct {
	// Seed drives every random choice.
	Seed uint64
	// UnsyncedKeepProbability is the chance that a file with unsynced
	// operations keeps some of them (a prefix, in order).
	UnsyncedKeepProbability float64
	// TornWriteProbability is the chance that the last kept unsynced
	// operation of a file, if a write, is torn.
	TornWriteProbability float64
	// UnsyncedDirKeepProbability is the chance that a directory with
	// unsynced entry changes comes back with its current entries.
	UnsyncedDirKeepProbability float64
}

// CrashClone returns the file system as it might be found after a power
// loss now; see the package doc for the model. The receiver is unchanged.
func (fs *FS) CrashClone(opts CrashOptions) *FS {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	c := &crasher{
		opts:    opts,
		rng:     rand.New(rand.NewPCG(opts.Seed, pcgStream)),
		entries: map[*node]map[string]*node{},
		files:   map[*node][]byte{},
		onPath:  map[*node]bool{},
	}
	return &FS{root: c.dir(fs.root)}
}

// crasher builds one crash clone. Choices are memoized per node so a node
// reachable under two names (a half-synced cross-directory rename) gets the
// same contents under both; each name still gets its own copy.
type crasher struct {
	opts    CrashOptions
	rng     *rand.Rand
	entries map[*node]map[string]*node
	files   map[*node][]byte
	onPath  map[*node]bool
}

// dir returns the crash copy of directory n, fully durable.
func (c *crasher) dir(n *node) *node {
	c.onPath[n] = true
	defer delete(c.onPath, n)
	out := newDir()
	entries := c.dirEntries(n)
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		child := entries[name]
		switch {
		case !child.isDir:
			data := slices.Clone(c.fileContents(child))
			out.children[name] = &node{data: data, syncedData: slices.Clone(data)}
		case !c.onPath[child]:
			out.children[name] = c.dir(child)
		}
	}
	out.synced = maps.Clone(out.children)
	return out
}

// dirEntries chooses between n's durable and current entry sets.
func (c *crasher) dirEntries(n *node) map[string]*node {
	if e, ok := c.entries[n]; ok {
		return e
	}
	e := n.synced
	if !maps.Equal(n.synced, n.children) && c.rng.Float64() < c.opts.UnsyncedDirKeepProbability {
		e = n.children
	}
	c.entries[n] = e
	return e
}

// fileContents chooses the crash contents of file n: its durable bytes
// plus a possibly torn prefix of its unsynced operations.
func (c *crasher) fileContents(n *node) []byte {
	if b, ok := c.files[n]; ok {
		return b
	}
	b := slices.Clone(n.syncedData)
	if len(n.pending) > 0 && c.rng.Float64() < c.opts.UnsyncedKeepProbability {
		k := 1 + c.rng.IntN(len(n.pending))
		for _, op := range n.pending[:k-1] {
			b = op.apply(b)
		}
		last := n.pending[k-1]
		if !last.truncate && c.rng.Float64() < c.opts.TornWriteProbability {
			last = c.tear(last)
		}
		b = last.apply(b)
	}
	c.files[n] = b
	return b
}

// Ways a write can tear.
const (
	tearShort   = iota // only a strict prefix reached the disk
	tearGarbage        // all bytes arrived, the last few corrupted
	tearBoth           // a strict prefix arrived, its last few corrupted
	tearKinds
)

// tear returns the part of write op that reached the disk in a torn write.
func (c *crasher) tear(op fileOp) fileOp {
	data := slices.Clone(op.data)
	kind := c.rng.IntN(tearKinds)
	if kind != tearGarbage {
		data = data[:c.rng.IntN(len(data))]
	}
	if kind != tearShort && len(data) > 0 {
		g := min(len(data), 1+c.rng.IntN(MaxGarbageBytes))
		for i := len(data) - g; i < len(data); i++ {
			data[i] ^= byte(1 + c.rng.IntN(255)) // never zero: the byte changes
		}
	}
	return fileOp{off: op.off, data: data}
}

// Clone returns an exact, independent copy: current and durable state and
// unsynced operations, so that CrashClone on the copy gives what it would
// give on the original. Open handles are not copied.
func (fs *FS) Clone() *FS {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return &FS{root: cloneNode(fs.root, map[*node]*node{})}
}

// cloneNode deep-copies n, preserving sharing (a node present in both the
// current and durable entries of a directory stays one node).
func cloneNode(n *node, seen map[*node]*node) *node {
	if c, ok := seen[n]; ok {
		return c
	}
	c := &node{isDir: n.isDir}
	seen[n] = c
	if !n.isDir {
		c.data = slices.Clone(n.data)
		c.syncedData = slices.Clone(n.syncedData)
		c.pending = slices.Clone(n.pending) // op data is never mutated
		return c
	}
	c.children = make(map[string]*node, len(n.children))
	c.synced = make(map[string]*node, len(n.synced))
	for name, child := range n.children {
		c.children[name] = cloneNode(child, seen)
	}
	for name, child := range n.synced {
		c.synced[name] = cloneNode(child, seen)
	}
	return c
}
