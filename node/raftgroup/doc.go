// Package raftgroup runs one member of a Raft group on a server: it wires
// node/raft's RawNode to a log (node/raftlog on the server's disk.FS, or
// raft.MemoryStorage), to a transport over the server's internal
// messaging, to a tick timer on the server's clock, and to the
// application's StateMachine. Like everything under node/, it runs on
// the server's event loop and has no goroutines: ticks are timer events,
// messages arrive as internal-subscription callbacks.
//
// # Subjects
//
// Member IDs are derived from server names (MemberID: FNV-1a of the
// name), so every server agrees on them without an exchange. Member m of
// group g listens on
//
//	$NRG.<g>.<16 hex digits of m's ID>
//
// and every raft message for m is published there, encoded with raft's
// codec. Routes carry these subjects like any other (RS+ interest,
// RMSG); clients can neither publish to nor receive $NRG. subjects.
// Messages larger than Config.MaxMessageBytes, malformed or addressed to
// another member are dropped and counted (Stats.MsgsDropped), never
// trusted and never a panic.
//
// # The Ready contract
//
// After every input (tick, message, proposal, read, membership change)
// the group drains raft's Ready loop, in exactly this order:
//
//  1. save the Ready's snapshot, entries and hard state, then Sync when
//     MustSync (a vote or an append acknowledgement promises durability):
//     with a Config.Syncer the sync runs off the loop, and the steps
//     below, and every later Ready, wait for its done;
//  2. send the messages;
//  3. restore a received snapshot into the StateMachine, apply the
//     committed entries (answering their proposers), store a compaction;
//  4. Advance; answer reads whose read index is applied; compact the log
//     into a snapshot every SnapshotEvery applied entries.
//
// # Use
//
//	g, err := raftgroup.Open(raftgroup.Config{Group: "kv", Self: "n1",
//		Peers: []string{"n1", "n2", "n3"}, Messenger: srv.SystemAccount(), Clock: env.Clock,
//		Rand: env.Rand, FS: env.FS, Syncer: srv.Syncer(), StateMachine: app})
//	err = g.Propose(data, func(result []byte, err error) { ... })
//	err = g.Read(func(err error) { /* read app state: linearizable */ })
//
// A follower's Propose fails with a *raft.NotLeaderError naming the
// leader it knows (Leader gives its server name); reads work on any
// member (raft forwards the read index request to the leader).
// Membership changes go through AddMember, PromoteMember, RemoveMember
// and TransferLeadership.
//
// # Checking
//
// An Observer sees every saved Ready and every applied entry; the
// simulator uses it to assert Raft's safety properties on every event.
// Deliberately broken variants (node/mutant, built only with -tags
// mutants) let the simulator prove its checkers fail when they should.
package raftgroup
