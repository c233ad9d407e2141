package sim

import (
	"testing"

	"jsnode/node/server"
)

func TestEndBuggifyFaultsSilencesOnlyFaultSites(t *testing.T) {
	fault, other := server.BuggifyFaultSites()[0], "site-x"
	fires := func(w *World, site string) int {
		n := 0
		for i := 0; i < 200; i++ {
			if w.Buggify(site) {
				n++
			}
		}
		return n
	}
	checked := 0
	for s := uint64(1); s <= 200 && checked < 3; s++ {
		w := NewWorld(s, Options{})
		if fires(w, fault) == 0 || fires(w, other) == 0 {
			continue // a site not active for this seed
		}
		checked++
		w.EndBuggifyFaults()
		if n := fires(w, fault); n != 0 {
			t.Fatalf("seed %d: fault site %s fired %d times after EndBuggifyFaults", s, fault, n)
		}
		if n := fires(w, other); n == 0 {
			t.Fatalf("seed %d: site %s stopped too", s, other)
		}
	}
	if checked < 3 {
		t.Fatalf("only %d seeds in 200 had both sites active", checked)
	}
}
