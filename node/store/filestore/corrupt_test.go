package filestore

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"jsnode/disk/faultfs"
	"jsnode/disk/memfs"
	"jsnode/node/store"
)

// filled returns a memfs holding a synced store of n messages in blocks
// of 1 KiB, and the store.
func filled(t *testing.T, n int) (*memfs.FS, *Store) {
	t.Helper()
	mem := memfs.New()
	s, q := reopen(t, mem, Config{testBlockSize: 1024})
	for i := 1; i <= n; i++ {
		mustAppend(t, s, "a", fmt.Sprintf("message %03d", i))
	}
	makeDurable(t, s, q)
	// a second job writes the syncmark for the first
	mustAppend(t, s, "a", fmt.Sprintf("message %03d", n+1))
	makeDurable(t, s, q)
	return mem, s
}

// offsetOf is where the record of seq lies.
func offsetOf(t *testing.T, s *Store, seq uint64) (string, int64) {
	t.Helper()
	l, _, _, ok := s.x.Get(seq)
	if !ok {
		t.Fatalf("seq %d not indexed", seq)
	}
	return s.byNum[l.blk].name, int64(l.off)
}

func TestBitFlipAtRestReported(t *testing.T) {
	mem, s := filled(t, 60)
	name, off := offsetOf(t, s, 7)
	if err := mem.FlipBit(name, off+recordHeaderSize+20, 3); err != nil {
		t.Fatal(err)
	}
	s2, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), Config{testBlockSize: 1024})
	r := s2.Recovery()
	if len(r.Damaged) != 1 || !slices.Equal(r.Lost, []uint64{7}) || len(r.Truncated) != 0 {
		t.Fatalf("Recovery = %+v, want one damaged record losing seq 7", r)
	}
	st := s2.State()
	if st.Lost == nil || !slices.Equal(st.Lost.Msgs, []uint64{7}) || st.Msgs != 60 || st.LastSeq != 61 || st.NumDeleted != 1 {
		t.Fatalf("State = %+v (lost %+v)", st, st.Lost)
	}
	if _, err := s2.Load(7); !errors.Is(err, store.ErrDeleted) {
		t.Fatalf("Load(7) = %v, want ErrDeleted (never served)", err)
	}
	for _, seq := range []uint64{6, 8, 61} {
		if m, err := s2.Load(seq); err != nil || string(m.Data) != fmt.Sprintf("message %03d", seq) {
			t.Fatalf("Load(%d) = %+v, %v", seq, m, err)
		}
	}
	// sequences continue past the damage
	if seq := mustAppend(t, s2, "a", "next"); seq != 62 {
		t.Fatalf("next seq %d, want 62", seq)
	}
}

func TestBitFlipAfterOpenIsCorrupt(t *testing.T) {
	mem, s := filled(t, 60)
	name, off := offsetOf(t, s, 3)
	if err := mem.FlipBit(name, off+recordHeaderSize+2, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(3); !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("Load of a flipped record = %v, want ErrCorrupt", err)
	}
	st := s.State()
	if st.Lost == nil || !slices.Equal(st.Lost.Msgs, []uint64{3}) || st.Msgs != 60 {
		t.Fatalf("State after a corrupt read = %+v", st)
	}
	if _, err := s.Load(3); !errors.Is(err, store.ErrDeleted) {
		t.Fatalf("second Load(3) = %v", err)
	}
	// LoadNext skips it
	if m, err := s.LoadNext("a", 3); err != nil || m.Seq != 4 {
		t.Fatalf("LoadNext(3) = %+v, %v", m, err)
	}
}

// TestBadLastBlockHeaderKeepsSequences: damage to the header of the
// newest block must not make the store forget the sequences it gave
// (the next append reusing an acked sequence).
func TestBadLastBlockHeaderKeepsSequences(t *testing.T) {
	mem := memfs.New()
	s, q := reopen(t, mem, Config{testBlockSize: 1024})
	for i := 1; i <= 3; i++ { // each job's syncmark lands before the next record
		mustAppend(t, s, "a", fmt.Sprintf("message %d", i))
		makeDurable(t, s, q)
	}
	last := s.blocks[len(s.blocks)-1]
	if err := mem.FlipBit(last.name, 1, 1); err != nil {
		t.Fatal(err)
	}
	s2, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), Config{testBlockSize: 1024})
	if r := s2.Recovery(); len(r.Damaged) != 1 || len(r.Lost) != 0 {
		t.Fatalf("Recovery = %+v, want the header damaged and nothing lost", r)
	}
	if m, err := s2.Load(3); err != nil || string(m.Data) != "message 3" {
		t.Fatalf("Load(3) = %+v, %v", m, err)
	}
	if seq := mustAppend(t, s2, "a", "next"); seq != 4 {
		t.Fatalf("next seq %d after the newest block's header was damaged, want 4", seq)
	}
}

func TestBadBlockHeaderReported(t *testing.T) {
	mem, s := filled(t, 60)
	name, _ := offsetOf(t, s, 30)
	l, _, _, _ := s.x.Get(30)
	b := s.byNum[l.blk]
	lo, hi := uint64(0), uint64(0)
	for seq := uint64(1); seq <= 61; seq++ {
		if l2, _, _, _ := s.x.Get(seq); l2.blk == b.num {
			if lo == 0 {
				lo = seq
			}
			hi = seq
		}
	}
	if err := mem.FlipBit(name, 1, 1); err != nil { // the magic
		t.Fatal(err)
	}
	s2, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), Config{testBlockSize: 1024})
	r := s2.Recovery()
	// The header is reported; the records keep their own checksums and
	// sequences, so nothing of the block is lost.
	if len(r.Damaged) != 1 || r.Damaged[0].Block != b.num || len(r.Lost) != 0 {
		t.Fatalf("Recovery = %+v, want block %d's header damaged, nothing lost", r, b.num)
	}
	for seq := lo; seq <= hi; seq++ {
		if m, err := s2.Load(seq); err != nil || m.Seq != seq {
			t.Fatalf("Load(%d) in the block with the damaged header: %+v, %v", seq, m, err)
		}
	}
	if _, err := mem.Stat(name); err != nil {
		t.Fatalf("the damaged block file was removed: %v", err)
	}
	for _, seq := range []uint64{lo - 1, hi + 1} {
		if _, err := s2.Load(seq); err != nil {
			t.Fatalf("Load(%d) next to the damaged block: %v", seq, err)
		}
	}
	if seq := mustAppend(t, s2, "a", "next"); seq != 62 {
		t.Fatalf("next seq %d, want 62", seq)
	}
}

func TestTornTailTruncated(t *testing.T) {
	mem, s := filled(t, 10)
	mustAppend(t, s, "a", "torn")
	if err := s.flush(); err != nil {
		t.Fatal(err)
	}
	// a crash keeps the unsynced write, torn
	truncated := 0
	defer func() {
		if truncated == 0 {
			t.Error("no seed tore the record mid-way")
		}
	}()
	for seed := uint64(0); seed < 20; seed++ {
		c := mem.CrashClone(memfs.CrashOptions{Seed: seed, UnsyncedKeepProbability: 1, TornWriteProbability: 1})
		s2, _ := reopen(t, c, Config{testBlockSize: 1024})
		r := s2.Recovery()
		if len(r.Damaged) != 0 || len(r.Lost) != 0 || len(r.Truncated) > 1 {
			t.Fatalf("seed %d: Recovery = %+v, want at most a truncation", seed, r)
		}
		// the torn message is gone whole (a tear at a record boundary
		// leaves nothing to cut), never served damaged
		if st := s2.State(); st.LastSeq != 11 || st.Msgs != 11 {
			t.Fatalf("seed %d: State = %+v", seed, st)
		}
		truncated += len(r.Truncated)
	}
}

// shortReads makes every sequential read return at most 7 bytes.
type shortReads struct{}

func (shortReads) MaybeError(faultfs.Op, string) error { return nil }
func (shortReads) ShortRead(_ string, n int) int       { return min(n, 7) }

func TestShortReadsRecoverTheSame(t *testing.T) {
	mem, s := filled(t, 60)
	s2, _ := reopen(t, faultfs.Wrap(mem.CrashClone(memfs.CrashOptions{}), shortReads{}), Config{testBlockSize: 1024})
	if s2.State() != s.State() {
		t.Fatalf("State with short reads %+v, want %+v", s2.State(), s.State())
	}
	for seq := uint64(1); seq <= 61; seq++ {
		if _, err := s2.Load(seq); err != nil {
			t.Fatalf("Load(%d): %v", seq, err)
		}
	}
}

// flipReads damages what the next n ReadAt calls return (the medium
// lies; the file is intact): a bit every 16 bytes from byte 20, so every
// record the read covers is hit wherever the read starts.
type flipReads struct{ n *int }

func (flipReads) MaybeError(faultfs.Op, string) error { return nil }
func (f flipReads) CorruptRead(op faultfs.Op, _ string, p []byte) {
	if *f.n > 0 && op == faultfs.OpFileReadAt && len(p) > 20 {
		*f.n--
		for i := 20; i < len(p); i += 16 {
			p[i] ^= 0x10
		}
	}
}

func TestCorruptReadAtNotServed(t *testing.T) {
	mem, _ := filled(t, 60)
	bad := 0
	s2, _ := reopen(t, faultfs.Wrap(mem.CrashClone(memfs.CrashOptions{}), flipReads{&bad}), Config{testBlockSize: 1024})
	// one damaged read: the reread is right
	bad = 1
	if m, err := s2.Load(2); err != nil || string(m.Data) != "message 002" {
		t.Fatalf("Load after one damaged read = %+v, %v", m, err)
	}
	bad = 2
	_, err := s2.Load(30) // another sealed block: not in the cache
	if !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("Load of a damaged read = %v, want ErrCorrupt", err)
	}
	if st := s2.State(); st.Lost == nil || len(st.Lost.Msgs) == 0 {
		t.Fatalf("State after a damaged read: %+v", st)
	}
}

// A bit flipped at rest after the last syncmark looks like a torn tail:
// recovery cuts there (the known limit of one sync per commit), but the
// sequences of what it cut are never given again.
func TestFlipAfterLastMarkKeepsSequences(t *testing.T) {
	mem := memfs.New()
	s, q := reopen(t, mem, Config{testBlockSize: 1024})
	for i := 1; i <= 40; i++ {
		mustAppend(t, s, "a", fmt.Sprintf("message %03d", i))
	}
	makeDurable(t, s, q) // all acknowledged; no syncmark written for it yet
	first := s.blocks[0]
	if len(s.blocks) < 2 {
		t.Fatal("one block")
	}
	if err := mem.FlipBit(first.name, first.written-3, 0); err != nil {
		t.Fatal(err)
	}
	c2 := mem.CrashClone(memfs.CrashOptions{})
	s2, _ := reopen(t, c2, Config{testBlockSize: 1024})
	if r := s2.Recovery(); len(r.Truncated) == 0 {
		t.Fatalf("Recovery = %+v, want the tail cut", r)
	}
	if st := s2.State(); st.LastSeq != 40 {
		t.Fatalf("LastSeq %d after the cut, want 40 (no sequence repeats)", st.LastSeq)
	}
	// and that holds across another crash, the cut tail gone
	s3, _ := reopen(t, c2.CrashClone(memfs.CrashOptions{}), Config{testBlockSize: 1024})
	if r := s3.Recovery(); len(r.Truncated) != 0 || len(r.Damaged) != 0 {
		t.Fatalf("second Recovery = %+v, want clean", r)
	}
	if seq := mustAppend(t, s3, "a", "next"); seq != 41 {
		t.Fatalf("next seq %d, want 41", seq)
	}
}
