package sim

import (
	"fmt"
	"path"
	"slices"

	"jsnode/disk"
	"jsnode/disk/faultfs"
	"jsnode/disk/memfs"
)

// A host's disk is a memfs.FS seen through faultfs, with hostDisk as the
// injector: the scenario's disk faults (scenario_disk.go) arm it and the
// node's storage meets them as it uses its files.
//
//   - EIO: the next file write, sync or read of the kind armed fails with
//     disk.ErrIO (a failed sync also poisons the handle, see faultfs);
//   - disk full: while full, every write of one byte or more fails with
//     disk.ErrNoSpace;
//   - a flipped bit on read: the next read that returns bytes has one of
//     them damaged; the stored file is intact;
//   - a flipped bit at rest: one bit of one stored file changes, synced
//     contents included (memfs.FlipBit).
//
// The choices (which read, which bit) draw from the host's stream, in
// event order, so a seed replays them exactly.
type hostDisk struct {
	h *Host
	// eio arms one EIO for the next op of each kind.
	eio [numDiskOpKinds]bool
	// full refuses writes.
	full bool
	// flipReads counts reads still to damage.
	flipReads int
	// corruptedAtRest counts bits flipped in stored files; corruptedOnRead
	// counts damaged reads; injected counts every fault that fired.
	corruptedAtRest, corruptedOnRead, injected int
	// flipped names the files with a bit flipped at rest.
	flipped map[string]bool
	// flipOnly, if set, limits the flips at rest to the files it
	// accepts (a workload whose storage checksums only some files).
	flipOnly func(name string) bool
}

// diskOpKind is what a disk_error fault fails: file writes (Write,
// WriteAt, Truncate), syncs (File.Sync, SyncDir) or file reads.
type diskOpKind int

const (
	diskWrite diskOpKind = iota
	diskSync
	diskRead
	numDiskOpKinds
)

var diskOpKindNames = [numDiskOpKinds]string{"write", "sync", "read"}

func (k diskOpKind) String() string { return diskOpKindNames[k] }

// kindOf classifies op, or reports false for ops no fault here targets
// (opening, listing, removing, renaming).
func kindOf(op faultfs.Op) (diskOpKind, bool) {
	switch op {
	case faultfs.OpFileWrite, faultfs.OpFileWriteAt, faultfs.OpFileTruncate:
		return diskWrite, true
	case faultfs.OpFileSync, faultfs.OpSyncDir:
		return diskSync, true
	case faultfs.OpFileRead, faultfs.OpFileReadAt:
		return diskRead, true
	}
	return 0, false
}

var _ faultfs.WriteInjector = (*hostDisk)(nil)
var _ faultfs.ReadCorrupter = (*hostDisk)(nil)
var _ faultfs.ShortReader = (*hostDisk)(nil)

// siteShortRead is the BUGGIFY site of short sequential reads: legal for
// io.Reader, rare on a local disk.
const siteShortRead = "disk.read.short"

// ShortRead, where BUGGIFY says so, makes a read return fewer bytes than
// asked for.
func (d *hostDisk) ShortRead(_ string, n int) int {
	if !d.h.Buggify(siteShortRead) {
		return n
	}
	return 1 + d.h.rng.IntN(n-1)
}

// MaybeError fails the op if an EIO is armed for its kind.
func (d *hostDisk) MaybeError(op faultfs.Op, p string) error {
	k, ok := kindOf(op)
	if !ok || !d.eio[k] {
		return nil
	}
	d.eio[k] = false
	d.fired("disk-eio", fmt.Sprintf("%v %s", op, p))
	return disk.ErrIO
}

// MaybeWriteError adds the full disk to MaybeError for sized writes.
func (d *hostDisk) MaybeWriteError(op faultfs.Op, p string, n int) error {
	if d.full && n > 0 {
		d.fired("disk-full", fmt.Sprintf("%v %s (%d bytes)", op, p, n))
		return disk.ErrNoSpace
	}
	return d.MaybeError(op, p)
}

// CorruptRead flips one bit of b if a damaged read is armed.
func (d *hostDisk) CorruptRead(op faultfs.Op, p string, b []byte) {
	if d.flipReads == 0 {
		return
	}
	d.flipReads--
	i, bit := d.h.rng.IntN(len(b)), uint(d.h.rng.IntN(8))
	b[i] ^= 1 << bit
	d.corruptedOnRead++
	d.fired("bitflip-read", fmt.Sprintf("%v %s: bit %d of byte %d of %d read", op, p, bit, i, len(b)))
}

func (d *hostDisk) fired(kind, detail string) {
	d.injected++
	d.h.w.record(d.h.name, kind, 0, []byte(detail))
	d.h.w.noteEvent(d.h.name, kind, detail)
}

// flipAtRest flips one random bit of one random non-empty stored file and
// reports whether there was one.
func (d *hostDisk) flipAtRest() bool {
	files := storedFiles(d.h.mem, ".")
	if d.flipOnly != nil {
		files = slices.DeleteFunc(files, func(f storedFile) bool { return !d.flipOnly(f.name) })
	}
	if len(files) == 0 {
		return false
	}
	f := files[d.h.rng.IntN(len(files))]
	off, bit := d.h.rng.Int64N(f.size), uint(d.h.rng.IntN(8))
	if err := d.h.mem.FlipBit(f.name, off, bit); err != nil {
		panic("sim: flipping a stored bit: " + err.Error()) // the file was just listed
	}
	d.corruptedAtRest++
	if d.flipped == nil {
		d.flipped = make(map[string]bool)
	}
	d.flipped[f.name] = true
	d.fired("bitflip-rest", fmt.Sprintf("%s: bit %d of byte %d of %d", f.name, bit, off, f.size))
	return true
}

// heal disarms every pending fault; bits already flipped stay flipped.
func (d *hostDisk) heal() {
	d.eio = [numDiskOpKinds]bool{}
	d.full = false
	d.flipReads = 0
}

type storedFile struct {
	name string
	size int64
}

// storedFiles lists the non-empty files under dir, depth first, in name
// order.
func storedFiles(fs *memfs.FS, dir string) []storedFile {
	names, err := fs.List(dir)
	if err != nil {
		return nil
	}
	slices.Sort(names)
	var out []storedFile
	for _, n := range names {
		p := path.Join(dir, n)
		info, err := fs.Stat(p)
		switch {
		case err != nil:
		case info.IsDir:
			out = append(out, storedFiles(fs, p)...)
		case info.Size > 0:
			out = append(out, storedFile{p, info.Size})
		}
	}
	return out
}
