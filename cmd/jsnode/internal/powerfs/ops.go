package powerfs

import (
	"syscall"
	"time"
)

// Attr is what stat reports about a node.
type Attr struct {
	ID    uint64
	Dir   bool
	Size  uint64
	Mode  uint32 // permission bits
	Mtime time.Time
}

// Entry is one directory entry as readdir lists it.
type Entry struct {
	Name string
	ID   uint64
	Dir  bool
}

func (m *Model) attr(id uint64) Attr {
	n := m.nodes[id]
	return Attr{ID: id, Dir: n.dir, Size: uint64(len(n.data)), Mode: n.mode, Mtime: n.mtime}
}

// Lookup finds name in directory dir.
func (m *Model) Lookup(dir uint64, name string) (a Attr, e syscall.Errno) {
	e = m.op(func() syscall.Errno {
		d, e := m.dirNode(dir)
		if e != 0 {
			return e
		}
		id, ok := d.kids[name]
		if !ok {
			return syscall.ENOENT
		}
		a = m.attr(id)
		return 0
	})
	return a, e
}

// Stat reports node id.
func (m *Model) Stat(id uint64) (a Attr, e syscall.Errno) {
	e = m.op(func() syscall.Errno {
		if _, ok := m.nodes[id]; !ok {
			return syscall.ENOENT
		}
		a = m.attr(id)
		return 0
	})
	return a, e
}

// Mkdir creates directory name in dir; durable once dir is fsynced.
func (m *Model) Mkdir(dir uint64, name string, mode uint32) (Attr, syscall.Errno) {
	return m.create(dir, name, mode, true)
}

// Create creates an empty file name in dir; its entry is durable once dir
// is fsynced, its bytes once the file itself is.
func (m *Model) Create(dir uint64, name string, mode uint32) (Attr, syscall.Errno) {
	return m.create(dir, name, mode, false)
}

func (m *Model) create(dir uint64, name string, mode uint32, isDir bool) (a Attr, e syscall.Errno) {
	e = m.op(func() syscall.Errno {
		d, e := m.dirNode(dir)
		if e != 0 {
			return e
		}
		if _, ok := d.kids[name]; ok {
			return syscall.EEXIST
		}
		id := m.newNode(isDir, mode)
		d.kids[name] = id
		d.mtime = time.Now()
		a = m.attr(id)
		return 0
	})
	return a, e
}

// Unlink removes file name from dir (live only until dir is fsynced).
func (m *Model) Unlink(dir uint64, name string) syscall.Errno {
	return m.remove(dir, name, false)
}

// Rmdir removes the empty directory name from dir.
func (m *Model) Rmdir(dir uint64, name string) syscall.Errno {
	return m.remove(dir, name, true)
}

func (m *Model) remove(dir uint64, name string, isDir bool) syscall.Errno {
	return m.op(func() syscall.Errno {
		d, e := m.dirNode(dir)
		if e != 0 {
			return e
		}
		id, ok := d.kids[name]
		if !ok {
			return syscall.ENOENT
		}
		k := m.nodes[id]
		switch {
		case isDir && !k.dir:
			return syscall.ENOTDIR
		case !isDir && k.dir:
			return syscall.EISDIR
		case isDir && len(k.kids) > 0:
			return syscall.ENOTEMPTY
		}
		delete(d.kids, name)
		d.mtime = time.Now()
		return 0
	})
}

// Rename moves oldName in oldDir to newName in newDir, replacing a file
// or empty directory there. Each directory's change is durable only when
// that directory is fsynced: until both are, a cut may leave the node
// under both names or under neither.
func (m *Model) Rename(oldDir uint64, oldName string, newDir uint64, newName string, noReplace bool) syscall.Errno {
	return m.op(func() syscall.Errno {
		od, e := m.dirNode(oldDir)
		if e != 0 {
			return e
		}
		nd, e := m.dirNode(newDir)
		if e != 0 {
			return e
		}
		id, ok := od.kids[oldName]
		if !ok {
			return syscall.ENOENT
		}
		if old, ok := nd.kids[newName]; ok {
			if e := m.replaceable(id, old, noReplace); e != 0 {
				return e
			}
		}
		delete(od.kids, oldName)
		nd.kids[newName] = id
		od.mtime, nd.mtime = time.Now(), time.Now()
		return 0
	})
}

// replaceable says whether node id may be renamed over node old.
func (m *Model) replaceable(id, old uint64, noReplace bool) syscall.Errno {
	if id == old {
		return 0
	}
	src, dst := m.nodes[id], m.nodes[old]
	switch {
	case noReplace:
		return syscall.EEXIST
	case src.dir && !dst.dir:
		return syscall.ENOTDIR
	case !src.dir && dst.dir:
		return syscall.EISDIR
	case dst.dir && len(dst.kids) > 0:
		return syscall.ENOTEMPTY
	}
	return 0
}

// Readdir lists directory dir, sorted by name.
func (m *Model) Readdir(dir uint64) (ents []Entry, e syscall.Errno) {
	e = m.op(func() syscall.Errno {
		d, e := m.dirNode(dir)
		if e != 0 {
			return e
		}
		for _, name := range sortedNames(d.kids) {
			id := d.kids[name]
			ents = append(ents, Entry{Name: name, ID: id, Dir: m.nodes[id].dir})
		}
		return 0
	})
	return ents, e
}
