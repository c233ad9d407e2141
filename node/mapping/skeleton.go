package mapping

import "errors"

var errTODO = errors.New("mapping: not implemented yet")

// Rand is the only randomness used (weighted choice, {{random(n)}}); *math/rand/v2.Rand satisfies it.
type Rand interface{ IntN(n int) int }

// Transform rewrites subjects matching its source pattern into its destination.
type Transform struct{ src, dst string }

// New builds an account-mapping / stream transform.
func New(src, dst string) (*Transform, error) { return nil, errTODO }

// NewStrict builds an import transform.
func NewStrict(src, dst string) (*Transform, error) { return nil, errTODO }

// Source is the source pattern.
func (t *Transform) Source() string { return t.src }

// Dest is the destination.
func (t *Transform) Dest() string { return t.dst }

// Matches reports whether subject matches the source.
func (t *Transform) Matches(subject string) bool { return false }

// Apply maps a literal subject.
func (t *Transform) Apply(subject string, r Rand) (string, error) { return "", errTODO }

// Reverse returns the transform from Dest back to Source.
func (t *Transform) Reverse() (*Transform, error) { return nil, errTODO }

// ApplyPattern maps a subscription pattern.
func (t *Transform) ApplyPattern(pattern string) (string, error) { return "", errTODO }

// Dest is one weighted destination.
type Dest struct {
	Subject string
	Weight  uint8
	Cluster string
}

// Mapping is one mappings entry.
type Mapping struct{ src string }

// NewMapping validates a weighted mapping.
func NewMapping(src string, dests []Dest) (*Mapping, error) { return nil, errTODO }

// Source is the mapping's source.
func (m *Mapping) Source() string { return m.src }

// Cumulative returns the destinations with cumulative weights.
func (m *Mapping) Cumulative() []Dest { return nil }

// Map maps a literal subject.
func (m *Mapping) Map(subject string, r Rand, cluster string) (mapped string, ok bool) {
	return "", false
}

// Table is an account's ordered list of mappings.
type Table struct{ list []*Mapping }

// Add adds or replaces a mapping.
func (t *Table) Add(m *Mapping) error { return errTODO }

// Len is the number of mappings.
func (t *Table) Len() int { return len(t.list) }

// Mappings returns the mappings in insertion order.
func (t *Table) Mappings() []*Mapping { return t.list }

// Apply maps subject through the first matching mapping.
func (t *Table) Apply(subject []byte, r Rand, cluster string) (mapped []byte, changed, dropped bool) {
	return nil, false, false
}
