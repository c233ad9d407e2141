package filestore

import (
	"jsnode/node/store"
)

// Append stores a message at LastSeq+1.
func (s *Store) Append(subj string, hdr, data []byte, ts, ttl int64) (uint64, error) {
	if err := s.writable(); err != nil {
		return 0, err
	}
	n := msgRecordSize(subj, hdr, data, ttl)
	if s.sealer != nil {
		n = sealedSize(n)
	}
	if n-recordHeaderSize > recordBodyMax {
		// recovery would read a longer body as damage: refuse it now
		return 0, store.ErrTooLarge
	}
	if err := s.room(n); err != nil {
		return 0, err
	}
	b := s.active
	seq := s.x.Last() + 1
	off := len(b.data)
	if s.sealer != nil {
		s.scratch = appendMsgRecord(s.scratch[:0], seq, ts, ttl, subj, hdr, data)
		b.data = s.sealer.appendSealed(b.data, s.scratch)
	} else {
		b.data = appendMsgRecord(b.data, seq, ts, ttl, subj, hdr, data)
	}
	s.x.Add(seq, subj, ts, store.Expiry(ts, ttl), store.MsgSize(store.File, subj, hdr, data),
		loc{blk: b.num, off: uint32(off), n: uint32(n)})
	b.live++
	b.liveBytes += int64(n)
	b.maxSeq = seq
	if err := s.wrote(); err != nil {
		return 0, err
	}
	s.armTimer()
	return seq, nil
}

// appendSeqRec appends a tombstone or first record.
func (s *Store) appendSeqRec(t recordType, seq uint64) error {
	if err := s.room(recordHeaderSize + 1 + uvarintLen(seq)); err != nil {
		return err
	}
	s.active.data = appendSeqRecord(s.active.data, t, seq)
	if err := s.wrote(); err != nil {
		return err
	}
	s.armTimer()
	return nil
}
