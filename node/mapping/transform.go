package mapping

import (
	"fmt"
	"strings"

	"jsnode/node/subject"
)

// Rand is the only randomness used (weighted choice, {{random(n)}});
// *math/rand/v2.Rand satisfies it.
type Rand interface{ IntN(n int) int }

// Transform rewrites subjects matching its source pattern into its
// destination. It is immutable once built and safe to share.
type Transform struct {
	src, dst  string
	srcTokens []string
	ops       []op // one per destination token
	// passThrough marks the `>` -> `>` transform, which nats-server applies
	// without looking at the subject.
	passThrough bool
}

// op produces one destination token (or several, for the split and slice
// functions and for `>`).
type op struct {
	placeholder
	// positions are the source-token positions the op reads, resolved from
	// placeholder.wildcards. Empty for a partition means the whole subject.
	positions []int
}

// New builds the transform of an account mapping or a stream subject
// transform: the destination is checked as nats-server's ValidateMapping
// does, so {{left()}} and {{right()}} are refused as unknown functions.
// An empty src means ">"; an empty dst is ErrBadSubject.
func New(src, dst string) (*Transform, error) {
	if err := checkDestinationTokens(dst); err != nil {
		return nil, err
	}
	return build(src, dst, false)
}

// NewRepublish builds a stream RePublish transform. nats-server builds
// those without ValidateMapping, so unlike New it accepts {{left()}} and
// {{right()}} (and leaves whitespace in literal tokens to the stream
// config checks).
func NewRepublish(src, dst string) (*Transform, error) { return build(src, dst, false) }

// NewStrict builds an import transform, which must stay reversible: when
// the source has wildcards the destination may use only $N /
// {{wildcard(N)}} and must reference every `*`. As in nats-server, a
// literal source is not held to this (it may use partition and random).
func NewStrict(src, dst string) (*Transform, error) { return build(src, dst, true) }

// Source returns the source pattern (">" when it was given empty).
func (t *Transform) Source() string { return t.src }

// Dest returns the destination as written.
func (t *Transform) Dest() string { return t.dst }

// Matches reports whether subject (a literal) matches the source pattern.
func (t *Transform) Matches(subj string) bool { return matchTokens(t.srcTokens, subj) }

// Apply maps a literal subject that matches the source; r may be nil
// unless the destination uses {{random}}. The result is a valid publish
// subject or an error: ErrBadSubject for a subject that is not a literal
// (or an output that is not one, e.g. a split that leaves an empty token),
// ErrNoTransforms for a subject the source does not match.
func (t *Transform) Apply(subj string, r Rand) (string, error) {
	if !subject.ValidPublish(subj) {
		return "", ErrBadSubject
	}
	if t.passThrough {
		return subj, nil
	}
	if !t.Matches(subj) {
		return "", ErrNoTransforms
	}
	out, err := t.transform(subj, r)
	if err != nil {
		return "", err
	}
	if !subject.ValidPublish(out) {
		return "", fmt.Errorf("%w: %q maps %q to %q", ErrBadSubject, t.dst, subj, out)
	}
	return out, nil
}

// checkDestinationTokens is the token walk of nats-server's ValidateMapping,
// which runs before the transform is built and so decides which error a
// doubly-wrong destination reports.
func checkDestinationTokens(dst string) error {
	if dst == "" {
		return nil // build reports it
	}
	afterFullWildcard := false
	for _, token := range strings.Split(dst, ".") {
		switch {
		case token == "" || afterFullWildcard:
			return destErr(token, errInvalidTransform)
		case looksLikeFunction(token):
			if !mappableFunction(token) {
				return destErr(token, errUnknownFunction)
			}
		case token == ">":
			afterFullWildcard = true
		case strings.ContainsAny(token, "\t\n\f\r "):
			return errInvalidTransform
		}
	}
	return nil
}

// shape reports whether s has non-empty tokens and nothing after a `>`
// (nats-server's subjectInfo, which does not look at whitespace), with its
// tokens, its `*` count and whether it ends in `>`.
func shape(s string) (ok bool, tokens []string, stars int, fullWildcard bool) {
	if s == "" {
		return false, nil, 0, false
	}
	tokens = strings.Split(s, ".")
	for _, token := range tokens {
		if token == "" || fullWildcard {
			return false, nil, 0, false
		}
		switch token {
		case "*":
			stars++
		case ">":
			fullWildcard = true
		}
	}
	return true, tokens, stars, fullWildcard
}

// build parses and checks dst against src (nats-server's
// NewSubjectTransformWithStrict, whose check order decides the error).
func build(src, dst string, strict bool) (*Transform, error) {
	if src == "" {
		src = ">"
	}
	srcOK, srcTokens, stars, srcFull := shape(src)
	dstOK, dstTokens, dstStars, dstFull := shape(dst)
	if !srcOK || !dstOK || dstStars > 0 || srcFull != dstFull || !subject.ValidSubscribe(src) {
		return nil, ErrBadSubject
	}
	t := &Transform{src: src, dst: dst, srcTokens: srcTokens, passThrough: src == ">" && dst == ">"}
	var err error
	if stars > 0 || srcFull {
		t.ops, err = buildWildcardOps(srcTokens, stars, dst, dstTokens, strict)
	} else {
		t.ops, err = buildLiteralOps(dstTokens)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// buildWildcardOps builds the ops for a source with wildcards.
func buildWildcardOps(srcTokens []string, stars int, dst string, dstTokens []string, strict bool) ([]op, error) {
	starPositions := make([]int, 0, stars)
	for i, token := range srcTokens {
		if token == "*" {
			starPositions = append(starPositions, i)
		}
	}
	ops := make([]op, 0, len(dstTokens))
	references := 0
	for _, token := range dstTokens {
		p, err := parseToken(token)
		if err != nil {
			return nil, err
		}
		switch {
		case strict && p.kind != opLiteral && p.kind != opFullWildcard && p.kind != opWildcard:
			return nil, destErr(token, errStrictFunction)
		case p.kind == opLiteral || p.kind == opFullWildcard || p.kind == opRandom:
			ops = append(ops, op{placeholder: p})
			continue
		}
		references += len(p.wildcards)
		o := op{placeholder: p}
		for _, w := range p.wildcards {
			if w > stars {
				return nil, destErr(fmt.Sprintf("%s: [%d]", token, w), errIndexOutOfRange)
			}
			o.positions = append(o.positions, starPosition(starPositions, w))
		}
		ops = append(ops, o)
	}
	// Counting references, not distinct wildcards, is nats-server's rule:
	// "a.*.*" -> "b.$1.$1" passes (and Reverse refuses it).
	if strict && references < stars {
		return nil, destErr(dst, errNotAllWildcards)
	}
	return ops, nil
}

// starPosition maps a 1-based wildcard index to its source-token position.
// nats-server resolves an index below 1 to position 0 (the subject's first
// token), and so do we, to produce the same subjects.
func starPosition(starPositions []int, w int) int {
	if w < 1 {
		return 0
	}
	return starPositions[w-1]
}

// buildLiteralOps builds the ops for a literal source: only literals,
// {{partition()}} (always over the whole subject) and {{random()}}.
func buildLiteralOps(dstTokens []string) ([]op, error) {
	ops := make([]op, 0, len(dstTokens))
	for _, token := range dstTokens {
		p, err := parseToken(token)
		if err != nil {
			return nil, err
		}
		switch p.kind {
		case opLiteral, opRandom:
		case opPartition:
			p.wildcards = nil // nats-server ignores the indexes here
		default:
			return nil, destErr(token, errIndexOutOfRange)
		}
		ops = append(ops, op{placeholder: p})
	}
	return ops, nil
}
