// Package raftlog is the durable storage of one Raft group on the disk.FS
// seam: term, vote, log and snapshot survive a crash, every byte is
// checksummed, a torn tail is cut off and anything else that is damaged
// is reported as a *CorruptionError instead of being served. A *Log
// implements raft.Storage.
//
// # Use
//
//	log, err := raftlog.Open(fs, "raft/group-1", raftlog.Options{})
//	rn, err := raft.Restart(raft.Config{Storage: log, ...})
//	// for each Ready:
//	err = log.Save(rd.HardState, rd.Entries, rd.Snapshot)
//	if rd.MustSync { err = log.Sync() } // then, and only then, send rd.Messages
//	if rd.Compaction != nil { err = log.Compact(*rd.Compaction) }
//
// Save makes the change readable at once; Sync makes everything saved so
// far durable. Any I/O error stops the Log for good (ErrFailed): after a
// failed fsync the unsynced data may be gone, so the node must reopen the
// directory and recover from what is durable (the fsyncgate lesson).
//
// # Layout
//
//	dir/hardstate                     term, vote, commit
//	dir/wal/<first index>.seg         WAL segments, 20-digit names
//	dir/snap/<term>-<index>.snap      the latest snapshot
//
// The byte formats are in format.go. Segments hold entry records, commit
// records and sync marks, each with a length (guarded by its complement)
// and a CRC-32C. A segment is closed when it reaches Options.SegmentBytes;
// it is synced before the next one is created, so only the last segment
// can ever hold unsynced data. A new segment's header is synced before
// any record is written after it.
//
// # Hard state
//
// The hard-state file is replaced by write-then-rename (temporary file,
// Sync, Rename, SyncDir), never in place, so it is always whole: a bad
// checksum there is corruption, never a torn write, and a vote once
// synced cannot silently revert. Sync rewrites it only when the term or
// vote changed (rare: elections), after syncing the segment, so the
// commit index it carries is always backed by durable entries. Commit
// index changes alone are appended to the WAL as commit records and
// become durable with the entries at the next Sync, which keeps the
// common Sync at one fsync. Before a truncation removes commit records
// that were durable, the hard-state file takes over the commit index, so
// it never goes back. Save refuses to change the vote within a term
// (ErrVoteConflict), a second line of defence against double voting.
//
// # Overwrites, compaction and snapshot installs
//
// Entries that replace the log's suffix physically truncate it: the
// segment holding the first replaced entry is cut there (later segments
// are removed, and that removal synced, first), so the WAL always holds
// exactly the log, in order, without gaps or overlaps. Compact writes the
// snapshot (temporary file, sync, rename, sync of the directory) and
// deletes segments whose entries it covers. Installing a snapshot from a
// leader (Save with a snapshot) writes the snapshot durably, removes every
// segment durably, and starts a new lineage: segment headers carry an
// epoch, the index of the install that started them, and each snapshot
// file records the epoch of the log it belongs to, so Open can tell
// leftovers of the old log from the new one.
//
// # Recovery rules (Open)
//
//   - The hard-state file and the latest snapshot must pass their
//     checksums, else *CorruptionError. Older snapshots and temporary
//     files are removed.
//   - Segments of an older lineage are removed (a crash during an
//     install); a last segment whose header is incomplete and that holds
//     nothing else is removed (a crash while creating it).
//   - Every record of every segment but the last must be valid. Entry
//     indexes must be contiguous across segments, start at or before the
//     snapshot's index + 1, reach the snapshot's index, agree with the
//     snapshot's term there, and have non-decreasing terms.
//   - In the last segment, a damaged record is a torn write if nothing
//     proves it was durable: it and everything after it are cut off and
//     the cut synced (Recovery reports it). It is corruption if a valid
//     sync mark after it covers its offset; sync marks are written at the
//     start of the first batch after each Sync, recording how much of the
//     segment was then durable. So damage anywhere that a later Sync
//     covered is reported, and a disk that persisted unsynced writes out
//     of order does not make a crash look like corruption.
//   - The commit index is the highest of the hard-state file, the commit
//     records and the snapshot index. If it is beyond the last recovered
//     entry, synced entries are missing: that is corruption, not
//     something to clamp. A node that lost part of its log must not
//     claim a last index it does not hold, so the recovered (term, last
//     index) is exactly what is durable on disk, and Open fsyncs the last
//     segment before returning.
//
// One ambiguity is inherent: damage to the very last records written
// before a crash, with no later sync mark, looks exactly like a torn
// write and is cut off. The commit check above catches it when those
// entries were known committed.
//
// # Memory
//
// Term, type and location of every entry after the snapshot are kept in
// memory, with the data of the newest entries up to Options.CacheBytes;
// older data is read back from the segments, checksum verified. The
// latest snapshot is kept in memory whole (raft.Storage returns it).
//
// Installing a snapshot, rotating a segment, truncating across segments
// and Compact sync inside the call; they are rare. Save otherwise only
// writes, and Sync is the one call that waits for the disk.
package raftlog
