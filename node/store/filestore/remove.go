package filestore

import (
	"jsnode/node/store"
)

// Remove deletes the message at seq with a tombstone record; erase also
// overwrites its record in place.
func (s *Store) Remove(seq uint64, erase bool) (bool, error) {
	if err := s.writable(); err != nil {
		return false, err
	}
	l, ok := s.x.Remove(seq)
	if !ok {
		return false, nil
	}
	s.unaccount(l)
	if err := s.appendSeqRec(recTombstone, seq); err != nil {
		return true, err
	}
	if erase {
		if err := s.erase(seq, l); err != nil {
			return true, err
		}
	}
	s.kick(s.byNum[l.blk])
	return true, nil
}

// erase overwrites the record at l. A record still in the buffer is
// overwritten there. One already written is never overwritten in place (a
// torn overwrite would damage the block where recovery cannot tell it
// from lost data): its block is sealed if active and rewritten without
// it, atomically, by the next maintenance.
func (s *Store) erase(seq uint64, l loc) error {
	b := s.byNum[l.blk]
	if b == nil {
		return nil
	}
	off, n := int64(l.off), int64(l.n)
	if b.data != nil && off >= b.written {
		copy(b.data[off:], erasedRecordOf(int(n), seq))
		return nil
	}
	b.eraseWanted = true
	if b == s.active {
		// seal it, so the rewrite can run now
		return s.rotate()
	}
	return nil
}

// Purge removes the messages matching filter below upTo but the newest
// keep: a first record when it is a prefix of the stream, tombstones
// otherwise.
func (s *Store) Purge(filter string, upTo, keep uint64) (uint64, error) {
	if err := s.writable(); err != nil {
		return 0, err
	}
	if store.MatchAll(filter) && keep == 0 {
		if upTo == 0 || upTo > s.x.Last() {
			return s.purgeAll()
		}
		return s.Compact(upTo)
	}
	seqs := s.x.PurgeList(filter, upTo, keep)
	for _, seq := range seqs {
		if l, ok := s.x.Remove(seq); ok {
			s.unaccount(l)
		}
		if err := s.appendSeqRec(recTombstone, seq); err != nil {
			return 0, err
		}
	}
	s.kick(nil)
	return uint64(len(seqs)), nil
}

// purgeAll empties the store: a fresh block holds the first record, and
// every older block becomes removable.
func (s *Store) purgeAll() (uint64, error) {
	n := s.x.PurgeAll()
	for _, b := range s.blocks {
		b.live, b.liveBytes = 0, 0
	}
	if s.active.size > headerSize {
		if err := s.rotate(); err != nil {
			return n, err
		}
	}
	if err := s.appendSeqRec(recFirst, s.x.Last()+1); err != nil {
		return n, err
	}
	s.kick(nil)
	return n, nil
}

// Compact removes every message below seq with one first record.
func (s *Store) Compact(seq uint64) (uint64, error) {
	if err := s.writable(); err != nil {
		return 0, err
	}
	if empty := s.x.Msgs() == 0; empty && seq <= s.x.Last()+1 || !empty && seq <= s.x.First() {
		return 0, nil
	}
	n := s.x.Compact(seq, func(_ uint64, l loc) { s.unaccount(l) })
	if err := s.appendSeqRec(recFirst, seq); err != nil {
		return n, err
	}
	s.kick(nil)
	return n, nil
}
