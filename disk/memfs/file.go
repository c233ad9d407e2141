package memfs

import (
	"io"
	iofs "io/fs"
	"slices"

	"jsnode/disk"
)

// file is an open handle. Write appends at the current end of the file,
// Read has its own offset from 0, ReadAt and WriteAt use neither.
type file struct {
	fs       *FS
	n        *node
	name     string
	readOnly bool
	closed   bool
	readPos  int64
}

// check returns the error for op on this handle, if any; the caller holds
// fs.mu.
func (f *file) check(op string, write bool) error {
	if f.closed {
		return pathErr(op, f.name, disk.ErrClosed)
	}
	if write && f.readOnly {
		return pathErr(op, f.name, iofs.ErrPermission)
	}
	return nil
}

func (f *file) Read(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("read", false); err != nil {
		return 0, err
	}
	if f.readPos >= int64(len(f.n.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.n.data[f.readPos:])
	f.readPos += int64(n)
	return n, nil
}

func (f *file) ReadAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("readat", false); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, pathErr("readat", f.name, iofs.ErrInvalid)
	}
	if off >= int64(len(f.n.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.n.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *file) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("write", true); err != nil {
		return 0, err
	}
	f.n.writeAt(p, int64(len(f.n.data)))
	return len(p), nil
}

func (f *file) WriteAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("writeat", true); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, pathErr("writeat", f.name, iofs.ErrInvalid)
	}
	f.n.writeAt(p, off)
	return len(p), nil
}

func (f *file) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("close", false); err != nil {
		return err
	}
	f.closed = true
	return nil
}

func (f *file) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("sync", false); err != nil {
		return err
	}
	f.n.sync()
	return nil
}

func (f *file) Size() (int64, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("size", false); err != nil {
		return 0, err
	}
	return int64(len(f.n.data)), nil
}

func (f *file) Truncate(size int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("truncate", true); err != nil {
		return err
	}
	if size < 0 {
		return pathErr("truncate", f.name, iofs.ErrInvalid)
	}
	f.n.truncate(size)
	return nil
}

// writeAt writes p at off in the current contents and records the write
// as unsynced.
func (n *node) writeAt(p []byte, off int64) {
	if len(p) == 0 {
		return
	}
	op := fileOp{off: off, data: slices.Clone(p)}
	n.data = op.apply(n.data)
	n.pending = append(n.pending, op)
}

// truncate resizes the current contents and records it as unsynced.
func (n *node) truncate(size int64) {
	op := fileOp{off: size, truncate: true}
	n.data = op.apply(n.data)
	n.pending = append(n.pending, op)
}

// sync makes the current contents durable by replaying the unsynced
// operations on the durable bytes, which costs only what was written since
// the last sync.
func (n *node) sync() {
	for _, op := range n.pending {
		n.syncedData = op.apply(n.syncedData)
	}
	n.pending = nil
}

// apply performs the operation on b, growing it with zeros as needed, and
// returns the result (which may share b's memory).
func (op fileOp) apply(b []byte) []byte {
	if op.truncate {
		return resize(b, op.off)
	}
	if len(op.data) == 0 {
		return b
	}
	end := op.off + int64(len(op.data))
	if end > int64(len(b)) {
		b = resize(b, end)
	}
	copy(b[op.off:], op.data)
	return b
}

// resize returns b with length size; new bytes are zero.
func resize(b []byte, size int64) []byte {
	old := int64(len(b))
	if size <= old {
		return b[:size]
	}
	b = slices.Grow(b, int(size-old))[:size]
	clear(b[old:])
	return b
}
