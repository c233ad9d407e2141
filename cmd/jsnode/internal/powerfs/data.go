package powerfs

import (
	"syscall"
	"time"
)

// Read returns up to n bytes of file id from off.
func (m *Model) Read(id uint64, off int64, n int) (out []byte, e syscall.Errno) {
	e = m.op(func() syscall.Errno {
		f, e := m.fileNode(id)
		if e != 0 {
			return e
		}
		if off >= int64(len(f.data)) {
			return 0
		}
		end := min(off+int64(n), int64(len(f.data)))
		out = append([]byte(nil), f.data[off:end]...)
		return 0
	})
	return out, e
}

// Write writes p at off in file id (live only until fsync), growing the
// file with zeros if off is past its end.
func (m *Model) Write(id uint64, off int64, p []byte) syscall.Errno {
	return m.op(func() syscall.Errno {
		f, e := m.fileNode(id)
		if e != 0 {
			return e
		}
		if end := off + int64(len(p)); end > int64(len(f.data)) {
			f.data = append(f.data, make([]byte, end-int64(len(f.data)))...)
		}
		copy(f.data[off:], p)
		f.dirty = min(f.dirty, int(off))
		f.mtime = time.Now()
		return 0
	})
}

// Truncate sets the size of file id (live only until fsync).
func (m *Model) Truncate(id uint64, size uint64) syscall.Errno {
	return m.op(func() syscall.Errno {
		f, e := m.fileNode(id)
		if e != 0 {
			return e
		}
		if size <= uint64(len(f.data)) {
			f.data = f.data[:size]
		} else {
			f.data = append(f.data, make([]byte, size-uint64(len(f.data)))...)
		}
		f.dirty = min(f.dirty, int(size))
		f.mtime = time.Now()
		return 0
	})
}

// Chmod sets the permission bits of node id (kept live and durable: the
// tests do not depend on the durability of modes).
func (m *Model) Chmod(id uint64, mode uint32) syscall.Errno {
	return m.op(func() syscall.Errno {
		n, ok := m.nodes[id]
		if !ok {
			return syscall.ENOENT
		}
		n.mode = mode & 0o7777
		return 0
	})
}

// Fsync makes node id durable: a file's bytes, or a directory's entries.
// It does not reach the entry naming the node in its parent, nor the
// bytes of a directory's files: each needs its own fsync.
func (m *Model) Fsync(id uint64) syscall.Errno {
	return m.op(func() syscall.Errno {
		n, ok := m.nodes[id]
		if !ok {
			return syscall.ENOENT
		}
		if m.armedCut() {
			return syscall.EIO
		}
		if m.mode == Journal {
			m.commitAllEntries()
		}
		if n.dir {
			n.commitEntries()
			return 0
		}
		// Copy only what changed since the last fsync: jsnode fsyncs a
		// growing block file thousands of times a second.
		keep := min(n.dirty, len(n.synced), len(n.data))
		n.synced = append(n.synced[:keep], n.data[keep:]...)
		n.dirty = len(n.data)
		return 0
	})
}

// commitEntries makes the directory's current entries its durable ones.
func (n *node) commitEntries() {
	n.durable = make(map[string]uint64, len(n.kids))
	for k, v := range n.kids {
		n.durable[k] = v
	}
}

// commitAllEntries is a journal commit: every directory's entries.
func (m *Model) commitAllEntries() {
	for _, n := range m.nodes {
		if n.dir {
			n.commitEntries()
		}
	}
}
