// Package raft implements the Raft consensus algorithm as a pure,
// deterministic state machine, in the spirit of etcd's raft package: no
// goroutines, no clock, no I/O. The caller feeds it ticks, messages from
// other nodes and proposals, and carries out what it returns in a Ready:
// state and entries to persist, messages to send, a snapshot to install,
// committed entries to apply. The only randomness (election timeouts)
// comes from the *rand.Rand in Config, so a simulator replays any run.
//
// Features: pre-vote and check-quorum with a leader lease (a node that was
// cut off cannot depose a healthy leader when it returns, and a leader
// that loses its quorum steps down); log replication with per-follower
// flow control and a conflict hint that makes catch-up O(terms) round
// trips; the figure-8 commit rule; snapshots streamed in chunks;
// single-server membership changes (voters and learners) effective on
// append; leadership transfer; ReadIndex for linearizable reads.
//
// # Starting
//
// The first members of a group call Start with the same membership; a
// node restarting, or joining an existing group, calls Restart with the
// Storage it persisted. Storage is read-only to this package: the caller
// writes it while handling Ready. MemoryStorage is an in-memory Storage.
//
// # The Ready loop
//
// One goroutine (or one simulator event) owns a RawNode:
//
//	for event := range events {
//		switch event.kind {
//		case tick:
//			rn.Tick()
//		case message:
//			_ = rn.Step(event.msg) // errors: malformed input, dropped
//		case propose:
//			index, term, err := rn.Propose(event.data) // NotLeaderError: forward
//		}
//		for rn.HasReady() {
//			rd := rn.Ready()
//			// 1. Persist first: a vote or an acknowledgement in Messages
//			//    promises that HardState and Entries are durable.
//			if rd.Snapshot != nil {
//				storage.ApplySnapshot(*rd.Snapshot)
//			}
//			storage.Append(rd.Entries)
//			if !rd.HardState.IsEmpty() {
//				storage.SetHardState(rd.HardState)
//			}
//			if rd.MustSync {
//				sync()
//			}
//			// 2. Then send.
//			for _, m := range rd.Messages {
//				b, _ := raft.Marshal(m) // sizes are bounded by the limits
//				transport.Send(m.To, b)
//			}
//			// 3. Then apply: restore the snapshot, apply committed entries.
//			app.Restore(rd.Snapshot)
//			app.Apply(rd.CommittedEntries)
//			// 4. Housekeeping: compaction, reads, acknowledgement.
//			if rd.Compaction != nil {
//				storage.Compact(*rd.Compaction)
//			}
//			for _, rs := range rd.ReadStates {
//				app.ServeReadWhenApplied(rs.Index, rs.Context)
//			}
//			rn.Advance(rd)
//		}
//	}
//
// When to compact is the application's decision: after applying, call
// rn.Compact(appliedIndex, stateBytes) and the snapshot comes back, with
// its metadata, in Ready.Compaction. Followers too far behind are then
// sent the stored snapshot in chunks (Config.SnapshotChunkBytes) and
// receive it whole in Ready.Snapshot.
//
// # Safety of the contract
//
// The protocol's safety rests on the order above: a node must not send a
// vote before its vote is durable (or it could vote twice in a term after
// a crash), and must not acknowledge entries before they are durable (or
// a committed entry could vanish with the quorum that held it). Tests
// enable deliberately broken variants (testBugs) to show that the
// randomized cluster harness catches such mistakes.
//
// # Limits
//
// Every bound is a named constant in limits.go: message size, entries
// per append, in-flight appends, snapshot chunk size and window, members
// per group, pending reads, uncommitted proposal bytes.
package raft
