package raftlog

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"jsnode/disk"
	"jsnode/disk/faultfs"
	"jsnode/disk/memfs"
	"jsnode/node/raft"
)

// The crash property: a random sequence of Save (appends, overwrites,
// hard-state changes, snapshot installs), Sync, Compact and injected I/O
// errors, interrupted by power losses (memfs.CrashClone with random
// keep/tear probabilities). After each crash the reopened log must hold
// exactly a state the history allows:
//
//   - term and vote: those of a hard state saved since the last Sync
//     that returned (so the vote synced then is never lost);
//   - commit index: at least the one synced, at most the latest saved;
//   - snapshot: one that was stored, no older than the last one whose
//     call returned;
//   - entries: a prefix of a log state reached since the last Sync (the
//     unsynced writes of a crash keep a prefix, a torn one is cut) that
//     still holds every acknowledged entry not since overwritten.

// armedInjector fails the countdown-th write-like operation after it is
// armed, once.
type armedInjector struct {
	countdown int
	err       error
	fired     bool
}

func (a *armedInjector) MaybeError(op faultfs.Op, _ string) error {
	if a.countdown == 0 || !op.IsWrite() {
		return nil
	}
	a.countdown--
	if a.countdown > 0 {
		return nil
	}
	a.fired = true
	return a.err
}

// candidate is a log state the disk may legitimately hold after a crash:
// entry i at log[i-1] (Index 0: unknown, before an installed snapshot),
// with every index up to floor required.
type candidate struct {
	log   []raft.Entry
	floor uint64
}

type crashModel struct {
	mem  *memfs.FS
	inj  *armedInjector
	opts Options
	log  *Log

	// The state the Log must serve now.
	hs   raft.HardState
	snap raft.Snapshot
	full []raft.Entry // entry i at full[i-1]

	// What a crash may leave, relative to the last Sync that returned.
	ackCommit uint64
	snapFloor uint64
	hsSeen    []raft.HardState
	cands     []candidate
	floor     uint64
	snaps     map[uint64]raft.Snapshot
	failed    bool
	crashes   int
}

func newCrashModel(t *rapid.T) *crashModel {
	opts := rapid.SampledFrom([]Options{{}, smallSegments, {SegmentBytes: 600, CacheBytes: -1}}).Draw(t, "opts")
	m := &crashModel{mem: memfs.New(), inj: &armedInjector{}, opts: opts, snaps: map[uint64]raft.Snapshot{}}
	l, err := Open(faultfs.Wrap(m.mem, m.inj), testDir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	m.log = l
	m.acknowledge()
	return m
}

func (m *crashModel) base() uint64 { return m.snap.Meta.Index }
func (m *crashModel) last() uint64 { return uint64(len(m.full)) }

func (m *crashModel) term(i uint64) uint64 {
	if i == m.base() {
		return m.snap.Meta.Term
	}
	if i == 0 {
		return 0
	}
	return m.full[i-1].Term
}

func (m *crashModel) record() {
	m.cands = append(m.cands, candidate{log: slices.Clone(m.full), floor: m.floor})
}

// acknowledge notes that everything saved is now durable.
func (m *crashModel) acknowledge() {
	m.ackCommit, m.snapFloor = m.hs.Commit, m.base()
	m.hsSeen = []raft.HardState{m.hs}
	m.floor = m.last()
	m.cands = nil
	m.record()
}

// check handles the error of a mutating call: only an injected fault may
// cause one, and then the Log must be stopped.
func (m *crashModel) check(t *rapid.T, what string, err error) bool {
	switch {
	case err == nil && m.inj.fired:
		t.Fatalf("%s: the injected fault was swallowed", what)
	case err == nil:
		return true
	case !m.inj.fired:
		t.Fatalf("%s: %v", what, err)
	case !errors.Is(err, ErrFailed):
		t.Fatalf("%s: an I/O error did not stop the log: %v", what, err)
	}
	m.failed = true
	return false
}

// checkServed compares what the Log serves with the model.
func (m *crashModel) checkServed(t *rapid.T) {
	want := state{HS: m.hs, Snap: m.snap, Entries: m.full[m.base():]}
	if d := diffState(want, readState(t, m.log)); d != "" {
		t.Fatalf("served state differs (-want +got):\n%s", d)
	}
}

func (m *crashModel) save(t *rapid.T, hs raft.HardState, ents []raft.Entry, snap *raft.Snapshot) {
	if snap != nil {
		m.snaps[snap.Meta.Index] = *snap
		m.snap = *snap
		m.full = make([]raft.Entry, snap.Meta.Index)
		m.floor = min(m.floor, snap.Meta.Index)
		m.record()
	}
	if len(ents) > 0 && ents[0].Index <= m.last() {
		// The replaced entries are no longer promised: the truncation may
		// reach the disk in steps (later segments first), so any earlier
		// state cut anywhere from ents[0].Index-1 on is allowed too.
		m.full = m.full[:ents[0].Index-1]
		m.floor = min(m.floor, m.last())
		for k := range m.cands {
			m.cands[k].floor = min(m.cands[k].floor, m.last())
		}
		m.record()
	}
	for _, e := range ents {
		m.full = append(m.full, e)
		m.record()
	}
	if !hs.IsEmpty() {
		m.hs = hs
		m.hsSeen = append(m.hsSeen, hs)
	}
	m.hs.Commit = max(m.hs.Commit, m.base())
	if m.check(t, "Save", m.log.Save(hs, ents, snap)) {
		m.checkServed(t)
	}
}

// nextHardState returns the hard state for a new term, or the current
// one if term is not newer.
func (m *crashModel) nextHardState(t *rapid.T, term uint64) raft.HardState {
	hs := m.hs
	if term > hs.Term {
		hs.Term, hs.Vote = term, raft.ID(rapid.IntRange(0, 3).Draw(t, "vote"))
	}
	return hs
}

func randomEntries(t *rapid.T, start uint64, n int, term uint64) []raft.Entry {
	ents := make([]raft.Entry, n)
	for k := range ents {
		typ := rapid.SampledFrom([]raft.EntryType{raft.EntryNormal, raft.EntryConfChange}).Draw(t, "type")
		ents[k] = raft.Entry{Index: start + uint64(k), Term: term, Type: typ,
			Data: rapid.SliceOfN(rapid.Byte(), 0, 60).Draw(t, "data")}
	}
	return ents
}

func (m *crashModel) appendEntries(t *rapid.T) {
	if m.failed {
		m.crash(t)
		return
	}
	last, lo := m.last(), max(m.hs.Commit, m.base())+1
	start := last + 1
	if lo <= last && rapid.IntRange(0, 3).Draw(t, "overwrite") == 0 {
		start = rapid.Uint64Range(lo, last).Draw(t, "start")
	}
	term := max(m.term(start-1), m.hs.Term)
	if start <= last {
		term = max(term, m.term(start)) + 1 // a new leader's entries
	}
	term += uint64(rapid.IntRange(0, 1).Draw(t, "bump"))
	ents := randomEntries(t, start, rapid.IntRange(1, 6).Draw(t, "n"), term)
	hs := m.nextHardState(t, term)
	hs.Commit = rapid.Uint64Range(m.hs.Commit, start+uint64(len(ents))-1).Draw(t, "commit")
	if hs == m.hs {
		hs = raft.HardState{}
	}
	m.save(t, hs, ents, nil)
}

func (m *crashModel) vote(t *rapid.T) {
	if m.failed {
		m.crash(t)
		return
	}
	hs := m.hs
	if hs.Vote != raft.None || rapid.Bool().Draw(t, "newterm") {
		hs.Term++
		hs.Vote = raft.ID(rapid.IntRange(0, 3).Draw(t, "vote"))
	} else {
		hs.Vote = raft.ID(rapid.IntRange(1, 3).Draw(t, "vote"))
	}
	m.save(t, hs, nil, nil)
}

func (m *crashModel) commit(t *rapid.T) {
	if m.failed {
		m.crash(t)
		return
	}
	if m.hs.Commit >= m.last() {
		t.Skip("nothing to commit")
	}
	hs := m.hs
	hs.Commit = rapid.Uint64Range(hs.Commit+1, m.last()).Draw(t, "commit")
	m.save(t, hs, nil, nil)
}

func (m *crashModel) install(t *rapid.T) {
	if m.failed {
		m.crash(t)
		return
	}
	idx := rapid.Uint64Range(max(m.hs.Commit, m.base())+1, m.last()+8).Draw(t, "index")
	term := max(m.hs.Term, m.term(m.last())) + uint64(rapid.IntRange(0, 1).Draw(t, "bump"))
	snap := raft.Snapshot{Meta: raft.SnapshotMeta{Index: idx, Term: term,
		Membership: raft.Membership{Voters: []raft.ID{1, 2, 3}}},
		Data: rapid.SliceOfN(rapid.Byte(), 0, 80).Draw(t, "snapdata")}
	hs := m.nextHardState(t, term)
	hs.Commit = idx
	ents := randomEntries(t, idx+1, rapid.IntRange(0, 3).Draw(t, "n"), term)
	m.save(t, hs, ents, &snap)
}

func (m *crashModel) compact(t *rapid.T) {
	if m.failed {
		m.crash(t)
		return
	}
	if m.hs.Commit <= m.base() {
		t.Skip("nothing to compact")
	}
	idx := rapid.Uint64Range(m.base()+1, m.hs.Commit).Draw(t, "index")
	snap := raft.Snapshot{Meta: raft.SnapshotMeta{Index: idx, Term: m.term(idx),
		Membership: raft.Membership{Voters: []raft.ID{1}, Learners: []raft.ID{4}}},
		Data: rapid.SliceOfN(rapid.Byte(), 0, 80).Draw(t, "snapdata")}
	m.snaps[idx] = snap
	m.snap = snap
	if m.check(t, "Compact", m.log.Compact(snap)) {
		m.acknowledge()
		m.checkServed(t)
	}
}

func (m *crashModel) sync(t *rapid.T) {
	if m.failed {
		m.crash(t)
		return
	}
	if m.check(t, "Sync", m.log.Sync()) {
		m.acknowledge()
	}
}

// syncReopen syncs, closes and reopens without a crash: nothing changes.
func (m *crashModel) syncReopen(t *rapid.T) {
	m.sync(t)
	if m.failed {
		return
	}
	if err := m.log.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	l, err := Open(faultfs.Wrap(m.mem, m.inj), testDir, m.opts)
	if err != nil {
		if !m.inj.fired {
			t.Fatalf("reopen: %v", err)
		}
		m.crash(t) // an injected fault during Open: power off and retry
		return
	}
	m.log = l
	m.checkServed(t)
}

func (m *crashModel) arm(t *rapid.T) {
	if m.inj.countdown == 0 && !m.inj.fired {
		m.inj.countdown = rapid.IntRange(1, 8).Draw(t, "countdown")
		m.inj.err = rapid.SampledFrom([]error{disk.ErrIO, disk.ErrNoSpace}).Draw(t, "fault")
	}
}

var crashProbabilities = []float64{0, 0.5, 1}

func (m *crashModel) crash(t *rapid.T) {
	if m.failed {
		if err := m.log.Save(raft.HardState{}, nil, nil); !errors.Is(err, ErrFailed) {
			t.Fatalf("Save on a failed log: %v", err)
		}
		if err := m.log.Sync(); !errors.Is(err, ErrFailed) {
			t.Fatalf("Sync on a failed log: %v", err)
		}
	}
	opts := memfs.CrashOptions{Seed: rapid.Uint64().Draw(t, "seed"),
		UnsyncedKeepProbability:    rapid.SampledFrom(crashProbabilities).Draw(t, "keep"),
		TornWriteProbability:       rapid.SampledFrom(crashProbabilities).Draw(t, "torn"),
		UnsyncedDirKeepProbability: rapid.SampledFrom(crashProbabilities).Draw(t, "dirkeep")}
	_ = m.log.Close()
	before := dumpWAL(m.mem)
	m.mem = m.mem.CrashClone(opts)
	m.inj = &armedInjector{}
	l, err := Open(faultfs.Wrap(m.mem, m.inj), testDir, m.opts)
	if err != nil {
		t.Fatalf("Open after crash: %v\nbefore:\n%safter:\n%s", err, before, dumpWAL(m.mem))
	}
	got, err := tryReadState(l)
	if err != nil {
		t.Fatalf("reading the recovered state: %v", err)
	}
	if why := m.allowed(got); why != "" {
		t.Fatalf("crash %d: recovered state not allowed: %s\nrecovered: hs %+v snap %d/%d entries %d..%d",
			m.crashes, why, got.HS, got.Snap.Meta.Index, got.Snap.Meta.Term, got.Snap.Meta.Index+1,
			got.Snap.Meta.Index+uint64(len(got.Entries)))
	}
	m.adopt(l, got)
}

// allowed explains why a recovered state is not one the history allows.
func (m *crashModel) allowed(got state) string {
	if !slices.ContainsFunc(m.hsSeen, func(hs raft.HardState) bool {
		return hs.Term == got.HS.Term && hs.Vote == got.HS.Vote
	}) {
		return fmt.Sprintf("term %d vote %d never saved since the last sync (synced %+v)", got.HS.Term, got.HS.Vote, m.hsSeen[0])
	}
	if got.HS.Commit < m.ackCommit || got.HS.Commit > m.hs.Commit {
		return fmt.Sprintf("commit %d outside [synced %d, saved %d]", got.HS.Commit, m.ackCommit, m.hs.Commit)
	}
	idx := got.Snap.Meta.Index
	if idx < m.snapFloor {
		return fmt.Sprintf("snapshot %d older than the stored %d", idx, m.snapFloor)
	}
	if want, ok := m.snaps[idx]; (ok || idx > 0) && diffState(state{Snap: want}, state{Snap: got.Snap}) != "" {
		return fmt.Sprintf("snapshot %d differs from the one stored", idx)
	}
	last := idx + uint64(len(got.Entries))
	for _, c := range m.cands {
		if last >= c.floor && last <= uint64(len(c.log)) && entriesMatch(c.log, got.Entries) {
			return ""
		}
	}
	return fmt.Sprintf("entries %s match no state since the last sync:\n%s", describe(got.Entries), m.describeCandidates())
}

func entriesMatch(full, got []raft.Entry) bool {
	for _, e := range got {
		w := full[e.Index-1]
		if w.Index != e.Index || w.Term != e.Term || w.Type != e.Type || !bytes.Equal(w.Data, e.Data) {
			return false
		}
	}
	return true
}

// adopt continues from the recovered state.
func (m *crashModel) adopt(l *Log, got state) {
	m.log, m.failed = l, false
	m.crashes++
	m.hs, m.snap = got.HS, got.Snap
	m.full = make([]raft.Entry, got.Snap.Meta.Index, got.Snap.Meta.Index+uint64(len(got.Entries)))
	m.full = append(m.full, got.Entries...)
	m.acknowledge()
}

func TestCrashProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := newCrashModel(t)
		t.Repeat(map[string]func(*rapid.T){
			"append":  m.appendEntries,
			"append2": m.appendEntries,
			"vote":    m.vote,
			"commit":  m.commit,
			"sync":    m.sync,
			"reopen":  m.syncReopen,
			"install": m.install,
			"compact": m.compact,
			"crash":   m.crash,
			"fault":   m.arm,
			"crash2":  m.crash,
		})
	})
}

// describe renders entries as index/term pairs for failure messages.
func describe(ents []raft.Entry) string {
	var b bytes.Buffer
	for _, e := range ents {
		fmt.Fprintf(&b, " %d/%d", e.Index, e.Term)
	}
	return b.String()
}

func (m *crashModel) describeCandidates() string {
	var b bytes.Buffer
	for _, c := range m.cands {
		fmt.Fprintf(&b, "  floor %d:%s\n", c.floor, describe(c.log[m.snapFloor:]))
	}
	return b.String()
}
