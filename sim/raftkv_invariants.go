package sim

import (
	"fmt"
	"hash/fnv"
	"time"

	"jsnode/node/raft"
	"jsnode/node/raftgroup"
)

// raftInvariants checks Raft's safety properties (Raft paper §5.2–5.4)
// across every member of one group, as the members act: each member
// reports through a raftgroup.Observer every Ready it saved and every
// entry it applied, so a violation is caught at the event that commits
// it.
//
//   - election safety: at most one leader per term;
//   - log matching: two logs holding an entry with the same index and
//     term hold the same entry, preceded by an entry of the same term
//     (by induction, identical prefixes);
//   - leader completeness: a member that becomes leader of term T holds
//     every entry known committed in a term before T; and no leader of a
//     term after an entry's commit writes a different entry at its index;
//   - state-machine safety: no two members apply different entries at
//     one index, and each member applies indexes in order;
//   - committed never lost: checked at the end, when every replica must
//     hold every committed entry it has not compacted into a snapshot
//     that agrees with it (see final).
type raftInvariants struct {
	w          *World
	leaders    map[uint64]raft.ID // term -> leader
	splitTerms map[uint64]bool    // terms with two leaders, reported
	entries    map[entryKey]entryRec
	committed  []commitRec // index i at [i-1]
	violations []raftViolation
	notes      []raftNote
}

type entryKey struct{ index, term uint64 }

type entryRec struct {
	hash      uint64
	prevTerm  uint64
	prevKnown bool
	node      string
}

// commitRec is an entry known committed: its term and content, and a
// term by which it was committed (the lowest term of a member that
// applied it: a member learns of a commit only from a leader of a term
// no later than its own).
type commitRec struct {
	known  bool
	term   uint64
	hash   uint64
	byTerm uint64
	node   string
}

// raftNote is a leader change, for the history's annotations.
type raftNote struct {
	at   time.Duration
	node string
	term uint64
}

// violationsMax bounds the violations kept (the first ones matter).
const violationsMax = 10

func newRaftInvariants(w *World) *raftInvariants {
	return &raftInvariants{w: w, leaders: make(map[uint64]raft.ID), splitTerms: make(map[uint64]bool),
		entries: make(map[entryKey]entryRec)}
}

// raftViolation is one broken RAFT invariant, with its check's name.
type raftViolation struct{ check, msg string }

func (inv *raftInvariants) violate(check, format string, args ...any) {
	if len(inv.violations) >= violationsMax {
		return
	}
	msg := fmt.Sprintf("t=%v: ", inv.w.Elapsed()) + fmt.Sprintf(format, args...)
	inv.violations = append(inv.violations, raftViolation{check, msg})
	inv.w.Note("violation", msg)
}

func (inv *raftInvariants) commit(i uint64) *commitRec {
	for uint64(len(inv.committed)) < i {
		inv.committed = append(inv.committed, commitRec{})
	}
	return &inv.committed[i-1]
}

func entryHash(e raft.Entry) uint64 {
	h := fnv.New64a()
	h.Write([]byte{byte(e.Type)})
	h.Write(e.Data)
	return h.Sum64()
}

// memberObserver is one incarnation of one member's observer.
type memberObserver struct {
	inv         *raftInvariants
	node        string
	lastApplied uint64
	leaderTerm  uint64 // term this incarnation was last seen leading
}

func (inv *raftInvariants) observer(node string) *memberObserver {
	return &memberObserver{inv: inv, node: node}
}

// Saved checks election safety, log matching and, on a new leadership,
// leader completeness.
func (o *memberObserver) Saved(g *raftgroup.Group, rd *raft.Ready) {
	inv := o.inv
	info := g.Info()
	if info.Role == raft.RoleLeader {
		if l, ok := inv.leaders[info.Term]; ok && l != info.ID {
			if !inv.splitTerms[info.Term] {
				inv.splitTerms[info.Term] = true
				inv.violate("raft-election-safety", "election safety: %s leads term %d, which %s already led", o.node, info.Term, inv.nameOf(g, l))
			}
		} else if !ok {
			inv.leaders[info.Term] = info.ID
			inv.notes = append(inv.notes, raftNote{at: inv.w.Elapsed(), node: o.node, term: info.Term})
		}
		if o.leaderTerm != info.Term {
			o.leaderTerm = info.Term
			o.checkCompleteness(g, info)
		}
	}
	o.checkEntries(g, rd.Entries)
	if s := rd.Snapshot; s != nil {
		o.checkSnapshot(s.Meta)
	}
}

func (inv *raftInvariants) nameOf(g *raftgroup.Group, id raft.ID) string {
	if n, ok := g.MemberName(id); ok {
		return n
	}
	return raftgroup.MemberToken(id)
}

// checkEntries records newly saved entries and checks them against what
// other members saved at the same (index, term) and what is committed.
func (o *memberObserver) checkEntries(g *raftgroup.Group, ents []raft.Entry) {
	inv := o.inv
	var prev uint64
	prevKnown := false
	if len(ents) > 0 {
		t, err := g.LogTerm(ents[0].Index - 1)
		prev, prevKnown = t, err == nil
	}
	for _, e := range ents {
		h := entryHash(e)
		key := entryKey{e.Index, e.Term}
		if rec, ok := inv.entries[key]; ok {
			if rec.hash != h {
				inv.violate("raft-log-matching", "log matching: %s and %s hold different entries at index %d term %d", o.node, rec.node, e.Index, e.Term)
			} else if prevKnown && rec.prevKnown && rec.prevTerm != prev {
				inv.violate("raft-log-matching", "log matching: entry %d term %d follows term %d on %s but term %d on %s",
					e.Index, e.Term, prev, o.node, rec.prevTerm, rec.node)
			}
		} else {
			inv.entries[key] = entryRec{hash: h, prevTerm: prev, prevKnown: prevKnown, node: o.node}
		}
		if c := inv.commitAt(e.Index); c != nil && e.Term > c.byTerm && e.Term != c.term {
			inv.violate("raft-leader-completeness", "leader completeness: %s wrote term %d at index %d, committed by term %d with term %d (on %s)",
				o.node, e.Term, e.Index, c.byTerm, c.term, c.node)
		}
		prev, prevKnown = e.Term, true
	}
}

func (inv *raftInvariants) commitAt(i uint64) *commitRec {
	if i == 0 || i > uint64(len(inv.committed)) || !inv.committed[i-1].known {
		return nil
	}
	return &inv.committed[i-1]
}

// checkCompleteness: a new leader of term T must hold every entry
// committed by a term before T, from its snapshot on.
func (o *memberObserver) checkCompleteness(g *raftgroup.Group, info raftgroup.Info) {
	inv := o.inv
	o.checkSnapshotTerm(g, info.SnapshotIndex)
	for i := info.SnapshotIndex + 1; i <= uint64(len(inv.committed)); i++ {
		c := inv.commitAt(i)
		if c == nil || c.byTerm >= info.Term {
			continue
		}
		t, err := g.LogTerm(i)
		if err != nil || t != c.term {
			inv.violate("raft-leader-completeness", "leader completeness: %s leads term %d without committed entry %d (term %d, committed by term %d on %s; it has term %d, %v)",
				o.node, info.Term, i, c.term, c.byTerm, c.node, t, err)
			return
		}
	}
}

// checkSnapshotTerm: the stored snapshot must agree with the commit.
func (o *memberObserver) checkSnapshotTerm(g *raftgroup.Group, index uint64) {
	c := o.inv.commitAt(index)
	if c == nil {
		return
	}
	if t, err := g.LogTerm(index); err == nil && t != c.term {
		o.inv.violate("raft-committed-never-lost", "committed entry lost: %s's snapshot at %d has term %d, committed term %d", o.node, index, t, c.term)
	}
}

func (o *memberObserver) checkSnapshot(meta raft.SnapshotMeta) {
	if c := o.inv.commitAt(meta.Index); c != nil && c.term != meta.Term {
		o.inv.violate("raft-state-machine-safety", "state machine safety: %s installs a snapshot at %d term %d, committed term %d", o.node, meta.Index, meta.Term, c.term)
	}
}

// Applied checks state-machine safety and records the commit.
func (o *memberObserver) Applied(g *raftgroup.Group, e raft.Entry) {
	inv := o.inv
	if e.Index != o.lastApplied+1 {
		inv.violate("raft-state-machine-safety", "state machine safety: %s applies index %d after %d", o.node, e.Index, o.lastApplied)
	}
	o.lastApplied = e.Index
	term := g.Info().Term
	c := inv.commit(e.Index)
	h := entryHash(e)
	if !c.known {
		*c = commitRec{known: true, term: e.Term, hash: h, byTerm: term, node: o.node}
		return
	}
	if c.term != e.Term || c.hash != h {
		inv.violate("raft-state-machine-safety", "state machine safety: %s applies term %d at index %d, %s applied term %d there (same data: %v)",
			o.node, e.Term, e.Index, c.node, c.term, c.hash == h)
		return
	}
	c.byTerm = min(c.byTerm, term)
}

// Restored checks a snapshot restore against the commit.
func (o *memberObserver) Restored(g *raftgroup.Group, meta raft.SnapshotMeta) {
	o.lastApplied = meta.Index
	o.checkSnapshot(meta)
}

// final checks, once the replicas have converged, that every member
// holds every committed entry it has not compacted (committed never
// lost), with a snapshot that agrees with the commit.
func (inv *raftInvariants) final(node string, g *raftgroup.Group) {
	info := g.Info()
	o := &memberObserver{inv: inv, node: node}
	o.checkSnapshotTerm(g, info.SnapshotIndex)
	for i := info.SnapshotIndex + 1; i <= uint64(len(inv.committed)); i++ {
		c := inv.commitAt(i)
		if c == nil {
			continue
		}
		if t, err := g.LogTerm(i); err != nil || t != c.term {
			inv.violate("raft-committed-never-lost", "committed entry lost: %s has term %d (%v) at committed index %d (term %d)", node, t, err, i, c.term)
			return
		}
	}
}
