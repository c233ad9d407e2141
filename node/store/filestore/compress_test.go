package filestore

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"jsnode/disk/memfs"
	"jsnode/node/store"
)

func TestSealedBlocksCompressed(t *testing.T) {
	mem := memfs.New()
	cfg := Config{testBlockSize: 4096, Compression: S2}
	s, q := reopen(t, mem, cfg)
	payload := strings.Repeat("compressible ", 20)
	for i := 1; i <= 300; i++ {
		mustAppend(t, s, "c", fmt.Sprintf("%s%d", payload, i))
	}
	makeDurable(t, s, q)
	q.RunAll()
	compressed, total := 0, 0
	for _, b := range s.blocks {
		if b == s.active {
			continue
		}
		total++
		if b.compressed {
			compressed++
			if b.phys*2 > b.size {
				t.Errorf("block %d: %d bytes compressed from %d", b.num, b.phys, b.size)
			}
		}
	}
	if total < 5 || compressed != total {
		t.Fatalf("%d of %d sealed blocks compressed", compressed, total)
	}
	check := func(s *Store) {
		t.Helper()
		for i := uint64(1); i <= 300; i++ {
			m, err := s.Load(i)
			if err != nil || string(m.Data) != fmt.Sprintf("%s%d", payload, i) {
				t.Fatalf("Load(%d) = %v", i, err)
			}
		}
	}
	check(s)
	// remove most of a compressed block: it is rewritten, still compressed
	for i := uint64(1); i <= 20; i++ {
		if i%7 != 0 {
			s.Remove(i, true)
		}
	}
	makeDurable(t, s, q)
	s2, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), cfg)
	if s2.State() != s.State() {
		t.Fatalf("State after reopen %+v, want %+v", s2.State(), s.State())
	}
	// a store opened without compression still reads them
	s3, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), Config{testBlockSize: 4096})
	if m, err := s3.Load(200); err != nil || !strings.HasPrefix(string(m.Data), payload) {
		t.Fatalf("Load(200) without compression configured: %v", err)
	}
}

func TestCompressedBlockDamageReported(t *testing.T) {
	mem := memfs.New()
	cfg := Config{testBlockSize: 4096, Compression: S2}
	s, q := reopen(t, mem, cfg)
	for i := 1; i <= 300; i++ {
		mustAppend(t, s, "c", strings.Repeat("z", 100))
	}
	makeDurable(t, s, q)
	q.RunAll()
	b := s.blocks[1]
	if !b.compressed {
		t.Fatal("block 2 not compressed")
	}
	var seqs []uint64
	for seq := uint64(1); seq <= 300; seq++ {
		if l, _, _, _ := s.x.Get(seq); l.blk == b.num {
			seqs = append(seqs, seq)
		}
	}
	if err := mem.FlipBit(b.name, b.phys-3, 2); err != nil {
		t.Fatal(err)
	}
	// the open store finds it on read
	s.cache = chunk{}
	if _, err := s.Load(seqs[0]); !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("Load from a damaged compressed block: %v", err)
	}
	// recovery reports every message of the block
	s2, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), cfg)
	if r := s2.Recovery(); len(r.Damaged) != 1 || !slices.Equal(r.Lost, seqs) {
		t.Fatalf("Recovery = %+v, want lost %v", r, seqs)
	}
}
