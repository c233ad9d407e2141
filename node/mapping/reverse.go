package mapping

import (
	"fmt"
	"strconv"
	"strings"

	"jsnode/node/subject"
)

// Reverse returns the transform from Dest back to Source, for strict
// transforms (used to turn a subscription on an import's local subject
// into one on the exporter's subject). It is an error when the
// destination uses anything but literals, wildcards and `>`, or does not
// reference every `*` of the source exactly once.
//
// Unlike nats-server, which pairs the destination's placeholders with the
// source's wildcards in the order written (and so gets "a.*.*.*" ->
// "b.$2.$3.$1" wrong), the reverse here is the true inverse permutation.
func (t *Transform) Reverse() (*Transform, error) {
	// owner[k] is the ordinal, among the destination's wildcard tokens, of
	// the one that carries source wildcard k+1.
	owner := make([]int, 0, len(t.srcTokens))
	for _, token := range t.srcTokens {
		if token == "*" {
			owner = append(owner, 0)
		}
	}
	srcTokens := make([]string, len(t.ops))
	ordinal := 0
	for i, o := range t.ops {
		switch o.kind {
		case opLiteral:
			srcTokens[i] = o.literal
		case opFullWildcard:
			srcTokens[i] = ">"
		case opWildcard:
			w := o.wildcards[0]
			if w < 1 || owner[w-1] != 0 {
				return nil, t.notReversible(fmt.Sprintf("wildcard %d is not used exactly once", w))
			}
			ordinal++
			owner[w-1] = ordinal
			srcTokens[i] = "*"
		default:
			return nil, t.notReversible("it uses a function other than wildcard")
		}
	}
	if ordinal != len(owner) {
		return nil, t.notReversible("it does not use every wildcard")
	}
	dst, err := t.reverseDest(owner)
	if err != nil {
		return nil, err
	}
	return NewStrict(strings.Join(srcTokens, "."), dst)
}

// reverseDest writes the source back as a destination, each `*` becoming
// the placeholder of the reversed source's wildcard that carries it.
func (t *Transform) reverseDest(owner []int) (string, error) {
	dstTokens := make([]string, len(t.srcTokens))
	star := 0
	for i, token := range t.srcTokens {
		if token == "*" {
			dstTokens[i] = "$" + strconv.Itoa(owner[star])
			star++
			continue
		}
		// A source literal that reads as a placeholder ("$1", "{{x}}")
		// would not survive the trip back.
		if p, err := parseToken(token); err != nil || (p.kind != opLiteral && p.kind != opFullWildcard) {
			return "", t.notReversible(fmt.Sprintf("source token %q reads as a placeholder", token))
		}
		dstTokens[i] = token
	}
	return strings.Join(dstTokens, "."), nil
}

func (t *Transform) notReversible(why string) error {
	return fmt.Errorf("mapping: transform %q -> %q is not reversible: %s", t.src, t.dst, why)
}

// ApplyPattern maps a subscription pattern (may contain * and >) that is a
// subset of the source, e.g. strict "foo.*.>" -> "bar.$1.>" applied to
// "foo.x.>" gives "bar.x.>"; used for shadow subscriptions. A wildcard in
// the pattern can only be carried by $N / {{wildcard(N)}} and `>`; any
// other function over it is an error.
func (t *Transform) ApplyPattern(pattern string) (string, error) {
	if !subject.ValidSubscribe(pattern) || !subject.SubsetOf(pattern, t.src) {
		return "", fmt.Errorf("%w: %q is not within %q", ErrNoTransforms, pattern, t.src)
	}
	if subject.IsLiteral(pattern) {
		return t.Apply(pattern, nil)
	}
	var buf [32]string
	tokens := splitTokens(buf[:0], pattern)
	out := make([]string, len(t.ops))
	for i, o := range t.ops {
		switch o.kind {
		case opLiteral:
			out[i] = o.literal
		case opFullWildcard:
			out[i] = strings.Join(tokens[len(t.srcTokens)-1:], ".")
		case opWildcard:
			out[i] = tokens[o.positions[0]]
		default:
			return "", fmt.Errorf("mapping: %q cannot map the wildcard pattern %q", t.dst, pattern)
		}
	}
	mapped := strings.Join(out, ".")
	if !subject.ValidSubscribe(mapped) {
		return "", fmt.Errorf("%w: %q maps %q to %q", ErrBadSubject, t.dst, pattern, mapped)
	}
	return mapped, nil
}
