package raft

import "fmt"

// validateMessage rejects messages that could break invariants if
// processed: wrong addressing, impossible terms, non-contiguous entries,
// undecodable configuration entries, inconsistent snapshot chunks.
func (r *raft) validateMessage(m Message) error {
	bad := func(why string) error { return fmt.Errorf("%w: %s: %s", ErrInvalidMessage, why, m) }
	switch {
	case !m.Type.valid():
		return bad("unknown type")
	case m.To != r.id:
		return bad("not addressed to this node")
	case m.From == None || m.From == r.id:
		return bad("bad sender")
	case m.Term == 0:
		return bad("term 0")
	case len(m.Entries) > AppendEntriesMax:
		return bad("too many entries")
	case len(m.Entries) > 0 && m.Type != MsgAppend:
		return bad("entries outside an append")
	}
	if err := validateEntries(m); err != nil {
		return bad(err.Error())
	}
	if m.Type == MsgSnapshot {
		if err := validateChunk(m); err != nil {
			return bad(err.Error())
		}
	}
	return nil
}

// validateEntries checks that an append's entries follow Index one by one
// with non-decreasing terms no newer than the message.
func validateEntries(m Message) error {
	prevTerm := m.LogTerm
	for i, e := range m.Entries {
		switch {
		case e.Index != m.Index+1+uint64(i):
			return fmt.Errorf("entry %d out of sequence", e.Index)
		case e.Term < prevTerm || e.Term > m.Term:
			return fmt.Errorf("entry %d has term %d out of order", e.Index, e.Term)
		case !e.Type.valid():
			return fmt.Errorf("entry %d has unknown type %d", e.Index, e.Type)
		case len(e.Data) > EntryBytesMax:
			return fmt.Errorf("entry %d too large", e.Index)
		}
		if e.Type == EntryConfChange {
			if _, _, err := DecodeConfChange(e.Data); err != nil {
				return fmt.Errorf("entry %d: %w", e.Index, err)
			}
		}
		prevTerm = e.Term
	}
	return nil
}

// validateChunk checks a snapshot chunk's metadata and bounds.
func validateChunk(m Message) error {
	switch {
	case m.Snapshot == nil:
		return fmt.Errorf("chunk without snapshot metadata")
	case m.Snapshot.Index == 0 || m.Snapshot.Term == 0 || m.Snapshot.Term > m.Term:
		return fmt.Errorf("chunk of snapshot (%d, %d)", m.Snapshot.Index, m.Snapshot.Term)
	case m.SnapshotSize > SnapshotBytesMax:
		return fmt.Errorf("snapshot too large")
	case m.ChunkOffset > m.SnapshotSize || uint64(len(m.ChunkData)) > m.SnapshotSize-m.ChunkOffset:
		return fmt.Errorf("chunk beyond snapshot size")
	case m.ChunkLast && m.ChunkOffset+uint64(len(m.ChunkData)) != m.SnapshotSize:
		return fmt.Errorf("last chunk does not end the snapshot")
	}
	return m.Snapshot.Membership.Validate()
}
