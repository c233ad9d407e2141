package filestore

import (
	"testing"

	"jsnode/disk"
	"jsnode/disk/memfs"
	"jsnode/node/store"
	"jsnode/node/store/storetest"
)

// settled is a file store whose sync jobs a test runs with Settle.
type settled struct {
	*Store
	q *disk.SyncQueue
}

func (s settled) Settle() { s.q.RunAll() }

func openSettled(t *testing.T, fs disk.FS, cfg Config) settled {
	t.Helper()
	q := &disk.SyncQueue{}
	cfg.Syncer = q
	s, err := Open(fs, "streams/s1", cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return settled{s, q}
}

func opener(cfg Config) storetest.Opener {
	return func(t *testing.T) store.Store { return openSettled(t, memfs.New(), cfg) }
}
