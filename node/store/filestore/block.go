package filestore

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"jsnode/disk"
	"jsnode/node/mutant"
)

const blockSuffix = ".blk"

// block is one block file.
type block struct {
	num   uint32
	name  string
	f     disk.File
	first uint64 // from the header: the next sequence when it was made
	// size is the logical length (written plus buffered); written is what
	// the file holds.
	size, written int64
	// data is the whole block (header and records) while it is the
	// active block; nil once sealed.
	data []byte
	// live counts the indexed messages in the block and their record
	// bytes; maxSeq is the largest message sequence it holds.
	live, liveBytes int64
	maxSeq          uint64
	// kept is the bytes of tombstones and first records a rewrite kept.
	kept     int64
	unsynced bool // written since the last sync job began
	busy     bool // a rewrite or removal of it is pending or in a job
	damaged  bool // recovery or a rewrite found damage: never rewritten
	// eraseWanted: an erased message's bytes are still in the file.
	eraseWanted bool
	// compressWanted: sealed, to be rewritten compressed. compressed:
	// the file holds the image compressed (phys bytes); size and
	// written are the image's length.
	compressWanted bool
	compressed     bool
	phys           int64
}

func blockName(num uint32) string { return fmt.Sprintf("%08d%s", num, blockSuffix) }

// parseBlockName returns the number of a block file name.
func parseBlockName(name string) (uint32, bool) {
	digits, ok := strings.CutSuffix(name, blockSuffix)
	if !ok || len(digits) != 8 {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 32)
	return uint32(n), err == nil && n > 0
}

func (s *Store) blockPath(num uint32) string { return path.Join(s.msgsDir, blockName(num)) }

// newBlock creates the next block file and makes it active; its header is
// buffered like any record.
func (s *Store) newBlock() error {
	s.lastNum++
	return s.createBlock(s.lastNum)
}

// createBlock creates (or truncates) block file num as the active block.
func (s *Store) createBlock(num uint32) error {
	name := s.blockPath(num)
	f, err := s.fs.Create(name)
	if err != nil {
		return err
	}
	b := &block{num: num, name: name, f: f, first: s.x.Last() + 1}
	buf := s.spare
	if buf == nil {
		buf = make([]byte, 0, 64<<10)
	}
	s.spare = nil
	b.data = appendHeader(buf, num, b.first)
	b.size = int64(len(b.data))
	s.addBlock(b)
	s.active = b
	s.sync.dirDirty = !mutant.On(mutant.JSSkipBlockDirSync) // the mutant: the new entry is never synced
	return nil
}

func (s *Store) addBlock(b *block) {
	s.blocks = append(s.blocks, b)
	s.byNum[b.num] = b
}

// rotate seals the active block (writing its buffer) and starts a new one.
func (s *Store) rotate() error {
	if err := s.flush(); err != nil {
		return err
	}
	// the sealed block is read from its file from now on: its buffer
	// becomes the next block's
	s.spare = s.active.data[:0]
	s.active.data = nil
	s.active.compressWanted = s.cfg.Compression != NoCompression
	return s.newBlock()
}

// flush writes the active block's buffered bytes with one Write.
func (s *Store) flush() error {
	b := s.active
	if b == nil || b.written == b.size {
		return nil
	}
	if _, err := b.f.Write(b.data[b.written:]); err != nil {
		return s.fail(err)
	}
	b.written = b.size
	s.markUnsynced(b)
	return nil
}

// room makes room for a record of n bytes in the active block, rotating
// when the block would pass BlockSize (a record larger than a block gets
// a block of its own).
func (s *Store) room(n int) error {
	b := s.active
	if b.size+int64(n+syncMarkMax) > s.cfg.BlockSize && b.size > headerSize {
		if err := s.rotate(); err != nil {
			return err
		}
	}
	s.reserve(n + syncMarkMax)
	s.writeMark()
	return nil
}

// reserve grows the active block's buffer by doubling (append's growth
// for large slices is 1.25x, which copies a block several times over).
func (s *Store) reserve(n int) {
	b := s.active
	if cap(b.data)-len(b.data) >= n {
		return
	}
	grown := make([]byte, len(b.data), max(2*cap(b.data), len(b.data)+n))
	copy(grown, b.data)
	b.data = grown
}

// writeMark puts the latest completed sync's position before the next
// record, once per sync.
func (s *Store) writeMark() {
	if s.sync.markWritten.before(s.sync.mark) {
		b := s.active
		b.data = appendSyncMark(b.data, s.sync.mark)
		b.size = int64(len(b.data))
		s.sync.markWritten = s.sync.mark
	}
}

// wrote accounts for bytes appended to the active block's data and
// writes the buffer once it is large.
func (s *Store) wrote() error {
	b := s.active
	b.size = int64(len(b.data))
	if b.size-b.written >= flushBytes {
		return s.flush()
	}
	return nil
}

func (s *Store) closeFiles() {
	for _, b := range s.blocks {
		if b.f != nil {
			_ = b.f.Close()
			b.f = nil
		}
	}
}
