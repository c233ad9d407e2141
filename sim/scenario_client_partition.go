package sim

import "time"

// Partitions between a client and its node:
//
//	faults {
//	  client_partition { every: "2s", heal_after: "800ms", one_way: true }
//	}
//
// At gaps drawn around every, one random client host is cut off from
// every node (both ways, or with one_way one direction drawn at random)
// for a time drawn around heal_after; bytes written across the cut are
// held and delivered at the heal, unless a keep-alive closes the
// connection first, and dials across it time out. One client is cut at a
// time.

// ClientPartitionSpec is faults.client_partition.
type ClientPartitionSpec struct {
	Every, Heal time.Duration
	OneWay      bool
}

func parseClientPartition(f *fields, sc *Scenario) error {
	v, ok := f.get("client_partition")
	if !ok {
		return nil
	}
	b, err := blockFields("faults.client_partition", v, "every", "heal_after", "one_way")
	if err != nil {
		return err
	}
	spec := &ClientPartitionSpec{}
	if err := firstError([]error{
		b.require("every", "heal_after"),
		b.duration("every", &spec.Every, 2*time.Millisecond, maxScenarioDuration),
		b.duration("heal_after", &spec.Heal, 2*time.Millisecond, maxScenarioDuration),
		b.boolean("one_way", &spec.OneWay),
	}); err != nil {
		return err
	}
	sc.Faults.ClientPartition = spec
	return nil
}

func (r *run) nextClientPartition(spec ClientPartitionSpec) {
	w := r.w
	w.After(w.around(spec.Every), func() {
		if !r.faults || len(r.clients) == 0 {
			return
		}
		c := r.clients[w.rng.IntN(len(r.clients))].Host().Name()
		nodes := r.nodeNames()
		links := cutBoth([]string{c}, nodes)
		if spec.OneWay {
			if w.rng.IntN(2) == 0 {
				links = cutFrom([]string{c}, nodes)
			} else {
				links = cutFrom(nodes, []string{c})
			}
		}
		w.blockLinks(links, "client")
		w.After(w.around(spec.Heal), func() {
			w.unblockLinks(links)
			r.nextClientPartition(spec)
		})
	})
}
