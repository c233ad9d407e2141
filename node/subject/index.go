package subject

import (
	"cmp"
	"errors"
	"slices"
)

// Limits of the index.
const (
	// MatchCacheMax bounds the match cache (literal subject → Result).
	// Invalidation scans the whole cache for wildcard patterns, so it must
	// stay small.
	MatchCacheMax = 1024
	// listIndexMin is the number of subscribers on one (subject, queue)
	// past which that list keeps a map for O(1) duplicate checks and
	// removal; below it a linear scan is cheaper than a map.
	listIndexMin = 16
	// pathStackMax is how many levels Remove records without allocating.
	pathStackMax = 16
)

// Errors returned by Index.Insert.
var (
	ErrInvalidSubject = errors.New("subject: invalid subscription subject")
	ErrInvalidQueue   = errors.New("subject: invalid queue name")
	ErrDuplicate      = errors.New("subject: duplicate subscription")
)

// Index maps subscriptions (a subject pattern plus an optional queue group)
// to subscribers and answers "who receives a message published on this
// literal subject". It is a token trie (one level per token, with a literal
// child map and `*`/`>` children) fronted by a bounded match cache.
//
// Use NewIndex; the zero Index is not ready. An Index is not safe for
// concurrent use; even Match mutates it (cache). Nothing it returns
// depends on Go map iteration order.
type Index[S comparable] struct {
	root  level[S]
	count int
	seq   uint64 // insertion counter; orders results
	cache matchCache[S]
	empty *Result[S]

	// Scratch buffers reused by cache misses, kept cleared between uses.
	nodeBuf    []*node[S]
	queueNames []string
	merge      merger[S]
}

// Result is the set of subscribers matching one literal subject.
//
// Results are shared (the cache hands the same *Result to every caller) and
// read-only: callers must not modify them. The index never modifies a
// Result after returning it, so one stays safe to read for as long as the
// caller holds it, but it describes the index as it was at the call and is
// stale after the next Insert or Remove.
type Result[S comparable] struct {
	// Plain holds the non-queue subscribers, one element per matching
	// entry, in insertion order of the entries (the order of the Insert
	// calls). A subscriber inserted under two overlapping patterns appears
	// twice, since NATS delivers once per subscription.
	Plain []S
	// Queues holds one group per distinct queue name, sorted by name.
	Queues []QueueGroup[S]
}

// QueueGroup is the members of one queue group matching a subject, in
// insertion order of their entries (possibly from several patterns).
type QueueGroup[S comparable] struct {
	Name    string
	Members []S
}

// Empty reports whether nobody matched.
func (r *Result[S]) Empty() bool { return len(r.Plain) == 0 && len(r.Queues) == 0 }

// entry is one (subject, queue, subscriber) triple.
type entry[S comparable] struct {
	subject, queue string
	sub            S
	seq            uint64 // Index.seq at insertion
	pos            int    // position in its list's items
}

// NewIndex returns an empty index.
func NewIndex[S comparable]() *Index[S] {
	return &Index[S]{
		cache: newMatchCache[S](MatchCacheMax),
		empty: &Result[S]{},
	}
}

// Count returns the number of entries.
func (x *Index[S]) Count() int { return x.count }

// CacheLen returns the number of literal subjects in the match cache.
func (x *Index[S]) CacheLen() int { return x.cache.len() }

// validQueue reports whether q may name a queue group ("" means none):
// queue names travel as protocol arguments, so no whitespace.
func validQueue(q string) bool {
	for i := 0; i < len(q); i++ {
		if isSpace(q[i]) {
			return false
		}
	}
	return true
}

// Insert adds s under subject (a valid subscribe subject) and queue (""
// for none). Inserting the same (subject, queue, s) twice is an error.
// The index keeps both strings, so they should not be slices of a large
// buffer.
func (x *Index[S]) Insert(subject, queue string, s S) error {
	if !ValidSubscribe(subject) {
		return ErrInvalidSubject
	}
	if !validQueue(queue) {
		return ErrInvalidQueue
	}
	l := &x.root
	var n *node[S]
	for rest, more := subject, true; more; {
		var tok string
		tok, rest, more = cut(rest)
		n = l.childOrNew(tok)
		if more {
			if n.next == nil {
				n.next = &level[S]{}
			}
			l = n.next
		}
	}
	lst := n.listFor(queue, true)
	if lst.find(s) != nil {
		return ErrDuplicate
	}
	x.seq++
	lst.add(&entry[S]{subject: subject, queue: queue, sub: s, seq: x.seq})
	x.count++
	x.cache.invalidate(subject)
	return nil
}

// pathStep records one node on the way down, for pruning.
type pathStep[S comparable] struct {
	lvl *level[S]
	tok string
	n   *node[S]
}

// Remove deletes the entry (subject, queue, s); it returns false if there
// was no such entry. Nodes left empty are pruned.
func (x *Index[S]) Remove(subject, queue string, s S) bool {
	if !ValidSubscribe(subject) {
		return false
	}
	var buf [pathStackMax]pathStep[S]
	path := buf[:0]
	l := &x.root
	for rest, more := subject, true; more; {
		var tok string
		tok, rest, more = cut(rest)
		n := l.child(tok)
		if n == nil {
			return false
		}
		path = append(path, pathStep[S]{l, tok, n})
		if l = n.next; more && l == nil {
			return false
		}
	}
	n := path[len(path)-1].n
	lst := n.listFor(queue, false)
	if lst == nil {
		return false
	}
	e := lst.find(s)
	if e == nil {
		return false
	}
	lst.remove(e)
	if queue != "" && lst.live == 0 {
		n.dropQueue(queue)
	}
	x.count--
	prune(path)
	x.cache.invalidate(subject)
	return true
}

// prune removes empty nodes bottom-up along path, and levels left empty.
func prune[S comparable](path []pathStep[S]) {
	for i := len(path) - 1; i >= 0; i-- {
		st := path[i]
		if !st.n.isEmpty() {
			return
		}
		st.lvl.drop(st.tok)
		if i == 0 || !st.lvl.isEmpty() {
			return
		}
		path[i-1].n.next = nil
	}
}

// ForEach calls fn for every entry in insertion order. fn may Insert or
// Remove: it runs over a snapshot.
func (x *Index[S]) ForEach(fn func(subject, queue string, s S)) {
	all := x.root.appendEntries(make([]*entry[S], 0, x.count))
	slices.SortFunc(all, bySeq[S])
	for _, e := range all {
		fn(e.subject, e.queue, e.sub)
	}
}

func bySeq[S comparable](a, b *entry[S]) int { return cmp.Compare(a.seq, b.seq) }
