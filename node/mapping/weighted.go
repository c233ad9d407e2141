package mapping

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"jsnode/node/subject"
)

// weightTotal is what a destination list's weights add up to when no
// traffic is left over: weights are percentages.
const weightTotal = 100

// Dest is one weighted destination (Weight 0..100 percent; Cluster "" =
// any cluster).
type Dest struct {
	Subject string
	Weight  uint8
	Cluster string
}

// Mapping is one `mappings {}` entry: a source and its weighted
// destinations, validated as nats-server's AddWeightedMappings does
// (individual <= 100, total per cluster <= 100, duplicates, remainder added
// as the source itself when the source is not a destination, dropped when
// it is). It is immutable once built.
type Mapping struct {
	src       string
	srcTokens []string
	wildcard  bool
	dests     []choice            // the destinations without a cluster
	clusters  map[string][]choice // cluster-scoped destinations
	names     []string            // the keys of clusters, sorted
}

// choice is one destination in selection order: weight is cumulative.
type choice struct {
	tr      *Transform
	weight  uint8
	cluster string
}

// NewMapping validates src and dests and builds the mapping. The error
// texts are nats-server's; the config layer adds its own prefix.
func NewMapping(src string, dests []Dest) (*Mapping, error) {
	if !subject.ValidSubscribe(src) {
		return nil, ErrBadSubject
	}
	m := &Mapping{src: src, srcTokens: strings.Split(src, "."), wildcard: !subject.IsLiteral(src)}
	seen := make(map[string]bool, len(dests))
	totals := map[string]int{}
	for _, d := range dests {
		switch {
		case seen[d.Subject]:
			return nil, fmt.Errorf("duplicate entry for %q", d.Subject)
		case d.Weight > weightTotal:
			return nil, errors.New("individual weights need to be <= 100")
		}
		seen[d.Subject] = true
		if totals[d.Cluster] += int(d.Weight); totals[d.Cluster] > weightTotal {
			return nil, errors.New("total weight needs to be <= 100")
		}
		tr, err := New(src, d.Subject)
		if err != nil {
			return nil, err
		}
		m.add(choice{tr: tr, weight: d.Weight, cluster: d.Cluster})
	}
	// Listing the source itself as a destination is how a configuration
	// asks for loss: the remainder of every list is then dropped.
	var err error
	if m.dests, err = m.complete(m.dests, seen[src]); err != nil {
		return nil, err
	}
	for _, name := range m.names {
		if m.clusters[name], err = m.complete(m.clusters[name], seen[src]); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// add files c under its cluster.
func (m *Mapping) add(c choice) {
	if c.cluster == "" {
		m.dests = append(m.dests, c)
		return
	}
	if m.clusters == nil {
		m.clusters = map[string][]choice{}
	}
	if _, ok := m.clusters[c.cluster]; !ok {
		m.names = append(m.names, c.cluster)
		slices.Sort(m.names)
	}
	m.clusters[c.cluster] = append(m.clusters[c.cluster], c)
}

// complete adds the unmapped remainder (unless it is to be dropped), sorts
// by weight and turns weights into cumulative ones, as selection uses them.
// The sort is stable so that equal weights keep their configured order.
func (m *Mapping) complete(list []choice, dropRemainder bool) ([]choice, error) {
	total := 0
	for _, c := range list {
		total += int(c.weight)
	}
	if total != weightTotal && !dropRemainder {
		tr, err := build(m.src, identityDest(m.srcTokens), false)
		if err != nil {
			return nil, err
		}
		cluster := ""
		if len(list) > 0 {
			cluster = list[0].cluster
		}
		list = append(list, choice{tr: tr, weight: uint8(weightTotal - total), cluster: cluster})
	}
	slices.SortStableFunc(list, func(a, b choice) int { return int(a.weight) - int(b.weight) })
	cumulative := uint8(0)
	for i := range list {
		cumulative += list[i].weight
		list[i].weight = cumulative
	}
	return list, nil
}

// identityDest is the destination that maps src onto itself: each `*`
// becomes its $N.
func identityDest(srcTokens []string) string {
	out := make([]string, len(srcTokens))
	star := 0
	for i, token := range srcTokens {
		if token == "*" {
			star++
			token = "$" + strconv.Itoa(star)
		}
		out[i] = token
	}
	return strings.Join(out, ".")
}

// Source returns the mapping's source pattern.
func (m *Mapping) Source() string { return m.src }

// Cumulative returns the destinations with cumulative weights, as /accountz
// shows them ({subject, weight, cluster}); sorted as selection uses them:
// the destinations without a cluster first, then each cluster's by name.
func (m *Mapping) Cumulative() []Dest {
	out := make([]Dest, 0, len(m.dests))
	for _, c := range m.dests {
		out = append(out, Dest{Subject: c.tr.dst, Weight: c.weight})
	}
	for _, name := range m.names {
		for _, c := range m.clusters[name] {
			out = append(out, Dest{Subject: c.tr.dst, Weight: c.weight, Cluster: name})
		}
	}
	return out
}

// Map maps a literal subject that matches the source. ok=false when the
// draw fell into the dropped remainder (or the subject does not match, or
// the destination could not be built from it, e.g. a split leaving an
// empty token: such a message could not be delivered anyway). cluster is
// this server's cluster name (entries for it are preferred, else the ones
// without a cluster). r may be nil when no draw is needed; a nil r draws 0.
func (m *Mapping) Map(subj string, r Rand, cluster string) (mapped string, ok bool) {
	if !matchTokens(m.srcTokens, subj) {
		return "", false
	}
	tr := m.choose(r, cluster)
	if tr == nil {
		return "", false
	}
	if tr.passThrough {
		return subj, true
	}
	out, err := tr.transform(subj, r)
	if err != nil || !subject.ValidRoutable(out) {
		return "", false
	}
	return out, true
}

// choose picks the destination for one message, or nil for a drop.
func (m *Mapping) choose(r Rand, cluster string) *Transform {
	list := m.dests
	if scoped, ok := m.clusters[cluster]; ok {
		list = scoped
	}
	// A lone 100% destination needs no draw (and consumes none).
	if len(list) == 1 && list[0].weight == weightTotal {
		return list[0].tr
	}
	draw := 0
	if r != nil {
		draw = r.IntN(weightTotal)
	}
	for _, c := range list {
		if draw < int(c.weight) {
			return c.tr
		}
	}
	return nil
}
