package filestore

import (
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
	lastData []byte      // the last block's good bytes, for the active block
	tornLast bool        // the last block file is shorter than a header
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
	for i, num := range nums {
		if err := r.block(num, i == len(nums)-1); err != nil {
			return err
		}
		s.lastNum = num
	}
	s.report.Blocks = len(nums)
	r.finish()
	return r.activate(nums)
}

// create makes the directories of a new store and its first block.
func (s *Store) create() error {
	if err := s.fs.MkdirAll(s.msgsDir); err != nil {
		return err
	}
	s.sync.newDirs = parentDirs(s.dir)
	s.x.SetLast(max(s.cfg.FirstSeq, 1) - 1)
	return s.newBlock()
}

// block reads and indexes one block file.
func (r *recoverer) block(num uint32, last bool) error {
	s := r.s
	name := s.blockPath(num)
	data, err := disk.ReadFile(s.fs, name)
	if err != nil {
		return err
	}
	hnum, first, why := parseHeader(data)
	if why == "" && hnum != num {
		why = fmt.Sprintf("header names block %d", hnum)
	}
	if why != "" {
		if last && len(data) < headerSize {
			r.tornLast = true // created, crashed before its header was durable
			s.report.Truncated = append(s.report.Truncated, Span{num, 0, int64(len(data))})
			return nil
		}
		r.damage(num, 0, int64(len(data)), why)
		return nil
	}
	r.closeDamage(first)
	s.x.SetLast(first - 1)
	r.maxKnown = max(r.maxKnown, first-1)
	b := &block{num: num, name: name, first: first}
	end := r.records(b, data, last)
	if b.f, err = s.fs.OpenReadWrite(name); err != nil {
		return err
	}
	b.size, b.written = end, end
	if end < int64(len(data)) {
		if err := b.f.Truncate(end); err != nil {
			return err
		}
		s.markUnsynced(b)
	}
	s.addBlock(b)
	if last {
		r.lastData = data[:end]
	}
	return nil
}

// records indexes the records of b and returns where the good data ends
// (before a torn tail of the last block).
func (r *recoverer) records(b *block, data []byte, last bool) int64 {
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
		next := resync(data, off+1)
		if next < 0 && last {
			r.s.report.Truncated = append(r.s.report.Truncated, Span{b.num, int64(off), int64(len(data) - off)})
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
	case recTombstone, recFirst:
		seq, ok := decodeSeq(body)
		if !ok {
			return "malformed sequence record"
		}
		if t == recFirst {
			r.firstRec = max(r.firstRec, seq)
			r.maxKnown = max(r.maxKnown, seq-1)
		} else {
			r.removed[seq] = true
			r.maxKnown = max(r.maxKnown, seq)
		}
	case recErased:
		seq, ok := decodeErased(body)
		if !ok {
			return "malformed erased record"
		}
		r.removed[seq] = true
		r.maxKnown = max(r.maxKnown, seq)
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
	b.live++
	b.liveBytes += int64(size)
	b.maxSeq = m.seq
	r.maxKnown = max(r.maxKnown, m.seq)
	r.maxTS = max(r.maxTS, m.ts)
	return ""
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

// finish applies removals, the first record and the damage to the index.
func (r *recoverer) finish() {
	s := r.s
	r.closeDamage(r.maxKnown + 1)
	s.x.SetLast(r.maxKnown)
	for seq := range r.removed {
		if l, ok := s.x.Remove(seq); ok {
			s.unaccount(l)
		}
	}
	s.x.Compact(r.firstRec, func(_ uint64, l loc) { s.unaccount(l) })
	s.x.SetLastTime(r.maxTS)
	for _, span := range r.lost {
		for seq := span[0] + 1; seq < span[1]; seq++ {
			if !r.removed[seq] && seq >= r.firstRec && s.x.Status(seq) == msgindex.Deleted {
				s.addLost(seq, 0)
			}
		}
	}
	s.report.Lost = append([]uint64(nil), s.lost.Msgs...)
}

// activate makes the last block the active one, or creates one.
func (r *recoverer) activate(nums []uint32) error {
	s := r.s
	n := len(s.blocks)
	if n > 0 && len(nums) > 0 && s.blocks[n-1].num == nums[len(nums)-1] {
		b := s.blocks[n-1]
		b.data = append(make([]byte, 0, len(r.lastData)+64<<10), r.lastData...)
		s.active = b
		return nil
	}
	if r.tornLast {
		return s.createBlock(nums[len(nums)-1])
	}
	return s.newBlock()
}
