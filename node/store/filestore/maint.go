package filestore

import (
	"encoding/binary"
	"errors"

	"jsnode/disk"
)

// Compaction. A job does at most one piece of maintenance, after its file
// and directory syncs (so the tombstones and first records that make it
// safe are durable first): removing the oldest blocks that hold no live
// message, or rewriting one sealed block that is mostly garbage with its
// live records, the tombstones still needed (for older blocks' messages)
// and a first record. The loop's share is bounded by one block's bytes.

// maxRemovePerJob bounds the block files one job removes.
const maxRemovePerJob = 64

type maintenance struct {
	ready    *maintJob // prepared, for the next job
	inflight *maintJob // in the running job
}

type maintJob struct {
	dir    string
	remove []*block
	rw     *rewrite
}

// rewrite is a block's new image, its file contents (the image, or the
// image compressed) and where its live records move.
type rewrite struct {
	b     *block
	data  []byte
	file  []byte
	moved []moved
	kept  int64 // bytes of records kept that are not messages
	// compressed: file holds data s2-compressed (the store's compression
	// when the rewrite was prepared; it may change before it applies)
	compressed bool
}

type moved struct {
	seq      uint64
	from, to loc
}

func (m *maintJob) run(fs disk.FS) error {
	if m.rw != nil {
		if err := disk.WriteFileAtomic(fs, m.rw.b.name, m.rw.file); err != nil {
			return err
		}
	}
	if len(m.remove) == 0 {
		return nil
	}
	for _, b := range m.remove {
		if err := fs.Remove(b.name); err != nil && !errors.Is(err, disk.ErrNotExist) {
			return err
		}
	}
	return fs.SyncDir(m.dir)
}

// garbage is the bytes of b that no live message or needed record uses.
func (b *block) garbage() int64 { return b.size - headerSize - b.liveBytes - b.kept }

// worthRewrite reports whether b is mostly garbage.
func (s *Store) worthRewrite(b *block) bool {
	if b == s.active || b.busy || b.damaged {
		return false
	}
	g := b.garbage()
	compress := b.compressWanted && s.cfg.Compression != NoCompression
	return b.eraseWanted || compress || g >= s.cfg.BlockSize/4 && 2*g >= b.size-headerSize
}

// planMaint prepares the next maintenance if none is pending. hint, if
// not nil, is the only block considered for a rewrite (a remove touched
// it); otherwise every block is.
func (s *Store) planMaint(hint *block) {
	if s.maint.ready != nil || s.maint.inflight != nil || s.failed != nil || s.stopped {
		return
	}
	job := &maintJob{dir: s.msgsDir}
	for i, b := range s.blocks {
		if b == s.active || b.live > 0 || b.busy || len(job.remove) == maxRemovePerJob {
			break
		}
		// a damaged block stays, as evidence, until the stream has
		// moved past every sequence it can have held
		if b.damaged && s.blocks[i+1].first > s.x.First() {
			break
		}
		job.remove = append(job.remove, b)
	}
	if len(job.remove) == 0 {
		b := s.rewriteCandidate(hint)
		if b == nil {
			return
		}
		rw, err := s.prepareRewrite(b)
		if err != nil || rw == nil {
			b.damaged = true // leave it as it is; never retry
			return
		}
		job.rw = rw
		b.busy = true
	}
	for _, b := range job.remove {
		b.busy = true
	}
	s.maint.ready = job
}

func (s *Store) rewriteCandidate(hint *block) *block {
	if hint != nil {
		if s.worthRewrite(hint) {
			return hint
		}
		return nil
	}
	for _, b := range s.blocks {
		if s.worthRewrite(b) {
			return b
		}
	}
	return nil
}

// prepareRewrite builds b's new contents from its file; nil if the file
// does not parse cleanly (damage stays where recovery reported it).
func (s *Store) prepareRewrite(b *block) (*rewrite, error) {
	buf, err := s.blockImage(b)
	if err != nil {
		return nil, err
	}
	out := appendHeader(make([]byte, 0, headerSize+b.liveBytes+64), b.num, b.first)
	if first := s.x.First(); first > 0 {
		out = appendSeqRecord(out, recFirst, first)
	}
	rw := &rewrite{b: b, kept: int64(len(out) - headerSize)}
	b.eraseWanted = false // an erase from now on asks for another rewrite
	b.compressWanted = false
	for off := headerSize; off < len(buf); {
		t, body, size, st := parseRecord(buf[off:])
		if st != recordOK {
			return nil, nil
		}
		rec := buf[off : off+size]
		switch t {
		case recMsg, recMsgSealed: // both begin with the clear seq
			if len(body) >= 8 {
				seq := binary.LittleEndian.Uint64(body)
				if l, _, _, ok := s.x.Get(seq); ok && l.blk == b.num && int(l.off) == off {
					rw.moved = append(rw.moved, moved{seq, l, loc{b.num, uint32(len(out)), l.n}})
					out = append(out, rec...)
				}
			}
		case recTombstone:
			if seq, ok := decodeSeq(body); ok && seq >= s.x.First() {
				out = append(out, rec...)
				rw.kept += int64(size)
			}
		}
		off += size
	}
	rw.data, rw.file = out, out
	if s.cfg.Compression == S2 {
		rw.file, rw.compressed = encodeBlock(out), true
	}
	return rw, nil
}

// applyMaint makes the loop's state follow a completed job.
func (s *Store) applyMaint(m *maintJob) error {
	if len(m.remove) > 0 {
		for _, b := range m.remove {
			_ = b.f.Close()
			b.f = nil
			delete(s.byNum, b.num)
			s.cache.invalidate(b.num)
		}
		s.blocks = s.blocks[len(m.remove):]
	}
	if m.rw != nil {
		return s.applyRewrite(m.rw)
	}
	return nil
}

func (s *Store) applyRewrite(rw *rewrite) error {
	b := rw.b
	b.busy = false
	f, err := s.fs.OpenReadWrite(b.name)
	if err != nil {
		return s.fail(err)
	}
	_ = b.f.Close()
	b.f = f
	b.size, b.written = int64(len(rw.data)), int64(len(rw.data))
	b.compressed, b.phys = rw.compressed, int64(len(rw.file))
	b.kept = rw.kept
	s.cache.invalidate(b.num)
	for _, mv := range rw.moved {
		if l, _, _, ok := s.x.Get(mv.seq); ok && l == mv.from {
			s.x.Update(mv.seq, mv.to)
		}
	}
	return nil
}
