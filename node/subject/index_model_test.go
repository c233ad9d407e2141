package subject

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// model is the naive reference: a list of entries scanned with Match.
type model struct {
	entries []modelEntry // insertion order
}

type modelEntry struct {
	subject, queue string
	sub            int
}

func (m *model) insert(subject, queue string, s int) error {
	switch {
	case !ValidSubscribe(subject):
		return ErrInvalidSubject
	case strings.ContainsAny(queue, " \t\r\n\f"):
		return ErrInvalidQueue
	case m.find(subject, queue, s) >= 0:
		return ErrDuplicate
	}
	m.entries = append(m.entries, modelEntry{subject, queue, s})
	return nil
}

func (m *model) find(subject, queue string, s int) int {
	return slices.Index(m.entries, modelEntry{subject, queue, s})
}

func (m *model) remove(subject, queue string, s int) bool {
	i := m.find(subject, queue, s)
	if i < 0 {
		return false
	}
	m.entries = slices.Delete(m.entries, i, i+1)
	return true
}

// match renders the expected result for lit in the format of render.
func (m *model) match(lit string) string {
	r := &Result[int]{}
	if !ValidRoutable(lit) {
		return render(r)
	}
	byQueue := map[string][]int{}
	for _, e := range m.entries {
		switch {
		case !Match(e.subject, lit):
		case e.queue == "":
			r.Plain = append(r.Plain, e.sub)
		default:
			byQueue[e.queue] = append(byQueue[e.queue], e.sub)
		}
	}
	names := make([]string, 0, len(byQueue))
	for name := range byQueue {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		r.Queues = append(r.Queues, QueueGroup[int]{name, byQueue[name]})
	}
	return render(r)
}

func (m *model) forEach() string {
	var b []byte
	for _, e := range m.entries {
		b = appendEntry(b, e.subject, e.queue, e.sub)
	}
	return string(b)
}

func indexForEach(x *Index[int]) string {
	var b []byte
	x.ForEach(func(subject, queue string, s int) { b = appendEntry(b, subject, queue, s) })
	return string(b)
}

func appendEntry(b []byte, subject, queue string, s int) []byte {
	b = append(append(append(append(b, subject...), '|'), queue...), '|')
	return append(strconv.AppendInt(b, int64(s), 10), '\n')
}

// render prints a result exactly, order included, like "plain=[1 2] q=[3]".
func render(r *Result[int]) string {
	b := appendInts(append([]byte(nil), "plain="...), r.Plain)
	for _, q := range r.Queues {
		b = appendInts(append(append(append(b, ' '), q.Name...), '='), q.Members)
	}
	return string(b)
}

func appendInts(b []byte, v []int) []byte {
	b = append(b, '[')
	for i, n := range v {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	return append(b, ']')
}

// checkIndex verifies the index's internal invariants and that every
// cached result equals the model's answer. It returns "" if all hold.
func checkIndex(x *Index[int], m *model) string {
	if x.Count() != len(m.entries) {
		return fmt.Sprintf("Count = %d, model has %d", x.Count(), len(m.entries))
	}
	prefixes := map[string]bool{}
	for _, e := range m.entries {
		for i := 0; i <= len(e.subject); i++ {
			if i == len(e.subject) || e.subject[i] == Sep {
				prefixes[e.subject[:i]] = true
			}
		}
	}
	nodes, entries, err := checkLevel(&x.root, "", true)
	if err != "" {
		return err
	}
	if nodes != len(prefixes) || entries != len(m.entries) {
		return fmt.Sprintf("trie has %d nodes and %d entries, want %d and %d (pruning?)",
			nodes, entries, len(prefixes), len(m.entries))
	}
	c := &x.cache
	if len(c.at) > c.max {
		return fmt.Sprintf("cache holds %d > max %d", len(c.at), c.max)
	}
	live := 0
	for i, e := range c.slots {
		if e.res == nil {
			if e != (cached[int]{}) || !slices.Contains(c.free, int32(i)) {
				return fmt.Sprintf("cache slot %d free but not cleared or not listed", i)
			}
			continue
		}
		live++
		if e.head != headBytes(e.key) {
			return fmt.Sprintf("cache slot %d: head does not match %q", i, e.key)
		}
		if j, ok := c.at[e.key]; !ok || j != int32(i) {
			return fmt.Sprintf("cache index of %q is %d, want %d", e.key, j, i)
		}
		if got, want := render(e.res), m.match(e.key); got != want {
			return fmt.Sprintf("stale cache for %q: %s, want %s", e.key, got, want)
		}
	}
	if live != len(c.at) || live+len(c.free) != len(c.slots) {
		return fmt.Sprintf("cache: %d live slots, %d indexed, %d free of %d", live, len(c.at), len(c.free), len(c.slots))
	}
	return ""
}

func checkLevel(l *level[int], prefix string, root bool) (nodes, entries int, err string) {
	if !root && l.isEmpty() {
		return 0, 0, fmt.Sprintf("empty level under %q", prefix)
	}
	if l.lits != nil && len(l.lits) == 0 {
		return 0, 0, fmt.Sprintf("empty literal map under %q", prefix)
	}
	kids := map[string]*node[int]{}
	for tok, n := range l.lits {
		kids[tok] = n
	}
	if l.pwc != nil {
		kids[pwcStr] = l.pwc
	}
	if l.fwc != nil {
		kids[fwcStr] = l.fwc
		if l.fwc.next != nil {
			return 0, 0, fmt.Sprintf("'>' node under %q has a next level", prefix)
		}
	}
	for tok, n := range kids {
		subj := tok
		if !root {
			subj = prefix + "." + tok
		}
		nn, ne, err := checkNode(n, subj)
		if err != "" {
			return 0, 0, err
		}
		nodes += nn
		entries += ne
	}
	return nodes, entries, ""
}

func checkNode(n *node[int], subj string) (nodes, entries int, err string) {
	if n.isEmpty() {
		return 0, 0, fmt.Sprintf("empty node %q", subj)
	}
	if err := checkList(&n.plain, subj, ""); err != "" {
		return 0, 0, err
	}
	entries = n.plain.live
	for i, q := range n.queues {
		if i > 0 && n.queues[i-1].name >= q.name {
			return 0, 0, fmt.Sprintf("queues of %q not sorted", subj)
		}
		if q.live == 0 || q.name == "" {
			return 0, 0, fmt.Sprintf("empty or unnamed queue %q on %q", q.name, subj)
		}
		if err := checkList(&q.list, subj, q.name); err != "" {
			return 0, 0, err
		}
		entries += q.live
	}
	nodes = 1
	if n.next != nil {
		nn, ne, err := checkLevel(n.next, subj, false)
		if err != "" {
			return 0, 0, err
		}
		nodes += nn
		entries += ne
	}
	return nodes, entries, ""
}

func checkList(l *list[int], subj, queue string) string {
	live, last := 0, uint64(0)
	for i, e := range l.items {
		if e == nil {
			continue
		}
		live++
		switch {
		case e.pos != i:
			return fmt.Sprintf("%q/%q: entry at %d has pos %d", subj, queue, i, e.pos)
		case e.seq <= last:
			return fmt.Sprintf("%q/%q: seq not ascending", subj, queue)
		case e.subject != subj || e.queue != queue:
			return fmt.Sprintf("entry %q/%q stored under %q/%q", e.subject, e.queue, subj, queue)
		case l.bySub != nil && l.bySub[e.sub] != e:
			return fmt.Sprintf("%q/%q: bySub out of sync", subj, queue)
		}
		last = e.seq
	}
	switch {
	case live != l.live:
		return fmt.Sprintf("%q/%q: live %d, counted %d", subj, queue, l.live, live)
	case len(l.items) > 2*l.live:
		return fmt.Sprintf("%q/%q: %d items for %d live (no compaction)", subj, queue, len(l.items), l.live)
	case len(l.items) > 0 && l.items[len(l.items)-1] == nil:
		return fmt.Sprintf("%q/%q: trailing hole", subj, queue)
	case l.bySub != nil && len(l.bySub) != l.live:
		return fmt.Sprintf("%q/%q: bySub has %d, live %d", subj, queue, len(l.bySub), l.live)
	case l.bySub == nil && l.live > listIndexMin:
		return fmt.Sprintf("%q/%q: no bySub with %d live", subj, queue, l.live)
	}
	return ""
}
