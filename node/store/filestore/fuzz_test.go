package filestore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"jsnode/disk"
	"jsnode/disk/memfs"
	"jsnode/node/store"
)

// FuzzRecover opens a store whose block files are the fuzz input: Open
// must never panic, and every message it serves must be a record in the
// files that passes its checksum, at its sequence.
//
// Input: a byte n (1 + n%3 files), then the files' bytes split evenly.
func FuzzRecover(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		files := splitFiles(in)
		mem := memfs.New()
		if err := mem.MkdirAll(testDir + "/msgs"); err != nil {
			t.Fatal(err)
		}
		for i, data := range files {
			writeFile(t, mem, testDir+"/msgs/"+blockName(uint32(i+1)), data)
		}
		s, err := Open(mem, testDir, Config{Syncer: &disk.SyncQueue{}, testBlockSize: 1024})
		if err != nil {
			return // a clear error is fine; a panic is not
		}
		checkServed(t, s, files)
		// it keeps working
		if _, err := s.Append("after", nil, []byte("x"), 1, 0); err != nil {
			t.Fatalf("Append after recovery: %v", err)
		}
	})
}

func splitFiles(in []byte) [][]byte {
	if len(in) == 0 {
		return nil
	}
	n := 1 + int(in[0])%3
	in = in[1:]
	out := make([][]byte, n)
	per := len(in) / n
	for i := range n {
		end := (i + 1) * per
		if i == n-1 {
			end = len(in)
		}
		out[i] = in[i*per : end]
	}
	return out
}

func writeFile(t *testing.T, fs disk.FS, name string, data []byte) {
	f, err := fs.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// checkServed loads every sequence (bounded) and matches each message
// with a valid record of the files.
func checkServed(t *testing.T, s *Store, files [][]byte) {
	st := s.State()
	n := uint64(0)
	for seq := st.FirstSeq; seq <= st.LastSeq && seq-st.FirstSeq < 5000; seq++ {
		m, err := s.Load(seq)
		if err != nil {
			continue
		}
		n++
		if !inFiles(files, m) {
			t.Fatalf("served message %d (%q %q) is no valid record of the files", seq, m.Subject, m.Data)
		}
	}
	if st.LastSeq-st.FirstSeq < 5000 && n != st.Msgs {
		t.Fatalf("%d loadable messages, State says %d", n, st.Msgs)
	}
}

func inFiles(files [][]byte, m *store.Msg) bool {
	for _, data := range files {
		if _, _, flags, why := parseHeader(data); why == "" && flags&flagS2 != 0 {
			if data, why = decodeBlock(data); why != "" {
				continue
			}
		}
		for off := 0; off+recordHeaderSize <= len(data); off++ {
			t, body, _, st := parseRecord(data[off:])
			if st != recordOK || t != recMsg {
				continue
			}
			r, ok := decodeMsg(body)
			if ok && r.seq == m.Seq && string(r.subj) == m.Subject && bytes.Equal(r.data, m.Data) &&
				bytes.Equal(r.hdr, m.Header) && r.ts == m.Time {
				return true
			}
		}
	}
	return false
}

// fuzzSeeds are real block files: a store with messages, removes, a
// purge, a compaction, an erase and several blocks.
func fuzzSeeds(f *testing.F) [][]byte {
	mem := memfs.New()
	q := &disk.SyncQueue{}
	s, err := Open(mem, testDir, Config{Syncer: q, testBlockSize: 1024})
	if err != nil {
		f.Fatal(err)
	}
	for i := 1; i <= 40; i++ {
		hdr := []byte(nil)
		if i%4 == 0 {
			hdr = []byte("NATS/1.0\r\nK: v\r\n\r\n")
		}
		if _, err := s.Append(fmt.Sprintf("a.%d", i%3), hdr, fmt.Appendf(nil, "data-%d", i), int64(i), int64(i%2)); err != nil {
			f.Fatal(err)
		}
	}
	s.Remove(3, false)
	s.Remove(7, true)
	s.Purge("a.1", 20, 1)
	s.Compact(5)
	s.WhenDurable(func(error) {})
	q.RunAll()
	var one []byte
	names, _ := mem.List(testDir + "/msgs")
	var all [][]byte
	for _, name := range names {
		data, _ := disk.ReadFile(mem, testDir+"/msgs/"+name)
		all = append(all, data)
	}
	if len(all) == 0 {
		f.Fatal("no block files")
	}
	one = append([]byte{0}, all[0]...)
	last := append([]byte{0}, all[len(all)-1]...)
	// two files of equal length where possible: the first two blocks
	two := []byte{1}
	if len(all) > 1 && len(all[0]) == len(all[1]) {
		two = append(append(two, all[0]...), all[1]...)
	}
	hdrOnly := append([]byte{0}, appendHeader(nil, 1, 1)...)
	bigFirst := append([]byte{0}, appendSeqRecord(appendHeader(nil, 1, 1), recFirst, 1<<40)...)
	badLen := append([]byte{0}, appendHeader(nil, 1, 1)...)
	badLen = binary.LittleEndian.AppendUint32(badLen, 1<<30)
	badLen = binary.LittleEndian.AppendUint32(badLen, ^uint32(1<<30))
	return [][]byte{one, last, two, hdrOnly, bigFirst, badLen, {}, {2, 1, 2, 3}, compressedSeed(f)}
}

// compressedSeed is one s2-compressed sealed block.
func compressedSeed(f *testing.F) []byte {
	mem := memfs.New()
	q := &disk.SyncQueue{}
	s, err := Open(mem, testDir, Config{Syncer: q, testBlockSize: 1024, Compression: S2})
	if err != nil {
		f.Fatal(err)
	}
	for i := 1; i <= 30; i++ {
		s.Append("c", nil, fmt.Appendf(nil, "compressible compressible %d", i), int64(i), 0)
	}
	s.WhenDurable(func(error) {})
	q.RunAll()
	data, err := disk.ReadFile(mem, s.blocks[0].name)
	if err != nil || !s.blocks[0].compressed {
		f.Fatalf("no compressed block: %v", err)
	}
	return append([]byte{0}, data...)
}
