package filestore

import (
	"testing"

	"jsnode/disk"
	"jsnode/disk/memfs"
)

// discardFS keeps names but drops written bytes, so the benchmarks
// measure the store, not memfs's copies.
type discardFS struct{ *memfs.FS }

type discardFile struct{ disk.File }

func (discardFile) Write(p []byte) (int, error) { return len(p), nil }
func (discardFile) Sync() error                 { return nil }

func (fs discardFS) Create(name string) (disk.File, error) {
	f, err := fs.FS.Create(name)
	return discardFile{f}, err
}

func benchStore(b *testing.B) (*Store, *disk.SyncQueue) {
	q := &disk.SyncQueue{}
	s, err := Open(discardFS{memfs.New()}, testDir, Config{Syncer: q})
	if err != nil {
		b.Fatal(err)
	}
	return s, q
}

// BenchmarkAppend is appends of 128-byte messages with a group commit
// every 500 (the async publish shape).
func BenchmarkAppend(b *testing.B) {
	s, q := benchStore(b)
	data := make([]byte, 128)
	b.ReportAllocs()
	b.SetBytes(128)
	for i := range b.N {
		if _, err := s.Append("bench.subject", nil, data, int64(i), 0); err != nil {
			b.Fatal(err)
		}
		if i%500 == 499 {
			s.WhenDurable(func(error) {})
			q.RunAll()
		}
	}
}

// BenchmarkAppendSync is one append per group commit (the sync publish
// shape).
func BenchmarkAppendSync(b *testing.B) {
	s, q := benchStore(b)
	data := make([]byte, 128)
	done := func(error) {}
	b.ReportAllocs()
	for i := range b.N {
		if _, err := s.Append("bench.subject", nil, data, int64(i), 0); err != nil {
			b.Fatal(err)
		}
		s.WhenDurable(done)
		q.RunAll()
	}
}

func BenchmarkLoadActive(b *testing.B) {
	s, _ := benchStore(b)
	data := make([]byte, 128)
	for i := range 10000 {
		s.Append("bench.subject", nil, data, int64(i), 0)
	}
	b.ReportAllocs()
	for i := range b.N {
		if _, err := s.Load(uint64(i%10000) + 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadSealed(b *testing.B) {
	q := &disk.SyncQueue{}
	s, _ := Open(memfs.New(), testDir, Config{Syncer: q, BlockSize: MinBlockSize})
	data := make([]byte, 128)
	for i := range 10000 {
		s.Append("bench.subject", nil, data, int64(i), 0)
	}
	b.ReportAllocs()
	for i := range b.N {
		if _, err := s.Load(uint64(i%9000) + 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecover(b *testing.B) {
	mem := memfs.New()
	q := &disk.SyncQueue{}
	s, _ := Open(mem, testDir, Config{Syncer: q})
	data := make([]byte, 128)
	for i := range 100000 {
		s.Append("bench.subject", nil, data, int64(i), 0)
	}
	s.WhenDurable(func(error) {})
	q.RunAll()
	b.ReportAllocs()
	for range b.N {
		s2, err := Open(mem, testDir, Config{Syncer: &disk.SyncQueue{}})
		if err != nil || s2.State().Msgs != 100000 {
			b.Fatal(err)
		}
	}
}
