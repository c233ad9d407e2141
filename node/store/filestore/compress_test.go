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

// Compression changes apply to the blocks sealed afterwards; a store
// reads a mix of both kinds, across a crash.
func TestCompressionChange(t *testing.T) {
	mem := memfs.New()
	cfg := Config{testBlockSize: 4096}
	s, q := reopen(t, mem, cfg)
	payload := strings.Repeat("compressible ", 20)
	add := func(from, to int) {
		for i := from; i <= to; i++ {
			mustAppend(t, s, "c", fmt.Sprintf("%s%d", payload, i))
		}
		makeDurable(t, s, q)
		q.RunAll()
	}
	count := func() (compressed, sealed int) {
		for _, b := range s.blocks {
			if b != s.active {
				sealed++
				if b.compressed {
					compressed++
				}
			}
		}
		return compressed, sealed
	}
	add(1, 100)
	if c, n := count(); c != 0 || n < 2 {
		t.Fatalf("uncompressed: %d of %d sealed blocks compressed", c, n)
	}
	_, before := count()
	s.SetCompression(S2)
	add(101, 200)
	c, n := count()
	if c == 0 || c > n-before+1 {
		t.Fatalf("after the switch to s2: %d of %d sealed blocks compressed (%d sealed before)", c, n, before)
	}
	s.SetCompression(NoCompression)
	add(201, 300)
	c2, n2 := count()
	if c2 != c || n2 <= n {
		t.Fatalf("after the switch back: %d of %d compressed, want %d of more than %d", c2, n2, c, n)
	}
	s2, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), cfg)
	for i := uint64(1); i <= 300; i++ {
		m, err := s2.Load(i)
		if err != nil || string(m.Data) != fmt.Sprintf("%s%d", payload, i) {
			t.Fatalf("Load(%d) after reopen = %v", i, err)
		}
	}
}
