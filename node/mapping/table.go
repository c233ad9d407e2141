package mapping

import "errors"

// Table is an account's ordered list of mappings. The first mapping in
// insertion order whose source matches wins, as in nats-server: a literal
// source matches by equality, a wildcard source by pattern, and a literal
// added after an overlapping wildcard source is shadowed by it. The zero
// value is an empty table.
type Table struct {
	list []*Mapping
	// literal indexes the literal sources by subject, so a publish needs one
	// map lookup plus a walk of only the wildcard sources added before the
	// literal hit.
	literal   map[string]int
	wildcards []int // positions in list of wildcard sources, ascending
}

// Add appends m; a second mapping with the same source replaces the first
// in its place, as nats-server does.
func (t *Table) Add(m *Mapping) error {
	if m == nil {
		return errors.New("mapping: nil mapping")
	}
	for i, old := range t.list {
		if old.src == m.src {
			t.list[i] = m
			return nil
		}
	}
	t.list = append(t.list, m)
	if m.wildcard {
		t.wildcards = append(t.wildcards, len(t.list)-1)
		return nil
	}
	if t.literal == nil {
		t.literal = map[string]int{}
	}
	t.literal[m.src] = len(t.list) - 1
	return nil
}

// Len returns the number of mappings.
func (t *Table) Len() int { return len(t.list) }

// Mappings returns the mappings in insertion order. The slice is the
// table's own; callers must not modify it.
func (t *Table) Mappings() []*Mapping { return t.list }

// Apply is on the publish hot path: when the table is empty or nothing
// matches it does not allocate. changed=false means "deliver as is"
// (mapped is then subject itself: nothing matched, or the mapping chose
// the subject unchanged); dropped=true means the weighted draw dropped the
// message.
func (t *Table) Apply(subject []byte, r Rand, cluster string) (mapped []byte, changed, dropped bool) {
	m := t.find(subject)
	if m == nil {
		return subject, false, false
	}
	out, ok := m.Map(string(subject), r, cluster)
	switch {
	case !ok:
		return nil, false, true
	case out == string(subject):
		return subject, false, false
	}
	return []byte(out), true, false
}

// find returns the first mapping in insertion order whose source matches.
func (t *Table) find(subject []byte) *Mapping {
	if len(t.list) == 0 {
		return nil
	}
	first := len(t.list)
	if i, ok := t.literal[string(subject)]; ok {
		first = i
	}
	for _, i := range t.wildcards {
		if i >= first {
			break
		}
		if matchTokens(t.list[i].srcTokens, subject) {
			first = i
			break
		}
	}
	if first == len(t.list) {
		return nil
	}
	return t.list[first]
}
