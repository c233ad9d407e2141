package store_test

import (
	"testing"

	"jsnode/node/store"
)

func BenchmarkMemoryAppend(b *testing.B) {
	s := store.NewMemory(store.MemoryConfig{})
	data := make([]byte, 128)
	b.ReportAllocs()
	for i := range b.N {
		if _, err := s.Append("bench.subject", nil, data, int64(i), 0); err != nil {
			b.Fatal(err)
		}
		if i >= 100000 {
			s.Remove(uint64(i-99999), false) // a bounded stream, as limits keep it
		}
	}
}
