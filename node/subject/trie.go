package subject

import (
	"slices"
	"strings"
)

// level is one token position of the trie.
type level[S comparable] struct {
	lits map[string]*node[S] // literal tokens; nil until the first one
	pwc  *node[S]            // `*`
	fwc  *node[S]            // `>`; never has a next level
}

// node holds the entries whose subject ends at this token, and the level of
// the next token for longer subjects.
type node[S comparable] struct {
	next   *level[S]
	plain  list[S]
	queues []*queueList[S] // sorted by name, none empty
}

type queueList[S comparable] struct {
	name string
	list[S]
}

func (l *level[S]) child(tok string) *node[S] {
	switch tok {
	case pwcStr:
		return l.pwc
	case fwcStr:
		return l.fwc
	}
	return l.lits[tok]
}

func (l *level[S]) childOrNew(tok string) *node[S] {
	if n := l.child(tok); n != nil {
		return n
	}
	n := &node[S]{}
	switch tok {
	case pwcStr:
		l.pwc = n
	case fwcStr:
		l.fwc = n
	default:
		if l.lits == nil {
			l.lits = make(map[string]*node[S])
		}
		l.lits[tok] = n
	}
	return n
}

func (l *level[S]) drop(tok string) {
	switch tok {
	case pwcStr:
		l.pwc = nil
	case fwcStr:
		l.fwc = nil
	default:
		delete(l.lits, tok)
		if len(l.lits) == 0 {
			l.lits = nil
		}
	}
}

func (l *level[S]) isEmpty() bool {
	return len(l.lits) == 0 && l.pwc == nil && l.fwc == nil
}

func (n *node[S]) hasEntries() bool { return n.plain.live > 0 || len(n.queues) > 0 }

func (n *node[S]) isEmpty() bool { return !n.hasEntries() && n.next == nil }

// listFor returns the list for queue ("" = plain); with create it makes a
// missing queue list, otherwise it returns nil for one.
func (n *node[S]) listFor(queue string, create bool) *list[S] {
	if queue == "" {
		return &n.plain
	}
	i, found := slices.BinarySearchFunc(n.queues, queue, func(q *queueList[S], name string) int {
		return strings.Compare(q.name, name)
	})
	if found {
		return &n.queues[i].list
	}
	if !create {
		return nil
	}
	q := &queueList[S]{name: queue}
	n.queues = slices.Insert(n.queues, i, q)
	return &q.list
}

func (n *node[S]) dropQueue(queue string) {
	n.queues = slices.DeleteFunc(n.queues, func(q *queueList[S]) bool { return q.name == queue })
	if len(n.queues) == 0 {
		n.queues = nil
	}
}

// appendEntries appends every entry under l, in no particular order.
func (l *level[S]) appendEntries(dst []*entry[S]) []*entry[S] {
	visit := func(n *node[S]) {
		dst = n.plain.appendLive(dst)
		for _, q := range n.queues {
			dst = q.appendLive(dst)
		}
		if n.next != nil {
			dst = n.next.appendEntries(dst)
		}
	}
	for _, n := range l.lits {
		visit(n)
	}
	if l.pwc != nil {
		visit(l.pwc)
	}
	if l.fwc != nil {
		visit(l.fwc)
	}
	return dst
}

// list is an insertion-ordered set of entries with distinct subscribers.
// Removal leaves a nil hole; holes are compacted once they outnumber the
// live entries, so removal stays cheap on long lists.
type list[S comparable] struct {
	items []*entry[S]     // ascending seq; nil = removed
	live  int             // non-nil items
	bySub map[S]*entry[S] // only once live passes listIndexMin
}

func (l *list[S]) find(s S) *entry[S] {
	if l.bySub != nil {
		return l.bySub[s]
	}
	for _, e := range l.items {
		if e != nil && e.sub == s {
			return e
		}
	}
	return nil
}

func (l *list[S]) add(e *entry[S]) {
	e.pos = len(l.items)
	l.items = append(l.items, e)
	l.live++
	switch {
	case l.bySub != nil:
		l.bySub[e.sub] = e
	case l.live > listIndexMin:
		l.bySub = make(map[S]*entry[S], l.live)
		for _, it := range l.items {
			if it != nil {
				l.bySub[it.sub] = it
			}
		}
	}
}

func (l *list[S]) remove(e *entry[S]) {
	l.items[e.pos] = nil
	l.live--
	if l.bySub != nil {
		delete(l.bySub, e.sub)
	}
	switch {
	case l.live == 0:
		*l = list[S]{}
	case len(l.items) > 2*l.live:
		l.compact()
	default:
		for l.items[len(l.items)-1] == nil {
			l.items = l.items[:len(l.items)-1]
		}
	}
}

func (l *list[S]) compact() {
	n := 0
	for _, e := range l.items {
		if e != nil {
			e.pos = n
			l.items[n] = e
			n++
		}
	}
	clear(l.items[n:])
	l.items = l.items[:n]
}

func (l *list[S]) appendLive(dst []*entry[S]) []*entry[S] {
	for _, e := range l.items {
		if e != nil {
			dst = append(dst, e)
		}
	}
	return dst
}
