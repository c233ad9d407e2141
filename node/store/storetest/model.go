package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"

	"jsnode/node/store"
)

// Model is the naive store: a map from sequence to message and the last
// sequence. Tests drive it next to a real store and compare.
type Model struct {
	Kind store.Kind
	Msgs map[uint64]ModelMsg
	Last uint64
}

// ModelMsg is a message of the model.
type ModelMsg struct {
	Subj      string
	Hdr, Data []byte
	TS, Exp   int64
}

// NewModel returns an empty model accounting bytes as kind.
func NewModel(kind store.Kind) *Model { return &Model{Kind: kind, Msgs: map[uint64]ModelMsg{}} }

// Append stores a message at Last+1.
func (m *Model) Append(subj string, hdr, data []byte, ts, ttl int64) uint64 {
	m.Last++
	m.Msgs[m.Last] = ModelMsg{subj, slices.Clone(hdr), slices.Clone(data), ts, store.Expiry(ts, ttl)}
	return m.Last
}

// Remove drops seq.
func (m *Model) Remove(seq uint64) bool {
	_, ok := m.Msgs[seq]
	delete(m.Msgs, seq)
	return ok
}

// Purge is store.Purge.
func (m *Model) Purge(filter string, upTo, keep uint64) uint64 {
	var match []uint64
	for _, seq := range m.sorted() {
		if (upTo == 0 || seq < upTo) && store.Matches(filter, m.Msgs[seq].Subj) {
			match = append(match, seq)
		}
	}
	var n uint64
	for i := 0; i+int(keep) < len(match); i++ {
		delete(m.Msgs, match[i])
		n++
	}
	return n
}

// Compact is store.Compact.
func (m *Model) Compact(seq uint64) uint64 {
	var n uint64
	for s := range m.Msgs {
		if s < seq {
			delete(m.Msgs, s)
			n++
		}
	}
	if seq > m.Last+1 {
		m.Last = seq - 1
	}
	return n
}

func (m *Model) sorted() []uint64 { return slices.Sorted(maps.Keys(m.Msgs)) }

// First is the FirstSeq the model expects.
func (m *Model) First() uint64 {
	if len(m.Msgs) > 0 {
		return m.sorted()[0]
	}
	if m.Last == 0 {
		return 0
	}
	return m.Last + 1
}

// Check compares every summary of s with the model, and loads every
// sequence; it returns the first difference.
func (m *Model) Check(s store.Store) error {
	if err := m.checkState(s); err != nil {
		return err
	}
	for seq := uint64(0); seq <= m.Last+1; seq++ {
		if err := m.CheckLoad(s, seq); err != nil {
			return err
		}
	}
	return m.checkDeleted(s)
}

func (m *Model) checkState(s store.Store) error {
	st := s.State()
	var bytes uint64
	subjects := map[string]bool{}
	for _, msg := range m.Msgs {
		bytes += store.MsgSize(m.Kind, msg.Subj, msg.Hdr, msg.Data)
		subjects[msg.Subj] = true
	}
	first := m.First()
	deleted := 0
	if len(m.Msgs) > 0 {
		deleted = int(m.Last-first+1) - len(m.Msgs)
	}
	lost := 0
	if st.Lost != nil {
		lost = len(st.Lost.Msgs)
	}
	if st.Msgs != uint64(len(m.Msgs)) || st.Bytes != bytes || st.FirstSeq != first ||
		st.LastSeq != m.Last || st.NumSubjects != len(subjects) || st.NumDeleted != deleted || lost != 0 {
		return fmt.Errorf("State %+v; model msgs %d bytes %d first %d last %d subjects %d deleted %d",
			st, len(m.Msgs), bytes, first, m.Last, len(subjects), deleted)
	}
	return nil
}

func (m *Model) checkDeleted(s store.Store) error {
	var want []uint64
	if len(m.Msgs) > 0 {
		for seq := m.First(); seq <= m.Last; seq++ {
			if _, ok := m.Msgs[seq]; !ok {
				want = append(want, seq)
			}
		}
	}
	if got := s.Deleted(); !slices.Equal(got, want) && (len(got) > 0 || len(want) > 0) {
		return fmt.Errorf("Deleted = %v, want %v", got, want)
	}
	return nil
}

// CheckLoad compares Load(seq) with the model.
func (m *Model) CheckLoad(s store.Store, seq uint64) error {
	got, err := s.Load(seq)
	want, ok := m.Msgs[seq]
	if !ok {
		wantErr := store.ErrNotFound
		if len(m.Msgs) > 0 && seq >= m.First() && seq <= m.Last {
			wantErr = store.ErrDeleted
		}
		if !errors.Is(err, wantErr) {
			return fmt.Errorf("Load(%d) = %+v, %v; want %v", seq, got, err, wantErr)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("Load(%d): %v", seq, err)
	}
	return m.same(got, seq, want)
}

func (m *Model) same(got *store.Msg, seq uint64, want ModelMsg) error {
	if got.Seq != seq || got.Subject != want.Subj || !bytes.Equal(got.Header, want.Hdr) ||
		!bytes.Equal(got.Data, want.Data) || got.Time != want.TS {
		return fmt.Errorf("message at %d = %+v, want %+v", seq, got, want)
	}
	return nil
}

// CheckQueries compares LoadNext, LoadLast, FilteredState and the
// subject index for filter with the model.
func (m *Model) CheckQueries(s store.Store, filter string, start uint64) error {
	var fs store.SubjectState
	var last uint64
	for _, seq := range m.sorted() {
		if !store.Matches(filter, m.Msgs[seq].Subj) {
			continue
		}
		last = seq
		if seq >= start {
			if fs.Msgs == 0 {
				fs.First = seq
			}
			fs.Msgs++
			fs.Last = seq
		}
	}
	if got := s.FilteredState(filter, start); got != fs {
		return fmt.Errorf("FilteredState(%q, %d) = %+v, want %+v", filter, start, got, fs)
	}
	if err := m.checkFound(s.LoadNext(filter, start))(fs.First, fmt.Sprintf("LoadNext(%q, %d)", filter, start)); err != nil {
		return err
	}
	if err := m.checkFound(s.LoadLast(filter))(last, fmt.Sprintf("LoadLast(%q)", filter)); err != nil {
		return err
	}
	return m.checkSubjects(s, filter)
}

func (m *Model) checkFound(got *store.Msg, err error) func(want uint64, what string) error {
	return func(want uint64, what string) error {
		if want == 0 {
			if !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%s = %+v, %v; want ErrNotFound", what, got, err)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %v (want %d)", what, err, want)
		}
		return m.same(got, want, m.Msgs[want])
	}
}

func (m *Model) checkSubjects(s store.Store, filter string) error {
	want := map[string]store.SubjectState{}
	for _, seq := range m.sorted() {
		subj := m.Msgs[seq].Subj
		if !store.Matches(filter, subj) {
			continue
		}
		e := want[subj]
		if e.Msgs == 0 {
			e.First = seq
		}
		e.Msgs++
		e.Last = seq
		want[subj] = e
	}
	if got := s.Subjects(filter); !maps.Equal(got, want) {
		return fmt.Errorf("Subjects(%q) = %v, want %v", filter, got, want)
	}
	for subj, e := range want {
		if got := s.SubjectState(subj); got != e {
			return fmt.Errorf("SubjectState(%q) = %+v, want %+v", subj, got, e)
		}
	}
	return nil
}

// CheckExpiry compares NextExpiry and Expired(now, max) with the model.
func (m *Model) CheckExpiry(s store.Store, now int64, max int) error {
	type ent struct {
		exp int64
		seq uint64
	}
	var all []ent
	for seq, msg := range m.Msgs {
		if msg.Exp != 0 {
			all = append(all, ent{msg.Exp, seq})
		}
	}
	slices.SortFunc(all, func(a, b ent) int {
		if a.exp != b.exp {
			return int(a.exp - b.exp)
		}
		return int(a.seq) - int(b.seq)
	})
	var next int64
	if len(all) > 0 {
		next = all[0].exp
	}
	if got := s.NextExpiry(); got != next {
		return fmt.Errorf("NextExpiry = %d, want %d", got, next)
	}
	var want []uint64
	for _, e := range all {
		if e.exp <= now && len(want) < max {
			want = append(want, e.seq)
		}
	}
	if got := s.Expired(now, max); !slices.Equal(got, want) && (len(got) > 0 || len(want) > 0) {
		return fmt.Errorf("Expired(%d, %d) = %v, want %v", now, max, got, want)
	}
	return nil
}
