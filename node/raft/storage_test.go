package raft

import (
	"errors"
	"fmt"
	"testing"
)

func entriesWithTerms(from uint64, terms ...uint64) []Entry {
	out := make([]Entry, len(terms))
	for i, t := range terms {
		out[i] = Entry{Index: from + uint64(i), Term: t, Type: EntryNormal, Data: []byte{byte(i)}}
	}
	return out
}

func TestMemoryStorageAppendTruncatesConflicts(t *testing.T) {
	s := NewMemoryStorage()
	must(t, s.Append(entriesWithTerms(1, 1, 1, 2, 2)))
	must(t, s.Append(entriesWithTerms(3, 3)))
	if last, _ := s.LastIndex(); last != 3 {
		t.Fatalf("last %d after overwriting at 3, want 3", last)
	}
	if term, _ := s.Term(3); term != 3 {
		t.Fatalf("term at 3 is %d", term)
	}
	if err := s.Append(entriesWithTerms(9, 3)); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("gap accepted: %v", err)
	}
}

func TestMemoryStorageCompactAndBounds(t *testing.T) {
	s := NewMemoryStorage()
	must(t, s.Append(entriesWithTerms(1, 1, 1, 2, 2, 3)))
	snap := Snapshot{Meta: SnapshotMeta{Index: 3, Term: 2, Membership: Membership{Voters: ids(1)}}, Data: []byte("s")}
	must(t, s.Compact(snap))
	first, _ := s.FirstIndex()
	last, _ := s.LastIndex()
	if first != 4 || last != 5 {
		t.Fatalf("after compaction: first %d last %d", first, last)
	}
	if term, err := s.Term(3); err != nil || term != 2 {
		t.Fatalf("term at the snapshot index: %d %v", term, err)
	}
	if _, err := s.Term(2); !errors.Is(err, ErrCompacted) {
		t.Fatalf("term before the snapshot: %v", err)
	}
	if _, err := s.Term(6); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("term after the end: %v", err)
	}
	if _, err := s.Entries(3, 5, noByteLimit); !errors.Is(err, ErrCompacted) {
		t.Fatalf("entries before first: %v", err)
	}
	if _, err := s.Entries(4, 7, noByteLimit); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("entries after last: %v", err)
	}
	if err := s.Compact(snap); !errors.Is(err, ErrSnapshotOutOfDate) {
		t.Fatalf("repeated compaction: %v", err)
	}
	got, _ := s.Snapshot()
	if got.Meta.Index != 3 || string(got.Data) != "s" {
		t.Fatalf("stored snapshot %+v", got)
	}
	// Appending over the compacted prefix keeps only the new tail.
	must(t, s.Append(entriesWithTerms(2, 1, 2, 4)))
	if term, _ := s.Term(4); term != 4 {
		t.Fatalf("term at 4 after overwrite: %d", term)
	}
}

func TestMemoryStorageEntriesByteLimit(t *testing.T) {
	s := NewMemoryStorage()
	var ents []Entry
	for i := range 10 {
		ents = append(ents, Entry{Index: uint64(i + 1), Term: 1, Type: EntryNormal, Data: make([]byte, 10)})
	}
	must(t, s.Append(ents))
	for _, tc := range []struct {
		max  uint64
		want int
	}{{0, 1}, {10, 1}, {25, 2}, {30, 3}, {noByteLimit, 10}} {
		got, err := s.Entries(1, 11, tc.max)
		must(t, err)
		if len(got) != tc.want {
			t.Errorf("max %d bytes: %d entries, want %d", tc.max, len(got), tc.want)
		}
	}
}

func TestRestartRebuildsState(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	for i := range 3 {
		n.propose(1, dataN("r", i))
	}
	proposeCC(t, n, 1, ConfAddLearner, 4)
	before := n.status(2)
	n.restart(2)
	after := n.status(2)
	if after.Term != before.Term || after.Vote != before.Vote || after.Commit != before.Commit ||
		after.LastIndex != before.LastIndex || !after.Membership.Equal(before.Membership) {
		t.Fatalf("restart changed state:\nbefore %+v\nafter  %+v", before, after)
	}
	// The application gets every committed entry again (it restarted too).
	n.stabilize()
	if got := n.nodes[2].appliedData(); len(got) != 3 {
		t.Fatalf("re-applied %v", got)
	}
}

func TestRestartWithAppliedSkipsReapplying(t *testing.T) {
	n := newTestNet(t, ids(1), nil)
	n.electLeader(1)
	n.propose(1, "a")
	n.propose(1, "b")
	tn := n.nodes[1]
	c := n.config(1, tn.storage)
	c.Applied = 3
	rn, err := Restart(c)
	must(t, err)
	rd := rn.Ready()
	if len(rd.CommittedEntries) != 1 || string(rd.CommittedEntries[0].Data) != "b" {
		t.Fatalf("committed entries after restart with Applied=3: %+v", rd.CommittedEntries)
	}
	c.Applied = 99
	if _, err := Restart(c); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("Applied beyond commit: %v", err)
	}
}

func TestRestartRejectsCommitBeyondLog(t *testing.T) {
	s := NewMemoryStorage()
	must(t, s.Append(entriesWithTerms(1, 1, 1)))
	must(t, s.SetHardState(HardState{Term: 1, Commit: 5}))
	if _, err := Restart(testConfig(1, s)); !errors.Is(err, ErrCorruptState) {
		t.Fatalf("commit beyond the log: %v", err)
	}
}

func TestStartValidation(t *testing.T) {
	if _, err := Start(testConfig(1, NewMemoryStorage()), Membership{}); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("no voters: %v", err)
	}
	if _, err := Start(testConfig(1, NewMemoryStorage()), Membership{Voters: ids(2, 1)}); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("unsorted voters: %v", err)
	}
	s := NewMemoryStorage()
	must(t, s.Append(entriesWithTerms(1, 1)))
	if _, err := Start(testConfig(1, s), Membership{Voters: ids(1)}); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("non-empty storage: %v", err)
	}
	bad := []func(c *Config){
		func(c *Config) { c.ID = None },
		func(c *Config) { c.Storage = nil },
		func(c *Config) { c.Rand = nil },
		func(c *Config) { c.ElectionTicks = 1 },
		func(c *Config) { c.HeartbeatTicks = c.ElectionTicks },
		func(c *Config) { c.MaxAppendBytes = AppendBytesMax + 1 },
		func(c *Config) { c.MaxInflightAppends = InflightAppendsMax + 1 },
		func(c *Config) { c.SnapshotChunkBytes = SnapshotChunkBytesMax + 1 },
	}
	for i, mutate := range bad {
		c := testConfig(1, NewMemoryStorage())
		mutate(&c)
		if _, err := Restart(c); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("bad config %d accepted: %v", i, err)
		}
	}
}

// failingStorage fails every call once armed.
type failingStorage struct {
	*MemoryStorage
	armed bool
}

var errDisk = fmt.Errorf("disk on fire")

func (f *failingStorage) Entries(lo, hi, maxBytes uint64) ([]Entry, error) {
	if f.armed {
		return nil, errDisk
	}
	return f.MemoryStorage.Entries(lo, hi, maxBytes)
}

func (f *failingStorage) Term(i uint64) (uint64, error) {
	if f.armed {
		return 0, errDisk
	}
	return f.MemoryStorage.Term(i)
}

func TestStorageFailureStopsNode(t *testing.T) {
	fs := &failingStorage{MemoryStorage: NewMemoryStorage()}
	rn, err := Start(testConfig(1, fs), Membership{Voters: ids(1)})
	must(t, err)
	rd := rn.Ready()
	must(t, fs.Append(rd.Entries))
	rn.Advance(rd)
	must(t, rn.Campaign())
	rd = rn.Ready()
	must(t, fs.Append(rd.Entries))
	rn.Advance(rd)
	_, _, err = rn.Propose([]byte("x"))
	must(t, err)
	rd = rn.Ready()
	must(t, fs.Append(rd.Entries))
	rn.Advance(rd)
	// Compacting reads the stored log (for the membership); it fails.
	fs.armed = true
	if err := rn.Compact(3, []byte("state")); !errors.Is(err, ErrStorageFailed) || !errors.Is(err, errDisk) {
		t.Fatalf("compact on failing storage: %v", err)
	}
	if !errors.Is(rn.Err(), ErrStorageFailed) {
		t.Fatalf("node did not stop on a storage error: %v", rn.Err())
	}
	if _, err := Restart(testConfig(1, fs)); !errors.Is(err, ErrStorageFailed) {
		t.Fatalf("restart on failing storage: %v", err)
	}
	if rn.HasReady() || !rn.Ready().IsEmpty() {
		t.Fatal("a stopped node still has work")
	}
	if err := rn.Step(Message{Type: MsgHeartbeat, From: 2, To: 1, Term: 9}); !errors.Is(err, ErrStorageFailed) {
		t.Fatalf("step on a stopped node: %v", err)
	}
}

func TestInvalidMessagesAreRejected(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	rn := n.nodes[2].rn
	cc := EncodeConfChange(ConfChange{ConfAddVoter, 4}, Membership{Voters: ids(1, 2, 3, 4)})
	bad := []Message{
		{Type: MsgAppend, From: 1, To: 3, Term: 2},
		{Type: MsgAppend, From: 2, To: 2, Term: 2},
		{Type: MsgAppend, From: None, To: 2, Term: 2},
		{Type: MsgAppend, From: 1, To: 2, Term: 0},
		{Type: 0, From: 1, To: 2, Term: 2},
		{Type: MsgAppend, From: 1, To: 2, Term: 2, Index: 2, Entries: []Entry{{Index: 4, Term: 2, Type: EntryNormal}}},
		{Type: MsgAppend, From: 1, To: 2, Term: 2, Index: 2, Entries: []Entry{{Index: 3, Term: 3, Type: EntryNormal}}},
		{Type: MsgAppend, From: 1, To: 2, Term: 2, Index: 2, LogTerm: 2, Entries: []Entry{{Index: 3, Term: 1, Type: EntryNormal}}},
		{Type: MsgAppend, From: 1, To: 2, Term: 2, Index: 2, Entries: []Entry{{Index: 3, Term: 2, Type: 9}}},
		{Type: MsgAppend, From: 1, To: 2, Term: 2, Index: 2, Entries: []Entry{{Index: 3, Term: 2, Type: EntryConfChange, Data: cc[:2]}}},
		{Type: MsgHeartbeat, From: 1, To: 2, Term: 2, Entries: []Entry{{Index: 3, Term: 2, Type: EntryNormal}}},
		{Type: MsgSnapshot, From: 1, To: 2, Term: 2},
		{Type: MsgSnapshot, From: 1, To: 2, Term: 2, Snapshot: &SnapshotMeta{Index: 5, Term: 2}, SnapshotSize: 3, ChunkData: []byte("abcd")},
		{Type: MsgSnapshot, From: 1, To: 2, Term: 2, Snapshot: &SnapshotMeta{Index: 5, Term: 2}, SnapshotSize: 9, ChunkData: []byte("ab"), ChunkLast: true},
		{Type: MsgSnapshot, From: 1, To: 2, Term: 2, Snapshot: &SnapshotMeta{Index: 5, Term: 3}, SnapshotSize: 1, ChunkData: []byte("a")},
	}
	before := n.status(2)
	for i, m := range bad {
		if err := rn.Step(m); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("message %d (%s) accepted: %v", i, m, err)
		}
	}
	if after := n.status(2); after.Term != before.Term || after.LastIndex != before.LastIndex || after.Commit != before.Commit {
		t.Fatalf("invalid messages changed state: %+v -> %+v", before, after)
	}
}

func TestAppendBelowCommitNeverRewritesCommittedEntries(t *testing.T) {
	n := newTestNet(t, ids(1, 2, 3), nil)
	n.electLeader(1)
	n.propose(1, "a")
	st := n.status(2)
	// A message claiming committed entry st.Commit has another term.
	m := Message{Type: MsgAppend, From: 3, To: 2, Term: st.Term + 1, Index: st.Commit - 1, LogTerm: 2,
		Entries: []Entry{{Index: st.Commit, Term: st.Term + 1, Type: EntryNormal, Data: []byte("evil")}}}
	must(t, n.nodes[2].rn.Step(m))
	rd := n.nodes[2].rn.Ready()
	if len(rd.Entries) != 0 || len(rd.Messages) != 1 || rd.Messages[0].Index != st.Commit || rd.Messages[0].Reject {
		t.Fatalf("append below commit: %+v", rd)
	}
}
