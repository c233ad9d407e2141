package subject

import (
	"slices"
	"strings"
)

// Match returns every subscriber whose pattern matches the literal subject
// lit (see Result for order and lifetime). A subject that cannot be routed
// (empty tokens, whitespace) matches nobody; wildcard tokens in lit are
// literal tokens that only wildcard patterns match.
func (x *Index[S]) Match(lit string) *Result[S] {
	if r := x.cache.get(lit); r != nil {
		return r
	}
	if !ValidRoutable(lit) {
		return x.empty
	}
	// Clone: the cache key must not pin the caller's (maybe larger) string.
	return x.matchSlow(strings.Clone(lit))
}

// MatchBytes is Match for a []byte subject. A cache hit does not allocate.
func (x *Index[S]) MatchBytes(lit []byte) *Result[S] {
	if r := x.cache.getBytes(lit); r != nil {
		return r
	}
	s := string(lit)
	if !ValidRoutable(s) {
		return x.empty
	}
	return x.matchSlow(s)
}

// HasInterest reports whether anybody would receive a message on lit,
// without building a Result on a cache miss.
func (x *Index[S]) HasInterest(lit string) bool {
	if r := x.cache.get(lit); r != nil {
		return !r.Empty()
	}
	return ValidRoutable(lit) && x.root.hasInterest(lit)
}

func (l *level[S]) hasInterest(lit string) bool {
	tok, rest, more := cut(lit)
	if l.fwc != nil && l.fwc.hasEntries() {
		return true
	}
	return l.pwc.hasInterestBelow(rest, more) || l.lits[tok].hasInterestBelow(rest, more)
}

// hasInterestBelow reports interest at n (no tokens left) or below it;
// n may be nil.
func (n *node[S]) hasInterestBelow(rest string, more bool) bool {
	switch {
	case n == nil:
		return false
	case !more:
		return n.hasEntries()
	}
	return n.next != nil && n.next.hasInterest(rest)
}

// matchSlow computes and caches the result for lit, a valid publish
// subject the cache may keep as its key.
func (x *Index[S]) matchSlow(lit string) *Result[S] {
	nodes := x.root.collect(lit, x.nodeBuf[:0])
	r := x.build(nodes)
	clear(nodes)
	x.nodeBuf = nodes[:0]
	x.cache.put(lit, r)
	return r
}

// collect appends the nodes whose pattern matches lit.
func (l *level[S]) collect(lit string, out []*node[S]) []*node[S] {
	tok, rest, more := cut(lit)
	if l.fwc != nil {
		out = append(out, l.fwc)
	}
	out = l.pwc.collectBelow(rest, more, out)
	return l.lits[tok].collectBelow(rest, more, out)
}

// collectBelow appends n if lit ends here, else matches below it; n may
// be nil.
func (n *node[S]) collectBelow(rest string, more bool, out []*node[S]) []*node[S] {
	switch {
	case n == nil:
		return out
	case !more:
		return append(out, n)
	case n.next == nil:
		return out
	}
	return n.next.collect(rest, out)
}

// build turns matched nodes into a Result. Each node's lists are already
// in seq order, so the result is a k-way merge of them, written straight
// into one backing array shared by Plain and all queue groups.
func (x *Index[S]) build(nodes []*node[S]) *Result[S] {
	nPlain, nQueued := 0, 0
	for _, n := range nodes {
		nPlain += n.plain.live
		for _, q := range n.queues {
			nQueued += q.live
		}
	}
	if nPlain == 0 && nQueued == 0 {
		return x.empty
	}
	subs := make([]S, nPlain+nQueued)
	r := &Result[S]{}
	if nPlain > 0 {
		r.Plain = subs[:nPlain:nPlain]
		for _, n := range nodes {
			x.merge.add(&n.plain)
		}
		x.merge.into(r.Plain)
	}
	if nQueued > 0 {
		r.Queues = x.buildQueues(nodes, subs[nPlain:])
	}
	return r
}

// buildQueues merges each queue name's lists across nodes into members
// carved out of subs, one group per name in name order.
func (x *Index[S]) buildQueues(nodes []*node[S], subs []S) []QueueGroup[S] {
	names := x.queueNames[:0]
	for _, n := range nodes {
		for _, q := range n.queues {
			names = append(names, q.name)
		}
	}
	if len(nodes) > 1 {
		slices.Sort(names)
		names = slices.Compact(names)
	}
	groups := make([]QueueGroup[S], len(names))
	for i, name := range names {
		size := 0
		for _, n := range nodes {
			if l := n.listFor(name, false); l != nil {
				x.merge.add(l)
				size += l.live
			}
		}
		groups[i] = QueueGroup[S]{Name: name, Members: subs[:size:size]}
		x.merge.into(groups[i].Members)
		subs = subs[size:]
	}
	clear(names)
	x.queueNames = names[:0]
	return groups
}

// merger merges lists by entry seq. Positions are kept apart from the
// lists so the merge loop writes no pointers.
type merger[S comparable] struct {
	lists []*list[S]
	pos   []int
}

func (m *merger[S]) add(l *list[S]) {
	if l.live > 0 {
		m.lists = append(m.lists, l)
		m.pos = append(m.pos, 0)
	}
}

// into fills dst (sized to the total of live entries) and resets m.
func (m *merger[S]) into(dst []S) {
	if len(m.lists) == 1 { // common: no merging
		dst = dst[:0]
		for _, e := range m.lists[0].items {
			if e != nil {
				dst = append(dst, e.sub)
			}
		}
	} else {
		for i := range dst {
			dst[i] = m.next().sub
		}
	}
	clear(m.lists)
	m.lists, m.pos = m.lists[:0], m.pos[:0]
}

// next returns the entry with the smallest seq among the lists' heads.
func (m *merger[S]) next() *entry[S] {
	best := -1
	var head *entry[S]
	for j, l := range m.lists {
		p := m.pos[j]
		for p < len(l.items) && l.items[p] == nil {
			p++
		}
		m.pos[j] = p
		if p < len(l.items) && (head == nil || l.items[p].seq < head.seq) {
			best, head = j, l.items[p]
		}
	}
	m.pos[best]++
	return head
}
