package filestore

import (
	"jsnode/clock"
	"jsnode/disk"
	"jsnode/node/mutant"
	"jsnode/node/store"
)

// syncState is the group commit: at most one job in flight; callers that
// arrive meanwhile wait in waiting for the next job.
type syncState struct {
	running  bool
	inflight []func(error) // acknowledged by the running job
	waiting  []func(error)
	dirty    []*block // blocks written since the last job began
	// dirDirty: a block file was created or the store's directories
	// were; newDirs lists directories to sync besides msgs/.
	dirDirty bool
	newDirs  []string
	timer    clock.Timer
	// written are the relaxed mode's waiters for the write flushSoon
	// makes at the end of the event.
	written   []func(error)
	flushSoon clock.Timer
	// mark is the position the last completed job covered; markWritten
	// the last one recorded in a syncmark.
	mark, markWritten pos
}

// markUnsynced records that b has bytes the next job must sync.
func (s *Store) markUnsynced(b *block) {
	if !b.unsynced {
		b.unsynced = true
		s.sync.dirty = append(s.sync.dirty, b)
	}
}

// WhenDurable calls done once everything written before it is durable.
func (s *Store) WhenDurable(done func(err error)) {
	if err := s.writable(); err != nil {
		done(err)
		return
	}
	if s.cfg.SyncInterval > 0 {
		// relaxed mode: written is enough (the timer syncs), and one
		// write at the end of the event covers every waiter of the event.
		s.sync.written = append(s.sync.written, done)
		if s.sync.flushSoon == nil {
			s.sync.flushSoon = s.cfg.Clock.AfterFunc(0, s.flushWaiters)
		}
		return
	}
	if mutant.On(mutant.JSAckBeforeSync) {
		// planted bug: done once written; the sync still runs, unwaited
		done(s.flush())
		done = func(error) {}
	}
	if !s.needsSync() && !s.unflushed() {
		if !s.sync.running {
			done(nil) // everything written is durable: no job to wait for
			return
		}
		// nothing appended since the running job began: it covers done
		s.sync.inflight = append(s.sync.inflight, done)
		return
	}
	// Otherwise the next job writes everything appended by then (group
	// commit, and one write per job rather than one per publish).
	s.sync.waiting = append(s.sync.waiting, done)
	if !s.sync.running {
		s.startSync()
	}
}

// flushWaiters writes what the relaxed mode's waiters appended and
// answers them.
func (s *Store) flushWaiters() {
	s.sync.flushSoon = nil
	waiters := s.sync.written
	s.sync.written = nil
	err := s.writable()
	if err == nil {
		err = s.flush()
	}
	for _, done := range waiters {
		done(err)
	}
}

// unflushed reports whether the active block holds records not yet
// written to its file (WhenDurable leaves them for the next job).
func (s *Store) unflushed() bool { return s.active != nil && s.active.written < s.active.size }

// needsSync reports whether a job has anything to do.
func (s *Store) needsSync() bool {
	return len(s.sync.dirty) > 0 || s.sync.dirDirty || s.maint.ready != nil
}

// startSync hands one job to the Syncer covering every block written so
// far, the directory if a block was created, and the prepared
// maintenance; the current waiters are acknowledged when it completes.
func (s *Store) startSync() {
	if err := s.flush(); err != nil {
		waiters := s.sync.waiting
		s.sync.waiting = nil
		for _, done := range waiters {
			done(err)
		}
		return
	}
	files := make([]disk.File, 0, len(s.sync.dirty))
	for _, b := range s.sync.dirty {
		b.unsynced = false
		files = append(files, b.f)
	}
	s.sync.dirty = s.sync.dirty[:0]
	var dirs []string
	if s.sync.dirDirty {
		dirs = append([]string{s.msgsDir}, s.sync.newDirs...)
		s.sync.dirDirty, s.sync.newDirs = false, nil
	}
	m := s.maint.ready
	s.maint.ready, s.maint.inflight = nil, m
	s.sync.inflight, s.sync.waiting = s.sync.waiting, nil
	s.sync.running = true
	fs := s.fs
	covered := pos{s.active.num, s.active.written}
	s.cfg.Syncer.Sync(func() error {
		return syncWork(fs, files, dirs, m)
	}, func(err error) {
		if err == nil && s.sync.mark.before(covered) {
			s.sync.mark = covered
		}
		s.synced(err, m)
	})
}

// syncWork runs in the job: file syncs first, then directories (a new
// block's entry), then maintenance, which must not run before the
// records that make it safe (tombstones, first) are durable.
func syncWork(fs disk.FS, files []disk.File, dirs []string, m *maintJob) error {
	for _, f := range files {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	for _, d := range dirs {
		if err := fs.SyncDir(d); err != nil {
			return err
		}
	}
	if m != nil {
		return m.run(fs)
	}
	return nil
}

// synced is the job's completion, on the loop.
func (s *Store) synced(err error, m *maintJob) {
	waiters := s.sync.inflight
	s.sync.inflight = nil
	s.sync.running = false
	s.maint.inflight = nil
	if err != nil {
		err = s.fail(err)
	} else if m != nil && !s.stopped {
		err = s.applyMaint(m)
	}
	for _, done := range waiters {
		done(err)
	}
	if s.stopped {
		s.finishStop()
		return
	}
	if s.failed != nil {
		return
	}
	s.planMaint(nil)
	if len(s.sync.waiting) > 0 || (s.cfg.SyncInterval == 0 && s.maint.ready != nil) {
		s.startSync()
	}
}

// kick starts a job for maintenance when none is running (in the relaxed
// mode the timer does it); hint is as for planMaint.
func (s *Store) kick(hint *block) {
	s.planMaint(hint)
	if !s.sync.running && s.maint.ready != nil && s.cfg.SyncInterval == 0 && s.failed == nil {
		s.startSync()
	}
}

// armTimer schedules the relaxed mode's next sync.
func (s *Store) armTimer() {
	if s.cfg.SyncInterval > 0 && s.sync.timer == nil {
		s.sync.timer = s.cfg.Clock.AfterFunc(s.cfg.SyncInterval, s.tick)
	}
}

func (s *Store) tick() {
	s.sync.timer = nil
	if s.stopped || s.failed != nil {
		return
	}
	if err := s.flush(); err != nil {
		return
	}
	s.planMaint(nil)
	switch {
	case s.sync.running:
		s.armTimer()
	case s.needsSync():
		s.startSync()
	}
}

// Stop closes the store; what was durable stays so. A job in flight
// keeps its files open until it completes.
func (s *Store) Stop() error {
	if s.stopped {
		return nil
	}
	var err error
	if s.failed == nil {
		err = s.flush()
	}
	s.stopped = true
	if s.sync.timer != nil {
		s.sync.timer.Stop()
		s.sync.timer = nil
	}
	if s.sync.flushSoon != nil {
		s.sync.flushSoon.Stop()
		s.sync.flushSoon = nil
	}
	written := s.sync.written // the flush above wrote what they appended
	s.sync.written = nil
	for _, done := range written {
		done(err)
	}
	waiting := s.sync.waiting
	s.sync.waiting = nil
	for _, done := range waiting {
		done(store.ErrStopped)
	}
	if !s.sync.running {
		s.finishStop()
	}
	if s.failed != nil {
		return nil
	}
	return err
}

// Delete stops the store and removes its directory.
func (s *Store) Delete() error {
	err := s.Stop()
	s.deleted = true
	if !s.sync.running {
		return s.fs.RemoveAll(s.dir)
	}
	return err
}

func (s *Store) finishStop() {
	s.closeFiles()
	s.blocks, s.active = nil, nil
	s.cache = chunk{}
	if s.deleted && !s.sync.running {
		_ = s.fs.RemoveAll(s.dir)
	}
}
