package subject

import (
	"slices"
	"strings"
)

// matchCache maps literal subjects to their Result. It holds at most max
// entries; when full it drops the least recently used half. Use stamps
// come from a counter, so they are unique and eviction is deterministic.
// Entries live in fixed slots (fast to scan on invalidation, never moved,
// so dropping one touches the map once) indexed by a map.
type matchCache[S comparable] struct {
	at     map[string]int32 // subject → slot
	slots  []cached[S]      // res == nil marks a free slot
	free   []int32          // free slots, reused last-in first-out
	max    int
	tick   uint64
	stamps []uint64 // scratch for evict
}

type cached[S comparable] struct {
	key  string
	head uint64 // headBytes(key): rejects most keys without reading them
	res  *Result[S]
	used uint64
}

func newMatchCache[S comparable](max int) matchCache[S] {
	return matchCache[S]{at: make(map[string]int32), max: max}
}

func (c *matchCache[S]) len() int { return len(c.at) }

func (c *matchCache[S]) get(lit string) *Result[S] {
	i, ok := c.at[lit]
	if !ok {
		return nil
	}
	return c.touch(i)
}

// getBytes is get without converting lit to a string (no allocation).
func (c *matchCache[S]) getBytes(lit []byte) *Result[S] {
	i, ok := c.at[string(lit)]
	if !ok {
		return nil
	}
	return c.touch(i)
}

func (c *matchCache[S]) touch(i int32) *Result[S] {
	e := &c.slots[i]
	c.tick++
	e.used = c.tick
	return e.res
}

func (c *matchCache[S]) put(lit string, r *Result[S]) {
	if len(c.at) >= c.max {
		c.evict()
	}
	var i int32
	if n := len(c.free); n > 0 {
		i, c.free = c.free[n-1], c.free[:n-1]
	} else {
		i = int32(len(c.slots))
		c.slots = append(c.slots, cached[S]{})
	}
	c.tick++
	c.slots[i] = cached[S]{key: lit, head: headBytes(lit), res: r, used: c.tick}
	c.at[lit] = i
}

// drop frees slot i.
func (c *matchCache[S]) drop(i int) {
	delete(c.at, c.slots[i].key)
	c.slots[i] = cached[S]{}
	c.free = append(c.free, int32(i))
}

// evict keeps the max/2 most recently used entries. Selecting the cut-off
// stamp is linear, unlike sorting.
func (c *matchCache[S]) evict() {
	stamps := c.stamps[:0]
	for _, e := range c.slots {
		if e.res != nil {
			stamps = append(stamps, e.used)
		}
	}
	c.stamps = stamps
	cutoff := kthSmallest(stamps, len(stamps)-c.max/2) // stamps are unique
	for i, e := range c.slots {
		if e.res != nil && e.used < cutoff {
			c.drop(i)
		}
	}
}

// invalidate drops every cached subject that pattern matches, since its
// result changes when an entry under pattern is inserted or removed.
func (c *matchCache[S]) invalidate(pattern string) {
	if len(c.at) == 0 {
		return
	}
	prefix := literalPrefix(pattern)
	if prefix == pattern {
		if i, ok := c.at[pattern]; ok {
			c.drop(int(i))
		}
		return
	}
	head, mask := headBytes(prefix), headMask(len(prefix))
	for i := range c.slots {
		e := &c.slots[i]
		if e.res != nil && e.head&mask == head &&
			strings.HasPrefix(e.key, prefix) && Match(pattern, e.key) {
			c.drop(i)
		}
	}
}

// headBytes packs the first (up to 8) bytes of s into an integer, so a
// key that starts with a prefix p has headBytes(key)&headMask(len(p)) ==
// headBytes(p).
func headBytes(s string) uint64 {
	var h uint64
	for i := range min(len(s), 8) {
		h |= uint64(s[i]) << (8 * i)
	}
	return h
}

func headMask(n int) uint64 {
	if n >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*n) - 1
}

// kthSmallest returns the k-th smallest (from 0) of v, reordering v;
// k == len(v) returns one past the maximum. Hoare quickselect with a
// median-of-three pivot: deterministic, linear on average.
func kthSmallest(v []uint64, k int) uint64 {
	if k >= len(v) {
		return slices.Max(v) + 1
	}
	lo, hi := 0, len(v)-1
	for lo < hi {
		a, b, c := v[lo], v[lo+(hi-lo)/2], v[hi]
		pivot := max(min(a, b), min(max(a, b), c))
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i, j = i+1, j-1
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}

// literalPrefix returns pattern up to its first wildcard token (keeping
// the separator before it), or all of pattern if it is literal. Every
// subject pattern matches starts with it.
func literalPrefix(pattern string) string {
	for start := 0; start < len(pattern); {
		end := strings.IndexByte(pattern[start:], Sep)
		if end < 0 {
			end = len(pattern)
		} else {
			end += start
		}
		if tok := pattern[start:end]; tok == pwcStr || tok == fwcStr {
			return pattern[:start]
		}
		start = end + 1
	}
	return pattern
}
