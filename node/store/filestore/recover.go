package filestore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path"
	"strings"

	"jsnode/disk"
	"jsnode/node/store"
	"jsnode/node/store/internal/msgindex"
)

// Recovery reports what Open found in the files.
type Recovery struct {
	Blocks int
	// Truncated lists the torn tail cut off the last block.
	Truncated []Span
	// Damaged lists the spans that failed their checksum (or did not
	// decode) anywhere else; nothing in them is served.
	Damaged []Damage
	// Lost lists the sequences the damage took (see State().Lost).
	Lost []uint64
	// TempRemoved lists leftover temporary files of interrupted rewrites.
	TempRemoved []string
}

// Span is a byte range of a block file.
type Span struct {
	Block  uint32
	Offset int64
	Bytes  int64
}

// Damage is a damaged span and why.
type Damage struct {
	Span
	Reason string
}

// recoverer rebuilds the index from the block files in number order.
type recoverer struct {
	s        *Store
	firstRec uint64 // the largest first record
	maxKnown uint64 // the largest sequence any record or header implies
	removed  map[uint64]bool
	maxTS    int64
	// An open damage region: sequences above lo up to the next good
	// message are lost unless a record accounts for them.
	inDamage bool
	lo       uint64
	lost     [][2]uint64 // (lo, hi) exclusive
	lastData []byte      // the last kept block's good bytes, for the active block
	sealLast bool        // the last kept block's header is damaged: start a new one
	// synced is the largest syncmark: damage before it is damage of
	// synced bytes; the first bad bytes at or after it are the torn tail
	// of the store, and everything from there on is cut.
	synced    pos
	cut       bool
	truncated []*block
	err       error  // fatal: Open fails (an encrypted record without the key)
	cutMax    uint64 // the largest sequence seen in what was cut
}

func (s *Store) recover() error {
	names, err := s.fs.List(s.msgsDir)
	if errors.Is(err, disk.ErrNotExist) {
		return s.create()
	}
	if err != nil {
		return err
	}
	r := &recoverer{s: s, removed: map[uint64]bool{}}
	var nums []uint32
	for _, name := range names {
		if strings.HasSuffix(name, disk.TempSuffix) {
			if err := s.fs.Remove(path.Join(s.msgsDir, name)); err != nil {
				return err
			}
			s.report.TempRemoved = append(s.report.TempRemoved, name)
			s.sync.dirDirty = true
		} else if num, ok := parseBlockName(name); ok {
			nums = append(nums, num)
		}
	}
	if len(nums) == 0 {
		// crashed while being created: it is still new
		s.sync.newDirs = disk.Ancestors(s.dir)
		s.x.SetLast(max(s.cfg.FirstSeq, 1) - 1)
	}
	if err := r.findMark(nums); err != nil {
		return err
	}
	for _, num := range nums {
		if err := r.block(num); err != nil {
			return err
		}
		if r.err != nil {
			return r.err
		}
	}
	s.report.Blocks = len(nums)
	if err := r.makeDurable(); err != nil {
		return err
	}
	r.finish()
	if err := r.activate(); err != nil {
		return err
	}
	if err := r.keepCutSeqs(); err != nil {
		return err
	}
	for _, b := range s.blocks {
		// sealed blocks of a life without compression get it now
		b.compressWanted = s.cfg.Compression != NoCompression && !b.compressed && b != s.active
	}
	return nil
}

// keepCutSeqs makes the sequences seen in the cut tail count as given,
// durably, before Open returns: a tombstone of the largest says the next
// sequence is past it.
func (r *recoverer) keepCutSeqs() error {
	s := r.s
	if r.cutMax <= s.x.Last() {
		return nil
	}
	s.x.SetLast(r.cutMax)
	if err := s.appendSeqRec(recTombstone, r.cutMax); err != nil {
		return err
	}
	if err := s.flush(); err != nil {
		return err
	}
	s.sync.dirty = s.sync.dirty[:0]
	s.active.unsynced = false
	if s.sync.dirDirty {
		if err := s.fs.SyncDir(s.msgsDir); err != nil {
			return err
		}
		s.sync.dirDirty = false
	}
	return s.active.f.Sync()
}

// makeDurable syncs what recovery found and its own repairs (truncated
// tails, removed files) before Open returns: a crash right after must not
// bring back a cut tail or a removed block and change what was served.
// Every block is synced, not only the repaired ones: after a process
// crash, records never synced are still in the page cache and recovery
// serves them; until they are synced a power loss could take them again,
// and a retry that dedupe answers with "duplicate" would be an ack of a
// message that is not durable.
func (r *recoverer) makeDurable() error {
	for _, b := range r.s.blocks {
		if b.f == nil {
			continue
		}
		if err := b.f.Sync(); err != nil {
			return err
		}
	}
	for _, b := range r.truncated {
		if err := b.f.Sync(); err != nil {
			return err
		}
	}
	// Always: block files created since the last directory sync of the
	// crashed life are found by name, and must stay found.
	r.s.sync.dirDirty = false
	return r.s.fs.SyncDir(r.s.msgsDir)
}

// findMark sets r.synced from the newest block holding a syncmark.
func (r *recoverer) findMark(nums []uint32) error {
	for i := len(nums) - 1; i >= 0; i-- {
		data, err := disk.ReadFile(r.s.fs, r.s.blockPath(nums[i]))
		if err != nil {
			return err
		}
		if _, _, flags, why := parseHeader(data); why == "" && flags&flagS2 != 0 {
			continue // a rewrite: it keeps no syncmark
		}
		found := false
		for off := headerSize; off < len(data); {
			t, body, size, st := parseRecord(data[off:])
			if st != recordOK {
				if off = resync(data, off+1); off < 0 {
					break
				}
				continue
			}
			if p, ok := decodeSyncMark(body); ok && t == recSyncMark && r.synced.before(p) {
				r.synced, found = p, true
			}
			off += size
		}
		if found {
			return nil
		}
	}
	return nil
}

// tear cuts the store at block num, offset off: what follows was never
// synced.
func (r *recoverer) tear(num uint32, off, n int64) {
	r.cut = true
	r.s.report.Truncated = append(r.s.report.Truncated, Span{num, off, n})
}

// create makes the directories of a new store and its first block.
func (s *Store) create() error {
	if err := s.fs.MkdirAll(s.msgsDir); err != nil {
		return err
	}
	s.sync.newDirs = disk.Ancestors(s.dir)
	s.x.SetLast(max(s.cfg.FirstSeq, 1) - 1)
	return s.newBlock()
}

// block reads and indexes one block file.
func (r *recoverer) block(num uint32) error {
	s := r.s
	name := s.blockPath(num)
	if r.cut {
		// after the torn tail: unsynced, and would collide with what
		// is written next
		return r.cutBlock(num, name)
	}
	data, err := disk.ReadFile(s.fs, name)
	if err != nil {
		return err
	}
	hnum, first, flags, why := parseHeader(data)
	if why == "" && hnum != num {
		why = fmt.Sprintf("header names block %d", hnum)
	}
	phys := int64(len(data))
	if why == "" && flags&flagS2 != 0 {
		// written whole by a synced rename: damage, never a torn tail
		if data, why = decodeBlock(data); why != "" {
			r.damage(num, 0, phys, why)
			s.lastNum = num
			return nil
		}
	}
	if why != "" {
		if (pos{num, 0}).before(r.synced) {
			// Synced, so damage, not a torn create. The records carry
			// their own checksums and sequences: index what is whole,
			// so the block's sequences are neither forgotten (and given
			// again to new messages) nor lost without a report.
			r.damage(num, 0, headerSize, why)
			return r.keep(&block{num: num, name: name, damaged: true, phys: phys}, data)
		}
		r.tear(num, 0, int64(len(data)))
		s.sync.dirDirty = true
		return s.fs.Remove(name)
	}
	r.closeDamage(first)
	s.x.SetLast(first - 1)
	r.maxKnown = max(r.maxKnown, first-1)
	return r.keep(&block{num: num, name: name, first: first, compressed: flags&flagS2 != 0, phys: phys}, data)
}

// keep indexes b's records (data: the block's bytes, decompressed) and
// keeps the block. One with a damaged header is never appended to: the
// next block's header must bound the sequences again.
func (r *recoverer) keep(b *block, data []byte) error {
	s := r.s
	badHeader := b.damaged
	end := r.records(b, data)
	var err error
	if b.f, err = s.fs.OpenReadWrite(b.name); err != nil {
		return err
	}
	b.size, b.written = end, end
	if b.compressed {
		b.size, b.written = int64(len(data)), int64(len(data))
		s.addBlock(b)
		s.lastNum = b.num
		return nil
	}
	if end < int64(len(data)) {
		if err := b.f.Truncate(end); err != nil {
			return err
		}
		r.truncated = append(r.truncated, b)
	}
	s.addBlock(b)
	s.lastNum = b.num
	r.lastData = data[:end]
	r.sealLast = badHeader
	return nil
}

// cutBlock removes a block after the torn tail. Its sequences still
// count as given: were a bit flipped at rest just after the last
// syncmark (so taken for a tear), what follows may have been
// acknowledged, and its sequences must never be given again.
func (r *recoverer) cutBlock(num uint32, name string) error {
	s := r.s
	data, err := disk.ReadFile(s.fs, name)
	if err != nil {
		return err
	}
	if _, first, _, why := parseHeader(data); why == "" {
		r.cutMax = max(r.cutMax, first-1)
	}
	for off := resync(data, 0); off >= 0 && off < len(data); {
		t, body, size, _ := parseRecord(data[off:])
		if len(body) >= 8 && (t == recMsg || t == recMsgSealed) {
			r.cutMax = max(r.cutMax, binary.LittleEndian.Uint64(body))
		}
		off = resync(data, off+size)
	}
	r.tear(num, 0, int64(len(data)))
	s.sync.dirDirty = true
	return s.fs.Remove(name)
}

// records indexes the records of b and returns where the good data ends
// (before a torn tail of the last block).
func (r *recoverer) records(b *block, data []byte) int64 {
	for off := headerSize; off < len(data); {
		t, body, size, st := parseRecord(data[off:])
		if st == recordOK {
			if why := r.record(b, t, body, off, size); why != "" {
				r.damage(b.num, int64(off), int64(size), why)
				b.damaged = true
			}
			off += size
			continue
		}
		// A torn write is the last of its file: bad bytes with a good
		// record after them in the block are damage, never a tear.
		next := resync(data, off+1)
		if next < 0 && !b.compressed && !(pos{b.num, int64(off)}).before(r.synced) {
			r.tear(b.num, int64(off), int64(len(data)-off))
			return int64(off)
		}
		if next < 0 {
			next = len(data)
		}
		r.damage(b.num, int64(off), int64(next-off), "record checksum mismatch")
		b.damaged = true
		off = next
	}
	return int64(len(data))
}

// resync finds the next offset at or after from where a valid record
// starts, or -1.
func resync(data []byte, from int) int {
	for p := from; p+recordHeaderSize <= len(data); p++ {
		if _, _, _, st := parseRecord(data[p:]); st == recordOK {
			return p
		}
	}
	return -1
}

// record applies one checksummed record; why is non-empty if it is
// malformed.
func (r *recoverer) record(b *block, t recordType, body []byte, off, size int) string {
	switch t {
	case recMsg:
		return r.msg(b, body, off, size)
	case recMsgSealed:
		if r.s.sealer == nil {
			r.err = errors.New("filestore: the store is encrypted and no cipher is configured")
			return ""
		}
		plain, err := r.s.sealer.open(body)
		if err != nil {
			r.err = err
			return ""
		}
		return r.msg(b, plain, off, size)
	case recTombstone, recFirst:
		seq, ok := decodeSeq(body)
		if !ok {
			return "malformed sequence record"
		}
		// Applied at once: records are in the order they were written,
		// so nothing after a first record lies below it (and a large
		// first never leaves a gap of dead slots to fill).
		if t == recFirst {
			r.firstRec = max(r.firstRec, seq)
			r.maxKnown = max(r.maxKnown, seq-1)
			r.s.x.Compact(seq, func(_ uint64, l loc) { r.s.unaccount(l) })
		} else {
			r.remove(seq)
		}
	case recSyncMark:
		if _, ok := decodeSyncMark(body); !ok {
			return "malformed syncmark"
		}
	case recErased:
		seq, ok := decodeErased(body)
		if !ok {
			return "malformed erased record"
		}
		r.remove(seq)
	default:
		return fmt.Sprintf("unknown record type %d", t)
	}
	return ""
}

func (r *recoverer) msg(b *block, body []byte, off, size int) string {
	m, ok := decodeMsg(body)
	switch {
	case !ok:
		return "malformed message record"
	case m.seq < b.first || (r.s.x.Msgs() > 0 && m.seq <= r.s.x.Last()):
		return fmt.Sprintf("message %d out of order", m.seq)
	}
	r.closeDamage(m.seq)
	subj := string(m.subj)
	r.s.x.Add(m.seq, subj, m.ts, store.Expiry(m.ts, m.ttl), store.MsgSize(store.File, subj, m.hdr, m.data),
		loc{blk: b.num, off: uint32(off), n: uint32(size)})
	if h := r.s.cfg.OnRecover; h != nil {
		h(m.seq, m.ts, m.hdr)
	}
	b.live++
	b.liveBytes += int64(size)
	b.maxSeq = m.seq
	r.maxKnown = max(r.maxKnown, m.seq)
	r.maxTS = max(r.maxTS, m.ts)
	return ""
}

func (r *recoverer) remove(seq uint64) {
	r.removed[seq] = true
	r.maxKnown = max(r.maxKnown, seq)
	if l, ok := r.s.x.Remove(seq); ok {
		r.s.unaccount(l)
	}
}

func (r *recoverer) damage(num uint32, off, n int64, why string) {
	r.s.report.Damaged = append(r.s.report.Damaged, Damage{Span{num, off, n}, why})
	r.s.lost.Bytes += uint64(n)
	if !r.inDamage {
		r.inDamage, r.lo = true, max(r.maxKnown, r.s.x.Last())
	}
}

// closeDamage ends an open damage region at hi, the next sequence known
// to be whole.
func (r *recoverer) closeDamage(hi uint64) {
	if r.inDamage {
		r.inDamage = false
		if hi > r.lo+1 {
			r.lost = append(r.lost, [2]uint64{r.lo, hi})
		}
	}
}

// finish sets the last sequence and reports the damage.
func (r *recoverer) finish() {
	s := r.s
	r.closeDamage(r.maxKnown + 1)
	s.x.SetLast(r.maxKnown)
	s.x.SetLastTime(r.maxTS)
	for _, span := range r.lost {
		for seq := span[0] + 1; seq < span[1]; seq++ {
			if !r.removed[seq] && seq >= r.firstRec && s.x.Status(seq) != msgindex.Live {
				s.addLost(seq, 0)
			}
		}
	}
	s.report.Lost = append([]uint64(nil), s.lost.Msgs...)
}

// activate makes the last kept block the active one, or creates one.
func (r *recoverer) activate() error {
	s := r.s
	if n := len(s.blocks); n > 0 && s.blocks[n-1].num == s.lastNum && !s.blocks[n-1].compressed && !r.sealLast {
		b := s.blocks[n-1]
		b.data = append(make([]byte, 0, len(r.lastData)+64<<10), r.lastData...)
		s.active = b
		return nil
	}
	return s.newBlock()
}
