package monitor

import (
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// threeConns are connections 1..3 whose every sortable field puts them in
// a different order, so each key's expected order is distinct.
func threeConns() []*ConnInfo {
	stop := func(d time.Duration) *time.Time { s := t0.Add(d); return &s }
	return []*ConnInfo{
		{Cid: 1, Start: t0, LastActivity: t0.Add(5 * time.Second), NumSubs: 2, Pending: 30,
			OutMsgs: 1, InMsgs: 9, OutBytes: 20, InBytes: 10, RTT: "2ms", Reason: "Read Error", Stop: stop(50 * time.Second)},
		{Cid: 2, Start: t0.Add(10 * time.Second), LastActivity: t0.Add(30 * time.Second), NumSubs: 9, Pending: 10,
			OutMsgs: 5, InMsgs: 1, OutBytes: 10, InBytes: 30, RTT: "500µs", Reason: "Client Closed", Stop: stop(15 * time.Second)},
		{Cid: 3, Start: t0.Add(20 * time.Second), LastActivity: t0.Add(1 * time.Second), NumSubs: 5, Pending: 20,
			OutMsgs: 3, InMsgs: 4, OutBytes: 30, InBytes: 20, RTT: "1.5s", Reason: "Stale Connection", Stop: stop(100 * time.Second)},
	}
}

func cids(conns []*ConnInfo) []uint64 {
	out := make([]uint64, len(conns))
	for i, c := range conns {
		out[i] = c.Cid
	}
	return out
}

func TestSortConnzEveryKey(t *testing.T) {
	now := t0.Add(time.Hour)
	cases := []struct {
		by   SortOpt
		want []uint64
	}{
		{"", []uint64{1, 2, 3}},
		{ByCid, []uint64{1, 2, 3}},
		{ByStart, []uint64{1, 2, 3}},
		{BySubs, []uint64{2, 3, 1}},     // 9, 5, 2
		{ByPending, []uint64{1, 3, 2}},  // 30, 20, 10
		{ByOutMsgs, []uint64{2, 3, 1}},  // 5, 3, 1
		{ByInMsgs, []uint64{1, 3, 2}},   // 9, 4, 1
		{ByOutBytes, []uint64{3, 1, 2}}, // 30, 20, 10
		{ByInBytes, []uint64{2, 3, 1}},  // 30, 20, 10
		{ByLast, []uint64{2, 1, 3}},     // most recent activity first
		{ByIdle, []uint64{3, 1, 2}},     // longest idle first
		{ByUptime, []uint64{2, 1, 3}},   // 5s, 50s, 80s (stop - start)
		{ByStop, []uint64{3, 1, 2}},     // latest stop first
		{ByReason, []uint64{2, 1, 3}},   // alphabetical
		{ByRTT, []uint64{3, 1, 2}},      // 1.5s, 2ms, 500µs
	}
	for _, tc := range cases {
		conns := threeConns()
		SortConnz(conns, string(tc.by), now)
		if got := cids(conns); !slices.Equal(got, tc.want) {
			t.Errorf("sort=%q: got %v want %v", tc.by, got, tc.want)
		}
	}
}

func TestSortConnzUptimeOpenConnections(t *testing.T) {
	conns := threeConns()
	for _, c := range conns {
		c.Stop = nil
	}
	// Open: uptime is now - start, so the latest start is the shortest.
	SortConnz(conns, string(ByUptime), t0.Add(time.Minute))
	if got := cids(conns); !slices.Equal(got, []uint64{3, 2, 1}) {
		t.Fatalf("uptime of open connections: got %v", got)
	}
}

func TestSortConnzUnknownKeyKeepsOrder(t *testing.T) {
	conns := threeConns()
	slices.Reverse(conns)
	SortConnz(conns, "bogus", t0)
	if got := cids(conns); !slices.Equal(got, []uint64{3, 2, 1}) {
		t.Fatalf("unknown key reordered: %v", got)
	}
}

// Property: every key yields a permutation ordered by that key, and ties
// keep the input (cid) order.
func TestSortConnzProperty(t *testing.T) {
	keys := []SortOpt{ByCid, BySubs, ByPending, ByOutMsgs, ByInMsgs, ByOutBytes, ByInBytes, ByLast, ByIdle, ByReason, ByRTT}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 30).Draw(t, "n")
		conns := make([]*ConnInfo, n)
		for i := range conns {
			conns[i] = &ConnInfo{
				Cid:          uint64(i + 1),
				NumSubs:      uint32(rapid.IntRange(0, 3).Draw(t, "subs")),
				Pending:      rapid.IntRange(0, 3).Draw(t, "pending"),
				OutMsgs:      rapid.Int64Range(0, 3).Draw(t, "out"),
				InMsgs:       rapid.Int64Range(0, 3).Draw(t, "in"),
				OutBytes:     rapid.Int64Range(0, 3).Draw(t, "outb"),
				InBytes:      rapid.Int64Range(0, 3).Draw(t, "inb"),
				LastActivity: t0.Add(time.Duration(rapid.IntRange(0, 3).Draw(t, "last")) * time.Second),
				Reason:       rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, "reason"),
				RTT:          rapid.SampledFrom([]string{"0s", "1ms", "2ms"}).Draw(t, "rtt"),
			}
		}
		by := rapid.SampledFrom(keys).Draw(t, "by")
		sorted := slices.Clone(conns)
		SortConnz(sorted, string(by), t0)
		cmpFn := connLess(by, t0)
		for i := 1; i < len(sorted); i++ {
			c := cmpFn(sorted[i-1], sorted[i])
			if c > 0 || (c == 0 && sorted[i-1].Cid > sorted[i].Cid) {
				t.Fatalf("sort=%s: %d before %d out of order", by, sorted[i-1].Cid, sorted[i].Cid)
			}
		}
		got := cids(sorted)
		slices.Sort(got)
		if !slices.Equal(got, cids(conns)) {
			t.Fatalf("not a permutation: %v", got)
		}
	})
}

func TestPage(t *testing.T) {
	cases := []struct{ n, off, lim, lo, hi int }{
		{10, 0, 1024, 0, 10},
		{10, 3, 4, 3, 7},
		{10, 8, 4, 8, 10},
		{10, 12, 4, 10, 10},
		{10, -5, 2, 0, 2},
		{0, 0, 10, 0, 0},
		{5, 0, 0, 0, 0},
	}
	for _, tc := range cases {
		if lo, hi := Page(tc.n, tc.off, tc.lim); lo != tc.lo || hi != tc.hi {
			t.Errorf("Page(%d,%d,%d) = %d,%d want %d,%d", tc.n, tc.off, tc.lim, lo, hi, tc.lo, tc.hi)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 100).Draw(t, "n")
		lo, hi := Page(n, rapid.IntRange(-10, 120).Draw(t, "off"), rapid.IntRange(-10, 120).Draw(t, "lim"))
		if lo < 0 || hi < lo || hi > n {
			t.Fatalf("window [%d,%d) outside [0,%d]", lo, hi, n)
		}
	})
}
