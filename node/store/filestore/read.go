package filestore

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"jsnode/node/store"
)

// chunkSize is how much of a sealed block one read brings into the cache,
// so a reader walking the stream does one ReadAt per chunk, not per
// message.
const chunkSize = 64 << 10

// chunk caches one span of a sealed block.
type chunk struct {
	blk  uint32
	off  int64
	data []byte
}

func (c *chunk) has(blk uint32, off, n int64) bool {
	return c.data != nil && c.blk == blk && off >= c.off && off+n <= c.off+int64(len(c.data))
}

func (c *chunk) invalidate(blk uint32) {
	if c.blk == blk {
		*c = chunk{}
	}
}

// recordAt returns the bytes of the record at l (aliasing a buffer the
// store owns: copy before keeping).
func (s *Store) recordAt(l loc) ([]byte, error) {
	b := s.byNum[l.blk]
	if b == nil {
		return nil, fmt.Errorf("filestore: block %d missing", l.blk)
	}
	off, n := int64(l.off), int64(l.n)
	if b.data != nil {
		return b.data[off : off+n], nil
	}
	if b.compressed && !s.cache.has(l.blk, off, n) {
		s.cache = chunk{}
		image, err := s.blockImage(b)
		if err != nil {
			return nil, err
		}
		if off+n > int64(len(image)) {
			return nil, store.ErrCorrupt
		}
		s.cache = chunk{blk: l.blk, off: 0, data: image}
	}
	if !s.cache.has(l.blk, off, n) {
		// The chunk is aligned, not started at the record: a scan
		// backwards (the dedupe rebuild at startup) reads each chunk once,
		// as a scan forwards does.
		start := off - off%chunkSize
		size := min(max(start+chunkSize, off+n), b.written) - start
		buf := s.cache.data
		if cap(buf) < int(size) {
			buf = make([]byte, size)
		}
		buf = buf[:size]
		s.cache = chunk{}
		if _, err := b.f.ReadAt(buf, start); err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		s.cache = chunk{blk: l.blk, off: start, data: buf}
	}
	return s.cache.data[off-s.cache.off : off-s.cache.off+n], nil
}

// blockImage reads a sealed block whole: its file, or its file
// decompressed. A compressed block that does not check is ErrCorrupt.
func (s *Store) blockImage(b *block) ([]byte, error) {
	size := b.written
	if b.compressed {
		size = b.phys
	}
	buf := make([]byte, size)
	if n, err := b.f.ReadAt(buf, 0); n != len(buf) && err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if !b.compressed {
		return buf, nil
	}
	image, why := decodeBlock(buf)
	if why != "" {
		return nil, fmt.Errorf("%w: block %d: %s", store.ErrCorrupt, b.num, why)
	}
	return image, nil
}

// Load returns the message at seq.
func (s *Store) Load(seq uint64) (*store.Msg, error) {
	if s.stopped {
		return nil, store.ErrStopped
	}
	l, subj, ts, ok := s.x.Get(seq)
	if !ok {
		return nil, store.StatusErr(s.x.Status(seq))
	}
	m, err := s.readMsg(seq, l)
	if errors.Is(err, store.ErrCorrupt) && s.byNum[l.blk].data == nil {
		// read again from the file, past the cache: a read can be
		// damaged where the file is not
		s.cache.invalidate(l.blk)
		m, err = s.readMsg(seq, l)
	}
	if errors.Is(err, store.ErrCorrupt) {
		s.markLost(seq)
	}
	if err != nil {
		return nil, err
	}
	buf := make([]byte, len(m.hdr)+len(m.data))
	copy(buf, m.hdr)
	copy(buf[len(m.hdr):], m.data)
	msg := &store.Msg{Subject: subj, Data: buf[len(m.hdr):], Seq: seq, Time: ts}
	if len(m.hdr) > 0 {
		msg.Header = buf[:len(m.hdr):len(m.hdr)]
	}
	return msg, nil
}

// readMsg reads and checks the record of seq at l.
func (s *Store) readMsg(seq uint64, l loc) (msgRec, error) {
	rec, err := s.recordAt(l)
	if err != nil {
		return msgRec{}, err
	}
	t, body, size, st := parseRecord(rec)
	if st != recordOK || size != len(rec) {
		return msgRec{}, store.ErrCorrupt
	}
	if t == recMsgSealed {
		if s.sealer == nil {
			return msgRec{}, errWrongKey
		}
		if body, err = s.sealer.open(body); err != nil {
			return msgRec{}, err
		}
		t = recMsg
	}
	m, ok := decodeMsg(body)
	if t != recMsg || !ok || m.seq != seq {
		return msgRec{}, store.ErrCorrupt
	}
	return m, nil
}

// markLost takes a damaged message out of the index and reports it.
func (s *Store) markLost(seq uint64) {
	size := s.x.Size(seq)
	if l, ok := s.x.Remove(seq); ok {
		s.unaccount(l)
	}
	s.addLost(seq, size)
}

func (s *Store) addLost(seq, size uint64) {
	i, found := slices.BinarySearch(s.lost.Msgs, seq)
	if found {
		return
	}
	s.lost.Msgs = slices.Insert(s.lost.Msgs, i, seq)
	s.lost.Bytes += size
}

// unaccount takes a removed message's record out of its block's counts.
func (s *Store) unaccount(l loc) {
	if b := s.byNum[l.blk]; b != nil {
		b.live--
		b.liveBytes -= int64(l.n)
	}
}

// LoadNext returns the first message at or after start matching filter.
// A damaged message is skipped (it is reported in State().Lost).
func (s *Store) LoadNext(filter string, start uint64) (*store.Msg, error) {
	for {
		if s.stopped {
			return nil, store.ErrStopped
		}
		seq, ok := s.x.Next(filter, start)
		if !ok {
			return nil, store.ErrNotFound
		}
		m, err := s.Load(seq)
		if !errors.Is(err, store.ErrCorrupt) {
			return m, err
		}
		start = seq + 1
	}
}

// LoadLast returns the last message matching filter.
func (s *Store) LoadLast(filter string) (*store.Msg, error) {
	for {
		if s.stopped {
			return nil, store.ErrStopped
		}
		seq, ok := s.x.LastMatch(filter)
		if !ok {
			return nil, store.ErrNotFound
		}
		m, err := s.Load(seq)
		if !errors.Is(err, store.ErrCorrupt) {
			return m, err
		}
	}
}
