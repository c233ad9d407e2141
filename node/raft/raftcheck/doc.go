// Package raftcheck checks Raft's safety properties (Raft paper §5.2–5.4)
// across the members of one group, from observations the caller feeds it
// as the members act: a member leads a term, appends entries, installs or
// restores a snapshot, applies an entry, reaches an application state. A
// broken property is reported at the observation that breaks it, as a
// Violation named by the check it fails:
//
//   - raft-election-safety: at most one leader per term (and no voter
//     grants two candidates its vote in one term, which the argument for
//     it rests on);
//   - raft-log-matching: two logs holding an entry with the same index
//     and term hold the same entry, preceded by an entry of the same term
//     (by induction, identical prefixes);
//   - raft-leader-completeness: a member that becomes leader of term T
//     holds every entry known committed in a term before T; and no member
//     writes, in a term after an entry's commit, a different entry at its
//     index;
//   - raft-state-machine-safety: no two members apply different entries
//     at one index, or reach different states after it, or install a
//     snapshot that disagrees with the commit; each member applies
//     indexes in order;
//   - raft-committed-never-lost: at the end (Final), every member holds
//     every committed entry it has not compacted into a snapshot that
//     agrees with the commit.
//
// The checker is the one shared by the simulator (sim) and the node/raft
// and node/raftlog test harnesses. It does no I/O and keeps no clock, and
// imports nothing of node/raft, so raft's own tests can use it; callers
// turn their entries into Entry values with Digest.
package raftcheck
