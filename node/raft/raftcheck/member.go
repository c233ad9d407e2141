package raftcheck

// Member is one incarnation of one member: a restarted member is a new
// Member of the same name (what it applied and led starts afresh; what
// it stored is still checked through its Log).
type Member struct {
	c           *Checker
	name        string
	lastApplied uint64
	leaderTerm  uint64 // term this incarnation was last seen leading
	// commitTerm and commit are the leadership and commit index of the
	// last LeaderCommit.
	commitTerm, commit uint64
}

// LeaderCommit observes m, leading term, with its commit index at
// commit. A leader commits by counting replicas only an entry of its own
// term; earlier entries become committed with it (Raft §5.4.2, the
// figure 8 case). So whenever the commit index of a leadership moves,
// the entry it lands on must be of the leader's term. The first
// observation of a leadership only records the index (it may have come
// from the previous leader).
func (m *Member) LeaderCommit(term, commit uint64, log Log) {
	if m.commitTerm != term {
		m.commitTerm, m.commit = term, commit
		return
	}
	if commit <= m.commit {
		return
	}
	m.commit = commit
	got, err := log.Term(commit)
	if err == nil && got != term {
		m.c.violate(CommitCurrentTerm, "commit rule: %s, leading term %d, committed index %d of term %d by counting replicas",
			m.name, term, commit, got)
	}
}

// Member starts observing an incarnation of the member called name.
func (c *Checker) Member(name string) *Member { return &Member{c: c, name: name} }

// Leading observes m leading term, with its log holding entries after
// index snapshot. It checks election safety and, the first time this
// incarnation leads term, leader completeness. It reports whether m is
// the first leader seen for term.
func (m *Member) Leading(term, snapshot uint64, log Log) bool {
	c := m.c
	first := false
	if l, ok := c.leaders[term]; ok && l != m.name {
		if !c.splitTerms[term] {
			c.splitTerms[term] = true
			c.violate(ElectionSafety, "election safety: %s leads term %d, which %s already led", m.name, term, l)
		}
	} else if !ok {
		c.leaders[term] = m.name
		first = true
	}
	if m.leaderTerm != term {
		m.leaderTerm = term
		m.checkCompleteness(term, snapshot, log)
	}
	return first
}

// checkCompleteness: a new leader of term must hold every entry
// committed by an earlier term, from its snapshot on.
func (m *Member) checkCompleteness(term, snapshot uint64, log Log) {
	c := m.c
	c.checkSnapshotTerm(m.name, snapshot, log)
	for i := snapshot + 1; i <= uint64(len(c.committed)); i++ {
		r := c.commitAt(i)
		if r == nil || r.byTerm >= term {
			continue
		}
		t, err := log.Term(i)
		if err != nil || t != r.term {
			c.violate(LeaderCompleteness, "leader completeness: %s leads term %d without committed entry %d (term %d, committed by term %d on %s; it has term %d, %v)",
				m.name, term, i, r.term, r.byTerm, r.member, t, err)
			return
		}
	}
}

// Appended observes m writing ents (consecutive, ascending) to its log;
// log gives the term of the entry before the first. It checks log
// matching against every other write of the same (index, term), and
// that no entry known committed is overwritten in a later term.
func (m *Member) Appended(ents []Entry, log Log) {
	if len(ents) == 0 {
		return
	}
	c := m.c
	prev, err := log.Term(ents[0].Index - 1)
	prevKnown := err == nil
	for _, e := range ents {
		key := entryKey{e.Index, e.Term}
		if rec, ok := c.entries[key]; ok {
			if rec.digest != e.Digest {
				c.violate(LogMatching, "log matching: %s and %s hold different entries at index %d term %d", m.name, rec.member, e.Index, e.Term)
			} else if prevKnown && rec.prevKnown && rec.prevTerm != prev {
				c.violate(LogMatching, "log matching: entry %d term %d follows term %d on %s but term %d on %s",
					e.Index, e.Term, prev, m.name, rec.prevTerm, rec.member)
			}
		} else {
			c.entries[key] = entryRec{digest: e.Digest, prevTerm: prev, prevKnown: prevKnown, member: m.name}
		}
		if r := c.commitAt(e.Index); r != nil && e.Term > r.byTerm && e.Term != r.term {
			c.violate(LeaderCompleteness, "leader completeness: %s wrote term %d at index %d, committed by term %d with term %d (on %s)",
				m.name, e.Term, e.Index, r.byTerm, r.term, r.member)
		}
		prev, prevKnown = e.Term, true
	}
}

// Snapshot observes m storing a snapshot of the state at index, whose
// entry there has term; it must agree with the commit.
func (m *Member) Snapshot(index, term uint64) {
	if r := m.c.commitAt(index); r != nil && r.term != term {
		m.c.violate(StateMachineSafety, "state machine safety: %s installs a snapshot at %d term %d, committed term %d", m.name, index, term, r.term)
	}
}

// Restored observes m replacing its application state with a snapshot's
// (index, term): it applies from there on.
func (m *Member) Restored(index, term uint64) {
	m.lastApplied = index
	m.Snapshot(index, term)
}

// Applied observes m applying e while in term. It checks that m applies
// in order and that every member applies the same entry at e.Index, and
// records the commit.
func (m *Member) Applied(e Entry, term uint64) {
	c := m.c
	if e.Index != m.lastApplied+1 {
		c.violate(StateMachineSafety, "state machine safety: %s applies index %d after %d", m.name, e.Index, m.lastApplied)
	}
	m.lastApplied = e.Index
	r := c.commit(e.Index)
	if !r.known {
		*r = commitRec{known: true, term: e.Term, digest: e.Digest, byTerm: term, member: m.name}
		return
	}
	if r.term != e.Term || r.digest != e.Digest {
		c.violate(StateMachineSafety, "state machine safety: %s applies term %d at index %d, %s applied term %d there (same data: %v)",
			m.name, e.Term, e.Index, r.member, r.term, r.digest == e.Digest)
		return
	}
	r.byTerm = min(r.byTerm, term)
}

// State observes m's application state (its digest) after applying
// index, or after restoring a snapshot at index: every member must reach
// the same state there.
func (m *Member) State(index, digest uint64) {
	c := m.c
	if s, ok := c.states[index]; ok {
		if s.digest != digest {
			c.violate(StateMachineSafety, "state machine safety: %s's state after index %d differs from %s's", m.name, index, s.member)
		}
		return
	}
	c.states[index] = stateRec{digest: digest, member: m.name}
}
