package server

import (
	"fmt"
	"strings"
	"testing"

	"jsnode/net"
)

// no_fast_producer_stall: the producer is never paused for a consumer
// that does not read; what would pass the high-water mark is dropped for
// that consumer, and a healthy consumer still gets every message.
func TestNoFastProducerStallDropsInsteadOfPausing(t *testing.T) {
	w := newWorld(t, &Options{MaxPending: 64 << 20, NoFastProducerStall: true})
	stuck := w.connect("")
	stuck.send("SUB bp 1\r\n")
	healthy := w.connect("")
	healthy.send("SUB bp 1\r\n")
	pub := w.connect("")
	payload := strings.Repeat("p", 256<<10)
	msg := fmt.Sprintf("PUB bp %d\r\n%s\r\n", len(payload), payload)
	const n = 12
	got := 0
	for i := 0; i < n; i++ {
		pub.send(msg)
		if pub.c.paused {
			t.Fatalf("producer paused after %d messages", i+1)
		}
		got += strings.Count(healthy.output(), "MSG bp 1")
	}
	if got != n {
		t.Fatalf("healthy consumer got %d of %d messages", got, n)
	}
	limit := net.HighWaterBytes + len(msg) + 64
	if b := stuck.c.Buffered(); b > limit {
		t.Fatalf("stuck consumer holds %d bytes, want at most %d", b, limit)
	}
	if w.srv.NumClients() != 3 {
		t.Fatalf("%d clients, want all 3 (nobody cut off)", w.srv.NumClients())
	}
}
