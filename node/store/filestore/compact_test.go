package filestore

import (
	"bytes"
	"fmt"
	"testing"

	"jsnode/disk"
	"jsnode/disk/memfs"
)

func blockFiles(t *testing.T, fs disk.FS) map[string][]byte {
	t.Helper()
	names, err := fs.List(testDir + "/msgs")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, n := range names {
		data, err := disk.ReadFile(fs, testDir+"/msgs/"+n)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = data
	}
	return out
}

func fill(t *testing.T, s *Store, n int, payload string) {
	t.Helper()
	for i := 1; i <= n; i++ {
		mustAppend(t, s, fmt.Sprintf("s.%d", i%3), fmt.Sprintf("%s-%03d", payload, i))
	}
}

func TestPurgeRemovesBlocks(t *testing.T) {
	mem := memfs.New()
	s, q := reopen(t, mem, Config{testBlockSize: 1024})
	fill(t, s, 200, "m")
	makeDurable(t, s, q)
	before := len(blockFiles(t, mem))
	if _, err := s.Purge("", 0, 0); err != nil {
		t.Fatal(err)
	}
	q.RunAll()
	if after := len(blockFiles(t, mem)); before < 5 || after != 1 {
		t.Fatalf("block files: %d before the purge, %d after; want 1 after", before, after)
	}
	s2, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), Config{testBlockSize: 1024})
	if st := s2.State(); st.Msgs != 0 || st.FirstSeq != 201 || st.LastSeq != 200 {
		t.Fatalf("after reopen: %+v", st)
	}
}

func TestCompactRemovesOldBlocks(t *testing.T) {
	mem := memfs.New()
	s, q := reopen(t, mem, Config{testBlockSize: 1024})
	fill(t, s, 200, "m")
	makeDurable(t, s, q)
	before := len(blockFiles(t, mem))
	if n, _ := s.Compact(150); n != 149 {
		t.Fatalf("Compact(150) = %d", n)
	}
	q.RunAll()
	after := len(blockFiles(t, mem))
	if after >= before/2 {
		t.Fatalf("block files %d -> %d after compacting three quarters", before, after)
	}
	s2, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), Config{testBlockSize: 1024})
	if st := s2.State(); st.Msgs != 51 || st.FirstSeq != 150 || st.LastSeq != 200 {
		t.Fatalf("after reopen: %+v", st)
	}
}

func TestMostlyDeletedBlockRewritten(t *testing.T) {
	mem := memfs.New()
	s, q := reopen(t, mem, Config{testBlockSize: 1024})
	fill(t, s, 200, "m")
	makeDurable(t, s, q)
	l, _, _, _ := s.x.Get(60)
	b := s.byNum[l.blk]
	name, size := blockName(b.num), b.size
	var kept []uint64
	for seq := uint64(1); seq <= 200; seq++ {
		if l2, _, _, ok := s.x.Get(seq); ok && l2.blk == b.num {
			if seq%5 == 0 {
				kept = append(kept, seq)
			} else if _, err := s.Remove(seq, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	q.RunAll()
	files := blockFiles(t, mem)
	if got := int64(len(files[name])); got >= size/2 {
		t.Fatalf("block %s: %d bytes after removing 4 of 5, was %d", name, got, size)
	}
	check := func(s *Store) {
		t.Helper()
		for _, seq := range kept {
			m, err := s.Load(seq)
			if err != nil || string(m.Data) != fmt.Sprintf("m-%03d", seq) {
				t.Fatalf("Load(%d) after rewrite = %+v, %v", seq, m, err)
			}
		}
		if _, err := s.Load(kept[0] + 1); err == nil {
			t.Fatalf("removed message %d came back", kept[0]+1)
		}
	}
	check(s)
	s2, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), Config{testBlockSize: 1024})
	check(s2)
	if s2.State() != s.State() {
		t.Fatalf("State after reopen %+v, want %+v", s2.State(), s.State())
	}
}

func TestEraseOverwrites(t *testing.T) {
	mem := memfs.New()
	s, q := reopen(t, mem, Config{testBlockSize: 1024})
	fill(t, s, 100, "secret")
	makeDurable(t, s, q)
	// 5 is in a sealed block, 100 in the active block still buffered
	mustAppend(t, s, "x", "buffered-secret")
	for _, seq := range []uint64{5, 101} {
		if ok, err := s.Remove(seq, true); !ok || err != nil {
			t.Fatalf("Remove(%d, erase) = %v, %v", seq, ok, err)
		}
	}
	makeDurable(t, s, q)
	for name, data := range blockFiles(t, mem) {
		for _, secret := range []string{"secret-005", "buffered-secret"} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s still holds %q after an erasing remove", name, secret)
			}
		}
	}
	if !bytes.Contains(blockFiles(t, mem)[blockName(1)], []byte("secret-004")) {
		t.Fatal("the rewrite lost a neighbour")
	}
	s2, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), Config{testBlockSize: 1024})
	if s2.State() != s.State() {
		t.Fatalf("State after reopen %+v, want %+v", s2.State(), s.State())
	}
}
