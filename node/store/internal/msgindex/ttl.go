package msgindex

import "container/heap"

// ttlEntry is one message with a TTL. Entries of removed messages stay in
// the heap until they reach the top (or the heap is rebuilt): an entry is
// current only while its slot is live with the same expiry.
type ttlEntry struct {
	exp int64
	seq uint64
}

type ttlHeap []ttlEntry

func (h ttlHeap) Len() int { return len(h) }
func (h ttlHeap) Less(i, j int) bool {
	if h[i].exp != h[j].exp {
		return h[i].exp < h[j].exp
	}
	return h[i].seq < h[j].seq
}
func (h ttlHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *ttlHeap) Push(v any)   { *h = append(*h, v.(ttlEntry)) }
func (h *ttlHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}

func (x *Index[P]) pushTTL(exp int64, seq uint64) {
	x.ttlLive++
	// Stale entries are garbage; rebuild once they outnumber the live.
	if len(x.ttl) > 64 && len(x.ttl) > 2*x.ttlLive {
		x.rebuildTTL()
	}
	heap.Push(&x.ttl, ttlEntry{exp, seq})
}

func (x *Index[P]) current(e ttlEntry) bool {
	s := x.slot(e.seq)
	return s != nil && s.live() && s.exp == e.exp
}

func (x *Index[P]) rebuildTTL() {
	kept := x.ttl[:0]
	for _, e := range x.ttl {
		if x.current(e) {
			kept = append(kept, e)
		}
	}
	clear(x.ttl[len(kept):])
	x.ttl = kept
	heap.Init(&x.ttl)
}

// popStale drops stale entries from the top.
func (x *Index[P]) popStale() {
	for len(x.ttl) > 0 && !x.current(x.ttl[0]) {
		heap.Pop(&x.ttl)
	}
}

// NextExpiry is the earliest expiry of a live message, or 0.
func (x *Index[P]) NextExpiry() int64 {
	x.popStale()
	if len(x.ttl) == 0 {
		return 0
	}
	return x.ttl[0].exp
}

// Expired returns up to max live sequences expired at now, by expiry. It
// pops them to read them in order and pushes them back.
func (x *Index[P]) Expired(now int64, max int) []uint64 {
	var out []uint64
	var taken []ttlEntry
	for len(out) < max {
		x.popStale()
		if len(x.ttl) == 0 || x.ttl[0].exp > now {
			break
		}
		e := heap.Pop(&x.ttl).(ttlEntry)
		taken = append(taken, e)
		out = append(out, e.seq)
	}
	for _, e := range taken {
		heap.Push(&x.ttl, e)
	}
	return out
}
