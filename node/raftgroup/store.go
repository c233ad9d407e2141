package raftgroup

import (
	"jsnode/node/raft"
	"jsnode/node/raftlog"
)

// store is the log behind a group: raft reads it (raft.Storage), the
// group writes what each Ready asks.
type store interface {
	raft.Storage
	// save stores the Ready's snapshot, then entries, then hard state.
	save(rd *raft.Ready) error
	// sync makes everything saved durable.
	sync() error
	// startSync captures a sync of everything saved, for a Syncer: work
	// does the I/O off the loop, finish records its outcome on the loop.
	startSync() (work func() error, finish func(error) error, err error)
	// compact stores a snapshot of the applied state and drops the log
	// entries it covers.
	compact(snap raft.Snapshot) error
	close()
}

func openStore(cfg Config) (store, error) {
	if cfg.FS == nil {
		return memStore{raft.NewMemoryStorage()}, nil
	}
	l, err := raftlog.Open(cfg.FS, cfg.Dir, cfg.LogOptions)
	if err != nil {
		return nil, err
	}
	return diskStore{l}, nil
}

// diskStore is the durable log (raftlog).
type diskStore struct{ *raftlog.Log }

func (s diskStore) save(rd *raft.Ready) error {
	return s.Save(rd.HardState, rd.Entries, rd.Snapshot)
}
func (s diskStore) sync() error { return s.Sync() }
func (s diskStore) startSync() (func() error, func(error) error, error) {
	j, err := s.StartSync()
	if err != nil {
		return nil, nil, err
	}
	return j.Work, j.Finish, nil
}
func (s diskStore) compact(snap raft.Snapshot) error { return s.Compact(snap) }
func (s diskStore) close()                           { _ = s.Close() }

// memStore keeps the log in memory; nothing survives a restart.
type memStore struct{ *raft.MemoryStorage }

func (s memStore) save(rd *raft.Ready) error {
	if rd.Snapshot != nil {
		if err := s.ApplySnapshot(*rd.Snapshot); err != nil {
			return err
		}
	}
	if err := s.Append(rd.Entries); err != nil {
		return err
	}
	if !rd.HardState.IsEmpty() {
		return s.SetHardState(rd.HardState)
	}
	return nil
}
func (s memStore) sync() error { return nil }
func (s memStore) startSync() (func() error, func(error) error, error) {
	return func() error { return nil }, func(err error) error { return err }, nil
}
func (s memStore) compact(snap raft.Snapshot) error { return s.Compact(snap) }
func (s memStore) close()                           {}
