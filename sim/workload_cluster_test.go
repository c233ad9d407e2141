package sim

import (
	"testing"
	"time"
)

func TestRouteTrackerIntervals(t *testing.T) {
	w := NewWorld(1, DefaultOptions())
	r := &run{w: w}
	for _, name := range []string{"a", "b"} {
		r.nodes = append(r.nodes, &NodeHandle{w: w, host: w.Host(name)})
	}
	var rt routeTracker
	rt.init(r)
	ms := time.Millisecond
	ab, ba := [2]string{"a", "b"}, [2]string{"b", "a"}
	for _, s := range []struct {
		at     time.Duration
		ab, ba uint64
	}{{0, 7, 9}, {5 * ms, 7, 9}, {10 * ms, 7, 9}, {15 * ms, 8, 9}, {20 * ms, 8, 9}, {25 * ms, 0, 9}, {30 * ms, 8, 9}} {
		rt.note(ab, s.ab, s.at)
		rt.note(ba, s.ba, s.at)
	}
	cases := []struct {
		a, b time.Duration
		want bool
	}{
		{0, 10 * ms, true},        // one connection throughout
		{5 * ms, 15 * ms, false},  // the connection changed
		{15 * ms, 20 * ms, true},  // the new one
		{20 * ms, 30 * ms, false}, // broken at 25ms, same id after does not join
		{30 * ms, 30 * ms, true},
	}
	for _, c := range cases {
		if got := rt.pathIntact("a", "b", c.a, c.b); got != c.want {
			t.Errorf("pathIntact [%v, %v] = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	if !rt.meshStable(0, 10*ms) || rt.meshStable(0, 30*ms) {
		t.Error("meshStable disagrees with the intervals")
	}
}
