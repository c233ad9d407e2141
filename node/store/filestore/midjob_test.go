package filestore

import (
	"fmt"
	"testing"

	"jsnode/disk"
	"jsnode/disk/faultfs"
	"jsnode/disk/memfs"
)

// TestCrashInsideJobs loses power before every file-system operation of
// the jobs that compact, rewrite and remove blocks (and sync), and checks
// each state a crash there can leave: every message acknowledged before
// is there, with its bytes, and nothing removed durably comes back.
func TestCrashInsideJobs(t *testing.T) {
	for _, cfg := range []Config{{testBlockSize: 1024}, {testBlockSize: 1024, Compression: S2}} {
		mem := memfs.New()
		var snaps []*memfs.FS
		record := false
		inj := faultfs.InjectorFunc(func(faultfs.Op, string) error {
			if record {
				for seed := uint64(0); seed < 3; seed++ {
					snaps = append(snaps, mem.CrashClone(memfs.CrashOptions{
						Seed: seed, UnsyncedKeepProbability: 0.5, TornWriteProbability: 0.5, UnsyncedDirKeepProbability: 0.5,
					}))
				}
			}
			return nil
		})
		s, q := reopen(t, faultfs.Wrap(mem, inj), cfg)
		for i := 1; i <= 150; i++ {
			mustAppend(t, s, fmt.Sprintf("s.%d", i%4), fmt.Sprintf("data-%03d", i))
		}
		makeDurable(t, s, q)
		// acknowledged: remove most of the early blocks and a subject
		for seq := uint64(1); seq <= 60; seq++ {
			if seq%6 != 0 {
				s.Remove(seq, seq%2 == 0)
			}
		}
		s.Purge("s.3", 0, 0)
		makeDurable(t, s, q)
		want := map[uint64]string{}
		for seq := uint64(1); seq <= 150; seq++ {
			if m, err := s.Load(seq); err == nil {
				want[seq] = string(m.Data)
			}
		}
		// now the maintenance jobs run with a crash before each step
		s.Compact(20)
		delete(want, 6)
		delete(want, 12)
		delete(want, 18)
		record = true
		s.WhenDurable(func(error) {})
		q.RunAll()
		record = false
		if len(snaps) < 10 {
			t.Fatalf("only %d crash points", len(snaps))
		}
		for i, snap := range snaps {
			s2, err := Open(snap, testDir, withSyncer(cfg))
			if err != nil {
				t.Fatalf("crash point %d: Open: %v", i, err)
			}
			for seq := uint64(1); seq <= 150; seq++ {
				m, err := s2.Load(seq)
				w, ok := want[seq]
				switch {
				case ok && (err != nil || string(m.Data) != w):
					t.Fatalf("crash point %d: acknowledged %d = %v, %v", i, seq, m, err)
				case !ok && err == nil && seq >= 20:
					t.Fatalf("crash point %d: removed %d came back", i, seq)
				}
			}
			if st := s2.State(); st.LastSeq != 150 {
				t.Fatalf("crash point %d: LastSeq %d", i, st.LastSeq)
			}
		}
	}
}

func withSyncer(cfg Config) Config {
	cfg.Syncer = &disk.SyncQueue{}
	return cfg
}
