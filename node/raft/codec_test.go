package raft

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func sampleMessages() []Message {
	meta := SnapshotMeta{Index: 90, Term: 7, Membership: Membership{Voters: ids(1, 2, 3), Learners: ids(9)}}
	return []Message{
		{Type: MsgAppend, From: 1, To: 2, Term: 7, LogTerm: 6, Index: 99, Commit: 98, Entries: []Entry{
			{Term: 7, Index: 100, Type: EntryNormal, Data: []byte("hello")},
			{Term: 7, Index: 101, Type: EntryNormal},
			{Term: 7, Index: 102, Type: EntryConfChange, Data: EncodeConfChange(ConfChange{ConfAddLearner, 9}, meta.Membership)},
		}},
		{Type: MsgAppendResp, From: 2, To: 1, Term: 7, Index: 99, Reject: true, RejectHint: 50, LogTerm: 4},
		{Type: MsgVote, From: 3, To: 1, Term: 8, Index: 120, LogTerm: 7, Transfer: true},
		{Type: MsgPreVoteResp, From: 1, To: 3, Term: 8},
		{Type: MsgHeartbeat, From: 1, To: 2, Term: 7, Commit: 55, Context: 12},
		{Type: MsgSnapshot, From: 1, To: 2, Term: 7, Snapshot: &meta, SnapshotSize: 10, ChunkOffset: 4,
			ChunkData: []byte("456789"), ChunkLast: true},
		{Type: MsgSnapshotResp, From: 2, To: 1, Term: 7, Index: 90, LogTerm: 7, ChunkOffset: 4},
		{Type: MsgTimeoutNow, From: 1, To: 3, Term: 7},
		{Type: MsgReadIndexResp, From: 1, To: 3, Term: 7, Index: 44, Context: 1 << 60},
	}
}

func TestCodecRoundTrip(t *testing.T) {
	for _, m := range sampleMessages() {
		b, err := Marshal(m)
		must(t, err)
		got, err := Unmarshal(b)
		must(t, err)
		if d := cmp.Diff(m, got); d != "" {
			t.Errorf("%s round trip (-want +got):\n%s", m.Type, d)
		}
		// Every strict prefix is rejected, never a panic.
		for i := range len(b) {
			if _, err := Unmarshal(b[:i]); err == nil {
				t.Errorf("%s: prefix of %d/%d bytes decoded", m.Type, i, len(b))
			}
		}
		if _, err := Unmarshal(append(b, 0)); err == nil {
			t.Errorf("%s: trailing byte accepted", m.Type)
		}
	}
}

func TestCodecDoesNotAliasInput(t *testing.T) {
	m := sampleMessages()[0]
	b, err := Marshal(m)
	must(t, err)
	got, err := Unmarshal(b)
	must(t, err)
	for i := range b {
		b[i] = 0xff
	}
	if string(got.Entries[0].Data) != "hello" {
		t.Fatal("decoded message aliases the input buffer")
	}
}

func TestCodecLimits(t *testing.T) {
	if _, err := Unmarshal(make([]byte, MessageBytesMax+1)); !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("oversized input: %v", err)
	}
	big := Message{Type: MsgAppend, From: 1, To: 2, Term: 1}
	for i := range 5 {
		big.Entries = append(big.Entries, Entry{Term: 1, Index: uint64(i + 1), Type: EntryNormal, Data: make([]byte, EntryBytesMax)})
	}
	if _, err := Marshal(big); !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("oversized message marshalled: %v", err)
	}
	// A count larger than the remaining input is refused before allocating.
	b, _ := Marshal(Message{Type: MsgAppend, From: 1, To: 2, Term: 1})
	b = append(b[:len(b)-1], 0xff, 0xff, 0x03) // entry count 65535
	if _, err := Unmarshal(b); !errors.Is(err, ErrInvalidMessage) {
		t.Fatalf("huge entry count: %v", err)
	}
	// Unknown version, type and flag bits.
	good, _ := Marshal(sampleMessages()[3])
	for _, mutate := range []func(b []byte){
		func(b []byte) { b[0] = 2 },
		func(b []byte) { b[1] = 0 },
		func(b []byte) { b[1] = 99 },
		func(b []byte) { b[2] = 0x80 },
	} {
		bad := bytes.Clone(good)
		mutate(bad)
		if _, err := Unmarshal(bad); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("mutated header accepted: %v", err)
		}
	}
}

func TestCodecRejectsInvalidMembership(t *testing.T) {
	meta := SnapshotMeta{Index: 1, Term: 1, Membership: Membership{Voters: ids(3, 1)}}
	b, err := Marshal(Message{Type: MsgSnapshot, From: 1, To: 2, Term: 1, Snapshot: &meta})
	must(t, err)
	if _, err := Unmarshal(b); !errors.Is(err, ErrInvalidMessage) {
		t.Fatalf("unsorted membership accepted: %v", err)
	}
}

func TestEntryHardStateMetaCodecs(t *testing.T) {
	e := Entry{Term: 3, Index: 1 << 40, Type: EntryConfChange, Data: []byte{1, 2, 3}}
	got, err := UnmarshalEntry(AppendEntry(nil, e))
	must(t, err)
	if d := cmp.Diff(e, got); d != "" {
		t.Fatal(d)
	}
	hs := HardState{Term: 9, Vote: 3, Commit: 77}
	ghs, err := UnmarshalHardState(AppendHardState(nil, hs))
	must(t, err)
	if ghs != hs {
		t.Fatalf("hard state %+v", ghs)
	}
	meta := SnapshotMeta{Index: 5, Term: 2, Membership: Membership{Voters: ids(1), Learners: ids(2)}}
	gm, err := UnmarshalSnapshotMeta(AppendSnapshotMeta(nil, meta))
	must(t, err)
	if d := cmp.Diff(meta, gm); d != "" {
		t.Fatal(d)
	}
	if _, err := UnmarshalHardState([]byte{1}); err == nil {
		t.Fatal("truncated hard state decoded")
	}
}

// FuzzUnmarshal: arbitrary input never panics, and whatever decodes
// re-encodes to something that decodes to the same message.
func FuzzUnmarshal(f *testing.F) {
	for _, m := range sampleMessages() {
		b, _ := Marshal(m)
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{1, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Unmarshal(b)
		if err != nil {
			return
		}
		b2, err := Marshal(m)
		if err != nil {
			t.Fatalf("decoded message does not re-encode: %v", err)
		}
		m2, err := Unmarshal(b2)
		if err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if d := cmp.Diff(m, m2); d != "" {
			t.Fatalf("round trip differs:\n%s", d)
		}
		// Stepping a decoded message never panics a follower or a leader.
		m.To = 1
		for _, leader := range []bool{false, true} {
			n := newFuzzNode(t, leader)
			_ = n.Step(m)
			_ = n.Ready()
			n.Tick()
		}
	})
}

// newFuzzNode returns node 1 of a group with peers 2 and 3, as a follower
// or (with 2 and 3 as learners) as the leader.
func newFuzzNode(t *testing.T, leader bool) *RawNode {
	members := Membership{Voters: ids(1, 2, 3)}
	if leader {
		members = Membership{Voters: ids(1), Learners: ids(2, 3)}
	}
	rn, err := Start(testConfig(1, NewMemoryStorage()), members)
	must(t, err)
	if leader {
		must(t, rn.Campaign())
		if rn.Status().Role != RoleLeader {
			t.Fatal("fuzz leader not elected")
		}
		for i := range 3 {
			_, _, err := rn.Propose([]byte{byte(i)})
			must(t, err)
		}
	}
	return rn
}
