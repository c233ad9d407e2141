package powerfs

import (
	"sort"
	"strings"
)

// Image is a whole file system's content: directories and files by
// slash-separated path relative to the root ("a", "a/b", "a/b/f").
type Image struct {
	Dirs  map[string]bool
	Files map[string][]byte
}

func newImage() Image {
	return Image{Dirs: map[string]bool{}, Files: map[string][]byte{}}
}

func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// sortedDirs lists the directories parents first.
func (img Image) sortedDirs() []string {
	var ds []string
	for d := range img.Dirs {
		ds = append(ds, d)
	}
	sort.Strings(ds)
	return ds
}

func (img Image) sortedFiles() []string {
	var fs []string
	for f := range img.Files {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	return fs
}

// Bytes is the total size of the image's files.
func (img Image) Bytes() int {
	n := 0
	for _, b := range img.Files {
		n += len(b)
	}
	return n
}

// restoreDir creates path (and any missing parents) durably.
func (m *Model) restoreDir(path string) uint64 {
	id := uint64(RootID)
	for _, name := range strings.Split(path, "/") {
		d := m.nodes[id]
		kid, ok := d.kids[name]
		if !ok {
			kid = m.newNode(true, 0o755)
			d.kids[name], d.durable[name] = kid, kid
		}
		id = kid
	}
	return id
}

// restoreFile creates the file at path with data, all of it durable.
func (m *Model) restoreFile(path string, data []byte) {
	dir := uint64(RootID)
	name := path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		dir, name = m.restoreDir(path[:i]), path[i+1:]
	}
	id := m.newNode(false, 0o644)
	f := m.nodes[id]
	f.data = append([]byte(nil), data...)
	f.synced = append([]byte(nil), data...)
	f.dirty = len(data)
	d := m.nodes[dir]
	d.kids[name], d.durable[name] = id, id
}
