package sim

import (
	"math/rand/v2"

	"jsnode/node/server"
)

// BUGGIFY parameters, as FoundationDB uses them: a site is switched on for
// about a quarter of seeds, and an active site fires a quarter of the time.
const (
	buggifyActiveOneIn = 4
	buggifyFireProb    = 0.25
)

// buggifyState memoises which sites are active for this seed. Activation
// is a hash of (seed, site), so it does not depend on the order in which
// sites are first asked about.
type buggifyState struct {
	seed   uint64
	active map[string]bool
	fired  map[string]int
	// faults are the sites that inject faults (server.BuggifyFaultSites);
	// faultsOff silences them (EndBuggifyFaults).
	faults    map[string]bool
	faultsOff bool
}

func (b *buggifyState) init(seed uint64) {
	b.seed = seed
	b.active = make(map[string]bool)
	b.fired = make(map[string]int)
	b.faults = make(map[string]bool)
	for _, site := range server.BuggifyFaultSites() {
		b.faults[site] = true
	}
}

func (b *buggifyState) siteActive(site string) bool {
	on, ok := b.active[site]
	if !ok {
		h := uint64(fnvOffset) ^ b.seed
		for i := 0; i < len(site); i++ {
			h ^= uint64(site[i])
			h *= fnvPrime
		}
		h ^= h >> 33
		h *= 0xff51afd7ed558ccd
		h ^= h >> 33
		on = h%buggifyActiveOneIn == 0
		b.active[site] = on
	}
	return on
}

// Buggify reports whether the rare path at site should be taken now,
// drawing from the master stream. Hosts' Buggify draws from their own.
func (w *World) Buggify(site string) bool {
	return w.buggifyWith(site, "world", w.rng)
}

// EndBuggifyFaults stops the BUGGIFY sites that inject faults (broken
// route connections) for the rest of the run; the others go on. A
// scenario calls it when its liveness phase begins: every fault heals then.
func (w *World) EndBuggifyFaults() { w.buggify.faultsOff = true }

func (w *World) buggifyWith(site, host string, r *rand.Rand) bool {
	b := &w.buggify
	if w.opts.NoBuggify || (b.faultsOff && b.faults[site]) || !b.siteActive(site) {
		return false
	}
	if r.Float64() >= buggifyFireProb {
		return false
	}
	w.buggify.fired[site]++
	w.record(host, "buggify", 0, []byte(site))
	return true
}

// BuggifyFired reports how often each site fired so far (for coverage
// reports); the map is a copy.
func (w *World) BuggifyFired() map[string]int {
	out := make(map[string]int, len(w.buggify.fired))
	for k, v := range w.buggify.fired {
		out[k] = v
	}
	return out
}
