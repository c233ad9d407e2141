package sim

import (
	"fmt"
	"time"

	"jsnode/node/raft"
	"jsnode/node/raft/raftcheck"
	"jsnode/node/raftgroup"
)

// raftInvariants checks Raft's safety properties across every member of
// one group, as the members act: each member reports through a
// raftgroup.Observer every Ready it saved and every entry it applied,
// which the observer hands to the shared checker (node/raft/raftcheck),
// so a violation is caught at the event that commits it. Committed never
// lost is checked at the end, when the replicas have converged (final).
type raftInvariants struct {
	w          *World
	chk        *raftcheck.Checker
	violations []raftViolation
	notes      []raftNote
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
	inv := &raftInvariants{w: w}
	inv.chk = raftcheck.New(inv.violate)
	return inv
}

// raftViolation is one broken RAFT invariant, with its check's name.
type raftViolation struct{ check, msg string }

// violate keeps v, stamped with the simulated time, and notes it in the
// trace.
func (inv *raftInvariants) violate(v raftcheck.Violation) {
	if len(inv.violations) >= violationsMax {
		return
	}
	msg := fmt.Sprintf("t=%v: ", inv.w.Elapsed()) + v.Msg
	inv.violations = append(inv.violations, raftViolation{v.Check, msg})
	inv.w.Note("violation", msg)
}

// checkEntry is e as the checker sees it.
func checkEntry(e raft.Entry) raftcheck.Entry {
	return raftcheck.Entry{Index: e.Index, Term: e.Term, Digest: raftcheck.Digest(byte(e.Type), e.Data)}
}

// memberObserver is one incarnation of one member's observer.
type memberObserver struct {
	inv  *raftInvariants
	node string
	m    *raftcheck.Member
	// hs is the hard state this incarnation last saved (known once it
	// saved one).
	hs      raft.HardState
	knownHS bool
}

func (inv *raftInvariants) observer(node string) *memberObserver {
	return &memberObserver{inv: inv, node: node, m: inv.chk.Member(node)}
}

// Saved checks election safety (one leader per term, one vote per voter
// and term), leader completeness on a new leadership, log matching, and
// a saved snapshot against the commit.
func (o *memberObserver) Saved(g *raftgroup.Group, rd *raft.Ready) {
	log := raftcheck.LogFunc(g.LogTerm)
	if info := g.Info(); info.Role == raft.RoleLeader {
		if o.m.Leading(info.Term, info.SnapshotIndex, log) {
			o.inv.notes = append(o.inv.notes, raftNote{at: o.inv.w.Elapsed(), node: o.node, term: info.Term})
		}
		o.m.LeaderCommit(info.Term, info.Commit, log)
	}
	if len(rd.Entries) > 0 {
		ents := make([]raftcheck.Entry, len(rd.Entries))
		for i, e := range rd.Entries {
			ents[i] = checkEntry(e)
		}
		o.m.Appended(ents, log)
	}
	if s := rd.Snapshot; s != nil {
		o.m.Snapshot(s.Meta.Index, s.Meta.Term)
	}
	if !rd.HardState.IsEmpty() {
		o.hs, o.knownHS = rd.HardState, true
	}
	o.votes(g, rd.Messages)
}

// votes observes the votes this Ready grants: they are saved (the vote
// is part of the hard state) and about to be sent.
func (o *memberObserver) votes(g *raftgroup.Group, msgs []raft.Message) {
	for _, m := range msgs {
		if m.Type == raft.MsgVoteResp && !m.Reject {
			o.inv.chk.Voted(o.node, memberName(g, m.To), m.Term)
			// Durable means the saved hard state records the vote, or a later
			// term (which forbids voting in this one again).
			if o.knownHS && (o.hs.Term < m.Term || o.hs.Term == m.Term && o.hs.Vote != m.To) {
				o.inv.violate(raftcheck.Violation{Check: raftcheck.ElectionSafety, Msg: fmt.Sprintf(
					"vote not durable: %s grants %s its vote in term %d, but its saved hard state says term %d, vote %s",
					o.node, memberName(g, m.To), m.Term, o.hs.Term, memberName(g, o.hs.Vote))})
			}
		}
	}
}

// memberName names member id as g knows it.
func memberName(g *raftgroup.Group, id raft.ID) string {
	if n, ok := g.MemberName(id); ok {
		return n
	}
	return raftgroup.MemberToken(id)
}

// Syncing: nothing is checked until the sync is done and Saved runs.
func (o *memberObserver) Syncing(*raftgroup.Group, *raft.Ready) {}

// Applied checks state-machine safety and records the commit.
func (o *memberObserver) Applied(g *raftgroup.Group, e raft.Entry) {
	o.m.Applied(checkEntry(e), g.Info().Term)
}

// Restored checks a snapshot restore against the commit.
func (o *memberObserver) Restored(g *raftgroup.Group, meta raft.SnapshotMeta) {
	o.m.Restored(meta.Index, meta.Term)
}

// final checks, once the replicas have converged, that every member
// holds every committed entry it has not compacted (committed never
// lost), with a snapshot that agrees with the commit.
func (inv *raftInvariants) final(node string, g *raftgroup.Group) {
	inv.chk.Final(node, g.Info().SnapshotIndex, raftcheck.LogFunc(g.LogTerm))
}
