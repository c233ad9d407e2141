package storetest

import (
	"testing"

	"jsnode/node/store"
)

var _ = register("TTL", func(t *testing.T, s store.Store) {
	// seq: ts, ttl -> expiry
	add := func(ts, ttl int64) uint64 {
		seq, err := s.Append("t", nil, nil, ts, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	add(100, 500) // 1: 600
	add(110, 0)   // 2: none
	add(120, 100) // 3: 220
	add(130, 470) // 4: 600
	add(140, 60)  // 5: 200
	add(150, -5)  // 6: none
	if got := s.NextExpiry(); got != 200 {
		t.Fatalf("NextExpiry = %d, want 200", got)
	}
	wantSeqs(t, "Expired(199)", s.Expired(199, 10), nil)
	wantSeqs(t, "Expired(220)", s.Expired(220, 10), []uint64{5, 3})
	wantSeqs(t, "Expired(1000, 3)", s.Expired(1000, 3), []uint64{5, 3, 1})
	wantSeqs(t, "Expired(1000)", s.Expired(1000, 10), []uint64{5, 3, 1, 4})
	// they stay stored until removed
	mustLoad(t, s, 5)
	s.Remove(5, false)
	if got := s.NextExpiry(); got != 220 {
		t.Fatalf("NextExpiry after Remove(5) = %d, want 220", got)
	}
	wantSeqs(t, "Expired after remove", s.Expired(1000, 10), []uint64{3, 1, 4})
	s.Purge("", 4, 0)
	wantSeqs(t, "Expired after purge", s.Expired(1000, 10), []uint64{4})
	s.Purge("", 0, 0)
	if got := s.NextExpiry(); got != 0 {
		t.Fatalf("NextExpiry after purge = %d", got)
	}
	wantSeqs(t, "Expired after purge all", s.Expired(1000, 10), nil)
})

var _ = register("TTLMany", func(t *testing.T, s store.Store) {
	// many TTL messages removed out of order keep the index exact
	for i := range 300 {
		if _, err := s.Append("t", nil, nil, int64(i), int64(1000-i)); err != nil {
			t.Fatal(err)
		}
	}
	// all expire at 1000; remove every even sequence
	for seq := uint64(2); seq <= 300; seq += 2 {
		s.Remove(seq, false)
	}
	got := s.Expired(1000, 1000)
	if len(got) != 150 {
		t.Fatalf("Expired = %d seqs, want 150", len(got))
	}
	for i, seq := range got {
		if seq != uint64(2*i+1) {
			t.Fatalf("Expired[%d] = %d, want %d (ties by sequence)", i, seq, 2*i+1)
		}
	}
	if s.NextExpiry() != 1000 {
		t.Fatalf("NextExpiry = %d", s.NextExpiry())
	}
})
