package store

import "jsnode/node/store/internal/msgindex"

// MemoryConfig configures a memory store.
type MemoryConfig struct {
	// FirstSeq is the sequence of the first message (0: 1).
	FirstSeq uint64
}

// memMsg is a stored message: header and payload in one allocation.
type memMsg struct {
	buf    []byte
	hdrLen int
}

// memory is the memory store: the shared index with the bytes in it.
type memory struct {
	x       *msgindex.Index[memMsg]
	stopped bool
}

// NewMemory returns an empty memory store.
func NewMemory(cfg MemoryConfig) Store {
	return &memory{x: msgindex.New[memMsg](cfg.FirstSeq)}
}

func (m *memory) Kind() Kind { return Memory }

func (m *memory) Append(subj string, hdr, data []byte, ts, ttl int64) (uint64, error) {
	if m.stopped {
		return 0, ErrStopped
	}
	buf := make([]byte, len(hdr)+len(data))
	copy(buf, hdr)
	copy(buf[len(hdr):], data)
	seq := m.x.Last() + 1
	m.x.Add(seq, subj, ts, Expiry(ts, ttl), MsgSize(Memory, subj, hdr, data), memMsg{buf, len(hdr)})
	return seq, nil
}

// WhenDurable: memory is as durable as it gets at once.
func (m *memory) WhenDurable(done func(err error)) {
	if m.stopped {
		done(ErrStopped)
		return
	}
	done(nil)
}

func (m *memory) Load(seq uint64) (*Msg, error) {
	if m.stopped {
		return nil, ErrStopped
	}
	p, subj, ts, ok := m.x.Get(seq)
	if !ok {
		return nil, StatusErr(m.x.Status(seq))
	}
	buf := append([]byte(nil), p.buf...)
	msg := &Msg{Subject: subj, Data: buf[p.hdrLen:], Seq: seq, Time: ts}
	if p.hdrLen > 0 {
		msg.Header = buf[:p.hdrLen:p.hdrLen]
	}
	return msg, nil
}

func (m *memory) LoadNext(filter string, start uint64) (*Msg, error) {
	if m.stopped {
		return nil, ErrStopped
	}
	seq, ok := m.x.Next(filter, start)
	if !ok {
		return nil, ErrNotFound
	}
	return m.Load(seq)
}

func (m *memory) LoadLast(filter string) (*Msg, error) {
	if m.stopped {
		return nil, ErrStopped
	}
	seq, ok := m.x.LastMatch(filter)
	if !ok {
		return nil, ErrNotFound
	}
	return m.Load(seq)
}

func (m *memory) Remove(seq uint64, erase bool) (bool, error) {
	if m.stopped {
		return false, ErrStopped
	}
	p, ok := m.x.Remove(seq)
	if ok && erase {
		clear(p.buf)
	}
	return ok, nil
}

func (m *memory) Purge(filter string, upTo, keep uint64) (uint64, error) {
	if m.stopped {
		return 0, ErrStopped
	}
	if MatchAll(filter) && keep == 0 {
		if upTo == 0 || upTo > m.x.Last() {
			return m.x.PurgeAll(), nil
		}
		return m.x.Compact(upTo, nil), nil
	}
	seqs := m.x.PurgeList(filter, upTo, keep)
	for _, seq := range seqs {
		m.x.Remove(seq)
	}
	return uint64(len(seqs)), nil
}

func (m *memory) Compact(seq uint64) (uint64, error) {
	if m.stopped {
		return 0, ErrStopped
	}
	return m.x.Compact(seq, nil), nil
}

func (m *memory) State() State { return StateOf(m.x.State(), nil) }

func (m *memory) SubjectState(subj string) SubjectState {
	return SubjectState(m.x.SubjectState(subj))
}

func (m *memory) Subjects(filter string) map[string]SubjectState {
	return SubjectsOf(m.x, filter)
}

func (m *memory) FilteredState(filter string, start uint64) SubjectState {
	return SubjectState(m.x.Filtered(filter, start))
}

func (m *memory) Deleted() []uint64                   { return m.x.Deleted() }
func (m *memory) NextExpiry() int64                   { return m.x.NextExpiry() }
func (m *memory) Expired(now int64, max int) []uint64 { return m.x.Expired(now, max) }

func (m *memory) Stop() error {
	m.stopped = true
	return nil
}

func (m *memory) Delete() error {
	m.stopped = true
	m.x.PurgeAll()
	return nil
}
