package filestore

import (
	"testing"

	"jsnode/disk"
	"jsnode/disk/osfs"
)

// The benchmarks below run over the real disk (a temporary directory),
// with every sync job run at once: they measure the store with fsync
// before ack, the shapes of nats bench's file publish scenarios.

func osStore(b *testing.B) (*Store, *disk.SyncQueue) {
	q := &disk.SyncQueue{}
	s, err := Open(osfs.New(b.TempDir()), "stream", Config{Syncer: q})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Stop() })
	return s, q
}

// BenchmarkOSSyncPublish: one 128-byte message per fsync (a sync
// publisher waits for each ack).
func BenchmarkOSSyncPublish(b *testing.B) {
	s, q := osStore(b)
	data := make([]byte, 128)
	done := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for i := range b.N {
		s.Append("bench", nil, data, int64(i), 0)
		s.WhenDurable(done)
		q.RunAll()
	}
}

// BenchmarkOSBatch500: 500 messages share each fsync (an async publisher
// with 500 in flight, group commit).
func BenchmarkOSBatch500(b *testing.B) {
	s, q := osStore(b)
	data := make([]byte, 128)
	b.ReportAllocs()
	for i := range b.N {
		s.Append("bench", nil, data, int64(i), 0)
		if i%500 == 499 {
			s.WhenDurable(func(error) {})
			q.RunAll()
		}
	}
	s.WhenDurable(func(error) {})
	q.RunAll()
}
