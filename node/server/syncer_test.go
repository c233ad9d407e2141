package server

import (
	"errors"
	"testing"
	"time"

	"jsnode/clock"
	"jsnode/disk"
)

// Without Env.Syncer the fallback runs work at once and done as a later
// event, in order, with work's error.
func TestInlineSyncerFallback(t *testing.T) {
	clk := clock.NewManual(time.Unix(1_700_000_000, 0))
	env := Env{Clock: clk}
	s := env.syncer()
	var worked, done []int
	var errs []error
	for i, werr := range []error{nil, disk.ErrIO} {
		s.Sync(func() error { worked = append(worked, i); return werr }, func(err error) {
			done = append(done, i)
			errs = append(errs, err)
		})
	}
	if len(worked) != 2 || len(done) != 0 {
		t.Fatalf("after Sync: %d works ran, %d dones: want 2 and none", len(worked), len(done))
	}
	clk.Advance(0)
	if len(done) != 2 || done[0] != 0 || errs[0] != nil || !errors.Is(errs[1], disk.ErrIO) {
		t.Fatalf("dones %v with errors %v: want [0 1], [nil EIO]", done, errs)
	}
	q := &disk.SyncQueue{}
	if got := (&Env{Clock: clk, Syncer: q}).syncer(); got != disk.Syncer(q) {
		t.Fatal("Env.Syncer set, but not used")
	}
}
