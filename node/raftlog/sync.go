package raftlog

import (
	"jsnode/disk"
	"jsnode/node/mutant"
	"jsnode/node/raft"
)

// A sync in three steps, so the fsyncs can run off the loop (disk.Syncer):
//
//	j, err := l.StartSync() // on the loop: decide what to sync, capture it
//	err = j.Work()          // anywhere: the fsyncs and the hard-state file
//	err = j.Finish(err)     // on the loop: advance the durable markers
//
// Between StartSync and Finish the Log serves reads only (Save, Compact,
// Sync and StartSync fail with ErrSyncInFlight), so the files Work touches
// stay as StartSync saw them; the caller must not Close it either.

// SyncJob is one sync of a Log, captured by StartSync.
type SyncJob struct {
	l  *Log
	fs disk.FS
	// seg, when set, is the active segment with unsynced writes, f its
	// handle and size the bytes the sync covers; skipFile leaves its
	// fsync out (the fsync-skip mutant: believed synced, and is not).
	seg      *segment
	f        disk.File
	size     int64
	skipFile bool
	// dir, when set, is the WAL directory, holding an unsynced entry.
	dir string
	// hsData, when set, is hs encoded, for the hard-state file at hsPath.
	hs     raft.HardState
	hsData []byte
	hsPath string
	// commit is the highest commit index written to the WAL when
	// captured: durable once the segment is.
	commit uint64
	// failedOp names the step of Work that failed.
	failedOp string
}

// StartSync captures a sync of everything saved so far: the active
// segment if it has unsynced writes, the WAL directory if a segment was
// created, and the hard-state file if the term or vote changed (written
// after the entries, so the commit index it records is always backed by
// durable entries). Run the job's Work, then its Finish on the loop.
func (l *Log) StartSync() (*SyncJob, error) {
	if err := l.writable(); err != nil {
		return nil, err
	}
	j := &SyncJob{l: l, fs: l.fs, commit: l.commitWritten}
	if act := l.active(); act.dirty {
		j.seg, j.f, j.size = act, act.f, act.size
		j.skipFile = mutant.Every(mutant.FsyncSkip1In4, 4)
	}
	if l.walDirDirty && !mutant.On(mutant.DirSyncSkipCreate) {
		j.dir = l.path(walDir)
	}
	skipHS := l.bugs.skipHardState || mutant.On(mutant.HardStateNeverSave)
	if (l.hs.Term != l.hsFile.Term || l.hs.Vote != l.hsFile.Vote) && !skipHS {
		j.hs, j.hsData, j.hsPath = l.hs, encodeHardState(l.hs), l.path(hardStateFile)
	}
	l.syncing = j
	return j, nil
}

// Work does the job's I/O and nothing else: it may run on any goroutine.
func (j *SyncJob) Work() error {
	if j.f != nil && !j.skipFile {
		if err := j.f.Sync(); err != nil {
			j.failedOp = "sync " + j.seg.name
			return err
		}
	}
	if j.dir != "" {
		if err := j.fs.SyncDir(j.dir); err != nil {
			j.failedOp = "sync " + walDir
			return err
		}
	}
	if j.hsData != nil {
		if err := writeFileAtomic(j.fs, j.hsPath, j.hsData); err != nil {
			j.failedOp = "write " + hardStateFile
			return err
		}
	}
	return nil
}

// Finish records the outcome of Work (err) on the loop: what the job
// covered becomes durable, or the Log fails (ErrFailed) for good. It
// returns ErrClosed if the Log was closed meanwhile.
func (j *SyncJob) Finish(err error) error {
	l := j.l
	if l.syncing == j {
		l.syncing = nil
	}
	if l.closed {
		return ErrClosed
	}
	if err != nil {
		return l.fail(j.failedOp, err)
	}
	if s := j.seg; s != nil {
		s.dirty, s.durable = s.size != j.size, max(s.durable, j.size)
	}
	if j.dir != "" {
		l.walDirDirty = false
	}
	l.commitDurable = max(l.commitDurable, j.commit)
	if j.hsData != nil {
		l.hsFile = j.hs
		l.commitDurable = max(l.commitDurable, j.hs.Commit)
	}
	return nil
}

// Sync makes everything saved so far durable, on the caller's goroutine
// (StartSync, Work and Finish in one call). A failed Sync stops the Log
// (ErrFailed).
func (l *Log) Sync() error {
	j, err := l.StartSync()
	if err != nil {
		return err
	}
	return j.Finish(j.Work())
}
