package raftcheck

import (
	"errors"
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// The property tests drive the checker with histories of an idealised
// Raft group (model below): every history it generates is valid, so the
// checker must stay silent; a violation planted at the end of one must be
// reported under its check, and only it.

// modelMember is one member: its durable log, snapshot and term, and its
// current incarnation's applied state.
type modelMember struct {
	name    string
	log     []Entry // the entry at index i is log[i-1]
	snap    uint64  // entries up to snap are compacted
	term    uint64  // highest term it has seen
	applied uint64
	state   uint64 // application state digest after applied
	obs     *Member
}

var errCompacted = errors.New("compacted")

// Term reads the member's log as a Log.
func (mm *modelMember) Term(i uint64) (uint64, error) {
	switch {
	case i == 0:
		return 0, nil
	case i < mm.snap || i > uint64(len(mm.log)):
		return 0, errCompacted
	}
	return mm.log[i-1].Term, nil
}

type model struct {
	chk       *Checker
	got       []Violation
	members   []*modelMember
	term      uint64
	leader    *modelMember // leads term; nil when none does
	committed []Entry      // committed[i-1] is the entry committed at i
	commitBy  []uint64     // the term whose leader committed index i
	states    []uint64     // application state after each committed index
	nextData  uint64
	seen      coverage
}

// coverage counts what a history exercised, so the tests can show the
// generator reaches the interesting cases.
type coverage struct {
	elections, overwrites, restores, lateLeaders int
}

func (c *coverage) add(o coverage) {
	c.elections += o.elections
	c.overwrites += o.overwrites
	c.restores += o.restores
	c.lateLeaders += o.lateLeaders
}

func newModel(t *rapid.T) *model {
	md := &model{}
	md.chk = New(func(v Violation) { md.got = append(md.got, v) })
	n := rapid.IntRange(1, 5).Draw(t, "members")
	for i := range n {
		name := fmt.Sprintf("m%d", i)
		md.members = append(md.members, &modelMember{name: name, obs: md.chk.Member(name)})
	}
	return md
}

func (md *model) quorum() int { return len(md.members)/2 + 1 }

// holdsCommitted reports whether mm's log holds every committed entry.
func (md *model) holdsCommitted(mm *modelMember) bool {
	c := len(md.committed)
	return c == 0 || len(mm.log) >= c && mm.log[c-1].Term == md.committed[c-1].Term
}

// elect makes a member that holds every committed entry leader of a new
// term, with a quorum's votes.
func (md *model) elect(t *rapid.T) {
	var cands []*modelMember
	for _, mm := range md.members {
		if md.holdsCommitted(mm) {
			cands = append(cands, mm)
		}
	}
	l := rapid.SampledFrom(cands).Draw(t, "leader")
	md.seen.elections++
	if len(l.log) < len(md.leaderLog()) {
		md.seen.lateLeaders++ // it lacks uncommitted entries another leader wrote
	}
	md.term++
	md.leader, l.term = l, md.term
	md.chk.Voted(l.name, l.name, md.term)
	votes := 1
	for _, mm := range md.members {
		if mm != l && votes < md.quorum() {
			md.chk.Voted(mm.name, l.name, md.term)
			mm.term = max(mm.term, md.term)
			votes++
		}
	}
	l.obs.Leading(md.term, l.snap, l)
}

// leaderLog is the current leader's log (nil when none leads).
func (md *model) leaderLog() []Entry {
	if md.leader == nil {
		return nil
	}
	return md.leader.log
}

// propose has the leader append new entries of its term.
func (md *model) propose(t *rapid.T) {
	l := md.leader
	var ents []Entry
	for range rapid.IntRange(1, 3).Draw(t, "entries") {
		md.nextData++
		e := Entry{Index: uint64(len(l.log)) + 1, Term: md.term, Digest: Digest(0, []byte(fmt.Sprint(md.nextData)))}
		l.log = append(l.log, e)
		ents = append(ents, e)
	}
	l.obs.Appended(ents, l)
}

// replicate sends the leader's log up to p to f, as AppendEntries does:
// f keeps what matches and replaces its log from the first conflict on.
func (md *model) replicate(f *modelMember, p int) {
	l := md.leader
	f.term = md.term
	for i := 1; i <= p; i++ {
		if i <= len(f.log) && f.log[i-1].Term == l.log[i-1].Term {
			continue
		}
		if i <= len(f.log) {
			md.seen.overwrites++
		}
		ents := append([]Entry(nil), l.log[i-1:p]...)
		f.log = append(f.log[:i-1:i-1], ents...)
		f.obs.Appended(ents, f)
		return
	}
}

// commit advances the commit to an entry of the leader's term that a
// quorum holds.
func (md *model) commit(t *rapid.T) {
	l := md.leader
	var ok []int
	for c := len(md.committed) + 1; c <= len(l.log); c++ {
		if l.log[c-1].Term != md.term {
			continue
		}
		holders := 0
		for _, mm := range md.members {
			if len(mm.log) >= c && mm.log[c-1].Term == md.term {
				holders++
			}
		}
		if holders >= md.quorum() {
			ok = append(ok, c)
		}
	}
	if len(ok) == 0 {
		return
	}
	c := rapid.SampledFrom(ok).Draw(t, "commit")
	for i := len(md.committed); i < c; i++ {
		prev := uint64(0)
		if i > 0 {
			prev = md.states[i-1]
		}
		md.committed = append(md.committed, l.log[i])
		md.commitBy = append(md.commitBy, md.term)
		md.states = append(md.states, prev*31+l.log[i].Digest)
	}
}

// apply has mm apply its next committed entry, if it holds it.
func (md *model) apply(mm *modelMember) {
	i := mm.applied
	if i >= uint64(len(md.committed)) || i >= uint64(len(mm.log)) || mm.log[i].Term != md.committed[i].Term {
		return
	}
	// mm learnt of the commit from a leader of that term or later.
	mm.term = max(mm.term, md.commitBy[i])
	mm.obs.Applied(mm.log[i], mm.term)
	mm.applied, mm.state = i+1, md.states[i]
	mm.obs.State(mm.applied, mm.state)
}

// crash restarts mm: a new incarnation over its durable log, its state
// restored from its snapshot.
func (md *model) crash(mm *modelMember) {
	if md.leader == mm {
		md.leader = nil
	}
	mm.obs = md.chk.Member(mm.name)
	mm.applied, mm.state = mm.snap, 0
	if mm.snap > 0 {
		mm.state = md.states[mm.snap-1]
		mm.obs.Restored(mm.snap, mm.log[mm.snap-1].Term)
		md.seen.restores++
		mm.obs.State(mm.snap, mm.state)
	}
}

// step takes one random action that keeps the history valid.
func (md *model) step(t *rapid.T) {
	mm := rapid.SampledFrom(md.members).Draw(t, "member")
	action := rapid.IntRange(0, 6).Draw(t, "action")
	if md.leader == nil && action <= 3 {
		action = 0
	}
	switch action {
	case 0:
		md.elect(t)
	case 1:
		md.propose(t)
	case 2:
		if mm != md.leader {
			md.replicate(mm, rapid.IntRange(0, len(md.leader.log)).Draw(t, "upto"))
		}
	case 3:
		md.commit(t)
	case 4:
		md.apply(mm)
	case 5:
		mm.snap = mm.applied // compact
	case 6:
		md.crash(mm)
	}
}

// settle ends the history: a leader commits a new entry everywhere,
// every member applies everything, and Final checks every member.
func (md *model) settle(t *rapid.T) {
	if md.leader == nil {
		md.elect(t)
	}
	md.propose(t)
	l := md.leader
	for _, mm := range md.members {
		if mm != l {
			md.replicate(mm, len(l.log))
		}
	}
	for len(md.committed) < len(l.log) {
		md.commit(t)
	}
	for _, mm := range md.members {
		for mm.applied < uint64(len(md.committed)) {
			md.apply(mm)
		}
	}
	for _, mm := range md.members {
		md.chk.Final(mm.name, mm.snap, mm)
	}
}

func runModel(t *rapid.T) *model {
	md := newModel(t)
	for range rapid.IntRange(0, 80).Draw(t, "steps") {
		md.step(t)
	}
	md.settle(t)
	return md
}

func TestValidHistoriesPass(t *testing.T) {
	var seen coverage
	rapid.Check(t, func(t *rapid.T) {
		md := runModel(t)
		seen.add(md.seen)
		if len(md.got) > 0 {
			t.Fatalf("valid history reported: %v", md.got)
		}
		if md.chk.Committed() != uint64(len(md.committed)) || md.chk.Leaders() != int(md.term) {
			t.Fatalf("checker saw %d committed and %d leaders, model %d and %d",
				md.chk.Committed(), md.chk.Leaders(), len(md.committed), md.term)
		}
	})
	t.Logf("exercised: %+v", seen)
	if seen.overwrites == 0 || seen.restores == 0 || seen.lateLeaders == 0 {
		t.Fatalf("the histories missed a case: %+v", seen)
	}
}

// plants are the violations planted at the end of a valid history, one
// per check (two for election safety).
var plants = []struct {
	check string
	plant func(md *model, other *modelMember)
}{
	{ElectionSafety, func(md *model, o *modelMember) {
		name := o.name
		if o == md.leader {
			name = "outsider"
		}
		// It holds the leader's log: only the second leader is wrong.
		md.chk.Member(name).Leading(md.term, md.leader.snap, md.leader)
	}},
	{ElectionSafety, func(md *model, _ *modelMember) {
		md.chk.Voted(md.leader.name, "someone else", md.term)
	}},
	{LogMatching, func(md *model, o *modelMember) {
		e := md.committed[0]
		e.Digest++
		md.chk.Member(o.name).Appended([]Entry{e}, o)
	}},
	{LeaderCompleteness, func(md *model, o *modelMember) {
		md.chk.Member(o.name).Leading(md.term+1, 0, LogFunc(func(uint64) (uint64, error) { return 0, errCompacted }))
	}},
	{LeaderCompleteness, func(md *model, o *modelMember) {
		e := md.committed[len(md.committed)-1]
		e.Term, e.Digest = md.term+1, e.Digest+1
		md.chk.Member(o.name).Appended([]Entry{e}, o)
	}},
	{StateMachineSafety, func(md *model, o *modelMember) {
		e := md.committed[0]
		e.Digest++
		md.chk.Member(o.name).Applied(e, md.term)
	}},
	{StateMachineSafety, func(md *model, o *modelMember) {
		md.chk.Member(o.name).State(1, md.states[0]+1)
	}},
	{StateMachineSafety, func(md *model, o *modelMember) {
		md.chk.Member(o.name).Restored(1, md.committed[0].Term+1)
	}},
	{CommittedNeverLost, func(md *model, o *modelMember) {
		md.chk.Final(o.name, 0, LogFunc(func(uint64) (uint64, error) { return 0, errCompacted }))
	}},
}

func TestPlantedViolationsAreReported(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		md := runModel(t)
		if len(md.got) > 0 {
			t.Fatalf("valid history reported: %v", md.got)
		}
		k := rapid.IntRange(0, len(plants)-1).Draw(t, "plant")
		plants[k].plant(md, rapid.SampledFrom(md.members).Draw(t, "planter"))
		if len(md.got) != 1 || md.got[0].Check != plants[k].check {
			t.Fatalf("plant %d (%s) reported %v", k, plants[k].check, md.got)
		}
	})
}
