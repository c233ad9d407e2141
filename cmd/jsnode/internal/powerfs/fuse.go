package powerfs

import (
	"errors"
	"io"
	"log"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// cacheTimeout is how long the kernel may cache entries and attributes.
// Safe to be long: only the kernel changes the file system, and node ids
// are never reused.
const cacheTimeout = time.Second

// raw serves a Model through FUSE's low-level protocol: FUSE node ids
// are the model's node ids, and files need no handles.
type raw struct {
	fuse.RawFileSystem
	m *Model
}

func status(e syscall.Errno) fuse.Status { return fuse.Status(e) }

func fillAttr(a Attr, out *fuse.Attr) {
	mode := a.Mode | syscall.S_IFREG
	if a.Dir {
		mode = a.Mode | syscall.S_IFDIR
	}
	*out = fuse.Attr{Ino: a.ID, Size: a.Size, Blocks: (a.Size + 511) / 512, Mode: mode, Nlink: 1}
	out.Blksize = 4096
	mt := a.Mtime
	out.SetTimes(&mt, &mt, &mt)
}

func fillEntry(a Attr, out *fuse.EntryOut) {
	out.NodeId, out.Generation = a.ID, 1
	out.SetEntryTimeout(cacheTimeout)
	out.SetAttrTimeout(cacheTimeout)
	fillAttr(a, &out.Attr)
}

func (r *raw) String() string { return "powerfs" }

func (r *raw) Lookup(_ <-chan struct{}, h *fuse.InHeader, name string, out *fuse.EntryOut) fuse.Status {
	a, e := r.m.Lookup(h.NodeId, name)
	if e == 0 {
		fillEntry(a, out)
	}
	return status(e)
}

func (r *raw) Forget(nodeid, nlookup uint64) {}

func (r *raw) GetAttr(_ <-chan struct{}, in *fuse.GetAttrIn, out *fuse.AttrOut) fuse.Status {
	a, e := r.m.Stat(in.NodeId)
	if e == 0 {
		out.SetTimeout(cacheTimeout)
		fillAttr(a, &out.Attr)
	}
	return status(e)
}

// SetAttr handles truncate (and O_TRUNC, which the kernel sends as a
// size change) and chmod; times and owners are ignored.
func (r *raw) SetAttr(_ <-chan struct{}, in *fuse.SetAttrIn, out *fuse.AttrOut) fuse.Status {
	if size, ok := in.GetSize(); ok {
		if e := r.m.Truncate(in.NodeId, size); e != 0 {
			return status(e)
		}
	}
	if mode, ok := in.GetMode(); ok {
		if e := r.m.Chmod(in.NodeId, mode); e != 0 {
			return status(e)
		}
	}
	return r.GetAttr(nil, &fuse.GetAttrIn{InHeader: in.InHeader}, out)
}

func (r *raw) Mkdir(_ <-chan struct{}, in *fuse.MkdirIn, name string, out *fuse.EntryOut) fuse.Status {
	a, e := r.m.Mkdir(in.NodeId, name, in.Mode)
	if e == 0 {
		fillEntry(a, out)
	}
	return status(e)
}

func (r *raw) Create(_ <-chan struct{}, in *fuse.CreateIn, name string, out *fuse.CreateOut) fuse.Status {
	a, e := r.m.Create(in.NodeId, name, in.Mode)
	if e == syscall.EEXIST && in.Flags&syscall.O_EXCL == 0 {
		a, e = r.openExisting(in.NodeId, name, in.Flags)
	}
	if e == 0 {
		fillEntry(a, &out.EntryOut)
	}
	return status(e)
}

// openExisting opens name in dir for a create that found it there.
func (r *raw) openExisting(dir uint64, name string, flags uint32) (Attr, syscall.Errno) {
	a, e := r.m.Lookup(dir, name)
	if e == 0 && flags&syscall.O_TRUNC != 0 {
		e = r.m.Truncate(a.ID, 0)
		a.Size = 0
	}
	return a, e
}

func (r *raw) Open(_ <-chan struct{}, in *fuse.OpenIn, out *fuse.OpenOut) fuse.Status {
	_, e := r.m.Stat(in.NodeId)
	return status(e)
}

func (r *raw) Unlink(_ <-chan struct{}, h *fuse.InHeader, name string) fuse.Status {
	return status(r.m.Unlink(h.NodeId, name))
}

func (r *raw) Rmdir(_ <-chan struct{}, h *fuse.InHeader, name string) fuse.Status {
	return status(r.m.Rmdir(h.NodeId, name))
}

const renameNoReplace, renameExchange = 1, 2

func (r *raw) Rename(_ <-chan struct{}, in *fuse.RenameIn, oldName, newName string) fuse.Status {
	if in.Flags&renameExchange != 0 {
		return fuse.EINVAL
	}
	return status(r.m.Rename(in.NodeId, oldName, in.Newdir, newName, in.Flags&renameNoReplace != 0))
}

func (r *raw) Read(_ <-chan struct{}, in *fuse.ReadIn, buf []byte) (fuse.ReadResult, fuse.Status) {
	b, e := r.m.Read(in.NodeId, int64(in.Offset), int(in.Size))
	return fuse.ReadResultData(b), status(e)
}

func (r *raw) Write(_ <-chan struct{}, in *fuse.WriteIn, data []byte) (uint32, fuse.Status) {
	if e := r.m.Write(in.NodeId, int64(in.Offset), data); e != 0 {
		return 0, status(e)
	}
	return uint32(len(data)), fuse.OK
}

func (r *raw) Flush(_ <-chan struct{}, in *fuse.FlushIn) fuse.Status { return fuse.OK }

// Fsync and FsyncDir must be implemented: a FUSE file system answering
// ENOSYS makes the kernel treat every later fsync as a success.
func (r *raw) Fsync(_ <-chan struct{}, in *fuse.FsyncIn) fuse.Status {
	return status(r.m.Fsync(in.NodeId))
}

func (r *raw) FsyncDir(_ <-chan struct{}, in *fuse.FsyncIn) fuse.Status {
	return status(r.m.Fsync(in.NodeId))
}

func (r *raw) OpenDir(_ <-chan struct{}, in *fuse.OpenIn, out *fuse.OpenOut) fuse.Status {
	_, e := r.m.Stat(in.NodeId)
	return status(e)
}

// ReadDir lists the entries from in.Offset on; an entry's offset is its
// index plus one.
func (r *raw) ReadDir(_ <-chan struct{}, in *fuse.ReadIn, out *fuse.DirEntryList) fuse.Status {
	ents, e := r.m.Readdir(in.NodeId)
	if e != 0 {
		return status(e)
	}
	for i := int(in.Offset); i < len(ents); i++ {
		mode := uint32(syscall.S_IFREG)
		if ents[i].Dir {
			mode = syscall.S_IFDIR
		}
		if !out.AddDirEntry(fuse.DirEntry{Name: ents[i].Name, Ino: ents[i].ID, Mode: mode, Off: uint64(i + 1)}) {
			break
		}
	}
	return fuse.OK
}

// StatFs reports a large, mostly free disk.
func (r *raw) StatFs(_ <-chan struct{}, h *fuse.InHeader, out *fuse.StatfsOut) fuse.Status {
	*out = fuse.StatfsOut{Blocks: 1 << 24, Bfree: 1 << 24, Bavail: 1 << 24, Files: 1 << 20, Ffree: 1 << 20, Bsize: 4096, Frsize: 4096, NameLen: 255}
	return fuse.OK
}

// Mounted is a Model mounted at a directory.
type Mounted struct {
	Dir   string
	Model *Model
	srv   *fuse.Server
}

// ErrNoFUSE is returned by Mount when this machine cannot mount FUSE.
var ErrNoFUSE = errors.New("powerfs: FUSE mount not possible here")

// Mount mounts a file system holding img at dir (which must exist),
// whose fsyncs work as mode says.
func Mount(dir string, img Image, mode Mode) (*Mounted, error) {
	m := NewModel(img, mode)
	opts := &fuse.MountOptions{FsName: "powerfs", Name: "powerfs", DirectMountStrict: true, DisableReadDirPlus: true,
		Logger: log.New(io.Discard, "", 0)} // a cut makes go-fuse log every reply it can no longer send
	srv, err := fuse.NewServer(&raw{RawFileSystem: fuse.NewDefaultRawFileSystem(), m: m}, dir, opts)
	if err != nil {
		return nil, errors.Join(ErrNoFUSE, err)
	}
	go srv.Serve()
	if err := srv.WaitMount(); err != nil {
		srv.Unmount()
		return nil, errors.Join(ErrNoFUSE, err)
	}
	return &Mounted{Dir: dir, Model: m, srv: srv}, nil
}

// Cut cuts the power: from this instant every operation fails and the
// durable image is fixed; then the mount is torn down at once (forced
// and lazy, so processes still holding files do not keep it busy).
func (mt *Mounted) Cut() Image {
	img := mt.Model.Cut()
	syscall.Unmount(mt.Dir, syscall.MNT_FORCE|syscall.MNT_DETACH)
	mt.srv.Wait()
	return img
}

// Unmount unmounts in order (for cleanup); a no-op after Cut.
func (mt *Mounted) Unmount() {
	mt.Model.Cut()
	syscall.Unmount(mt.Dir, syscall.MNT_FORCE|syscall.MNT_DETACH)
	mt.srv.Wait()
}
