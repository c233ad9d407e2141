package raftlog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"jsnode/disk"
	"jsnode/disk/memfs"
	"jsnode/node/raft"
)

var writeCorpus = flag.Bool("raftlog.writecorpus", false, "rewrite testdata/fuzz/FuzzOpen from freshly built logs")

const fuzzDir = "d"

// fuzzFiles are the files FuzzOpen feeds to Open: hard state, two
// segments and a snapshot (nil: absent).
type fuzzFiles struct{ hardState, seg1, seg2, snap []byte }

// FuzzOpen: arbitrary bytes as the hard-state, segment and snapshot files
// must give a *CorruptionError or a valid state, never a panic; a valid
// state must accept an append and come back identical after reopening.
// With fix set, checksums are recomputed first, so that mutations reach
// the structural checks behind them.
func FuzzOpen(f *testing.F) {
	for _, files := range seedLogs(f) {
		f.Add(files.hardState, files.seg1, files.seg2, files.snap, false)
		f.Add(files.hardState, files.seg1, files.seg2, files.snap, true)
	}
	f.Fuzz(func(t *testing.T, hardState, seg1, seg2, snap []byte, fix bool) {
		files := fuzzFiles{hardState, seg1, seg2, snap}
		if fix {
			files = fixChecksums(files)
		}
		fs := fuzzFS(t, files)
		l, err := Open(fs, fuzzDir, Options{SegmentBytes: SegmentBytesMin, CacheBytes: -1})
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open failed without a corruption error: %v", err)
			}
			return
		}
		st, err := tryReadState(l)
		if err != nil {
			t.Fatalf("Open accepted a state it cannot serve: %v", err)
		}
		checkAppendReopen(t, fs, l, st)
	})
}

// checkAppendReopen appends one entry to a recovered log, syncs, and
// checks that a reopen serves exactly the same state.
func checkAppendReopen(t *testing.T, fs disk.FS, l *Log, st state) {
	t.Helper()
	next := st.Snap.Meta.Index + uint64(len(st.Entries)) + 1
	term := max(st.HS.Term, st.Snap.Meta.Term)
	if n := len(st.Entries); n > 0 {
		term = max(term, st.Entries[n-1].Term)
	}
	e := raft.Entry{Index: next, Term: term, Type: raft.EntryNormal, Data: []byte("fuzz")}
	hs := raft.HardState{Term: term, Vote: st.HS.Vote, Commit: st.HS.Commit}
	if term > st.HS.Term {
		hs.Vote = raft.None
	}
	mustSave(t, l, hs, []raft.Entry{e}, nil)
	mustSync(t, l)
	want := readState(t, l)
	l2, err := Open(fs, fuzzDir, Options{SegmentBytes: SegmentBytesMin, CacheBytes: -1})
	if err != nil {
		t.Fatalf("reopen after append: %v", err)
	}
	if d := diffState(want, readState(t, l2)); d != "" {
		t.Fatalf("reopen after append (-want +got):\n%s", d)
	}
}

// fuzzFS lays the files out as Open expects, naming segments and the
// snapshot after their headers when those parse.
func fuzzFS(t *testing.T, files fuzzFiles) *memfs.FS {
	fs := memfs.New()
	write := func(name string, data []byte) {
		if err := fs.MkdirAll(filepath.Dir(name)); err != nil {
			t.Fatal(err)
		}
		if err := disk.WriteFileAtomic(fs, name, data); err != nil {
			t.Fatal(err)
		}
	}
	if len(files.hardState) > 0 {
		write(fuzzDir+"/"+hardStateFile, files.hardState)
	}
	first1, _, _ := parseSegmentHeader(files.seg1)
	first2, _, _ := parseSegmentHeader(files.seg2)
	first1 = max(first1, 1)
	if first2 <= first1 {
		first2 = first1 + 1
	}
	if len(files.seg1) > 0 {
		write(fuzzDir+"/wal/"+segmentName(first1), files.seg1)
	}
	if len(files.seg2) > 0 {
		write(fuzzDir+"/wal/"+segmentName(first2), files.seg2)
	}
	if len(files.snap) > 0 {
		snap, _, _ := decodeSnapshot(files.snap)
		write(fuzzDir+"/snap/"+snapshotName(snap.Meta.Term, snap.Meta.Index), files.snap)
	}
	return fs
}

// seedLogs builds real logs and returns their files: plain, rotated,
// compacted, installed, and with a torn tail.
func seedLogs(tb testing.TB) []fuzzFiles {
	var out []fuzzFiles
	build := func(opts Options, fill func(l *Log)) {
		fs := memfs.New()
		l := mustOpen(tb, fs, opts)
		fill(l)
		out = append(out, collect(tb, fs, l))
	}
	build(Options{}, func(l *Log) {
		mustSave(tb, l, raft.HardState{Term: 2, Vote: 1, Commit: 3}, makeEntries(1, 5, 2), nil)
		mustSync(tb, l)
	})
	build(smallSegments, func(l *Log) {
		mustSave(tb, l, raft.HardState{Term: 1, Vote: 2, Commit: 4}, makeEntries(1, 14, 1), nil)
		mustSync(tb, l)
		mustSave(tb, l, raft.HardState{Term: 1, Vote: 2, Commit: 9}, nil, nil)
		mustSync(tb, l)
	})
	build(Options{}, func(l *Log) {
		mustSave(tb, l, raft.HardState{Term: 3, Vote: 3, Commit: 6}, makeEntries(1, 8, 3), nil)
		if err := l.Compact(testSnapshot(4, 3)); err != nil {
			tb.Fatal(err)
		}
		mustSave(tb, l, raft.HardState{Term: 3, Vote: 3, Commit: 7}, makeEntries(9, 9, 3), nil)
		mustSync(tb, l)
	})
	build(Options{}, func(l *Log) {
		snap := testSnapshot(50, 4)
		mustSave(tb, l, raft.HardState{Term: 4, Commit: 50}, makeEntries(51, 53, 4), &snap)
		mustSync(tb, l)
		mustSave(tb, l, raft.HardState{Term: 4, Commit: 52}, makeEntries(54, 55, 4), nil)
	})
	return out
}

// collect reads the files of a log in FuzzOpen's layout.
func collect(tb testing.TB, fs disk.FS, l *Log) fuzzFiles {
	read := func(name string) []byte {
		data, err := disk.ReadFile(fs, name)
		if err != nil {
			tb.Fatal(err)
		}
		return data
	}
	var files fuzzFiles
	if _, err := fs.Stat(testDir + "/" + hardStateFile); err == nil {
		files.hardState = read(testDir + "/" + hardStateFile)
	}
	segs := l.segs
	if len(segs) > 2 {
		segs = segs[len(segs)-2:]
	}
	files.seg1 = read(segs[0].name)
	if len(segs) > 1 {
		files.seg2 = read(segs[1].name)
	}
	if l.snap.Meta.Index > 0 {
		files.snap = read(testDir + "/snap/" + snapshotName(l.snap.Meta.Term, l.snap.Meta.Index))
	}
	return files
}

// TestWriteFuzzCorpus rewrites the stored seed corpus when asked to.
func TestWriteFuzzCorpus(t *testing.T) {
	if !*writeCorpus {
		t.Skip("pass -raftlog.writecorpus to rewrite testdata/fuzz/FuzzOpen")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzOpen")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for k, files := range seedLogs(t) {
		text := "go test fuzz v1\n"
		for _, b := range [][]byte{files.hardState, files.seg1, files.seg2, files.snap} {
			text += fmt.Sprintf("[]byte(%q)\n", b)
		}
		text += fmt.Sprintf("bool(%v)\n", k%2 == 1)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", k)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fixChecksums returns copies of the files with every checksum made
// valid: the segment header's, each record's whose length guard holds,
// and the trailing ones of the hard-state and snapshot files.
func fixChecksums(files fuzzFiles) fuzzFiles {
	trailer := func(b []byte) []byte {
		b = bytes.Clone(b)
		if len(b) >= 4 {
			binary.LittleEndian.PutUint32(b[len(b)-4:], checksum(b[:len(b)-4]))
		}
		return b
	}
	return fuzzFiles{hardState: trailer(files.hardState), seg1: fixSegment(files.seg1),
		seg2: fixSegment(files.seg2), snap: trailer(files.snap)}
}

func fixSegment(b []byte) []byte {
	b = bytes.Clone(b)
	if len(b) < segmentHeaderSize {
		return b
	}
	binary.LittleEndian.PutUint32(b[24:], checksum(b[:24]))
	for off := segmentHeaderSize; off+recordHeaderSize < len(b); {
		n := binary.LittleEndian.Uint32(b[off:])
		end := off + recordHeaderSize + int(n)
		if n == 0 || n != ^binary.LittleEndian.Uint32(b[off+4:]) || n > recordBodyMax || end > len(b) {
			return b
		}
		body := b[off+recordHeaderSize : end]
		binary.LittleEndian.PutUint32(b[off+8:], crc32.Update(checksum(b[off:off+4]), castagnoli, body))
		off = end
	}
	return b
}
