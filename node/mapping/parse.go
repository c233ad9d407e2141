package mapping

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// opKind says how one destination token is produced.
type opKind uint8

const (
	opLiteral      opKind = iota // the token itself
	opFullWildcard               // `>`: the subject tokens the source's `>` matched
	opWildcard                   // $N, {{wildcard(N)}}
	opPartition
	opSplitFromLeft
	opSplitFromRight
	opSliceFromLeft
	opSliceFromRight
	opSplit
	opLeft
	opRight
	opRandom
)

// placeholder is one parsed destination token, before its wildcard indexes
// are checked against the source.
type placeholder struct {
	kind      opKind
	literal   string // opLiteral only
	wildcards []int  // wildcard indexes as written (1-based; nats-server lets <1 through)
	number    int32  // partitions, position, size, length or random ceiling
	delim     string // opSplit only
}

// function is one {{name(args)}} destination function.
type function struct {
	kind    opKind
	pattern *regexp.Regexp
	parse   func(kind opKind, token string, args []string) (placeholder, error)
	// mappable is false for the functions nats-server's ValidateMapping does
	// not list, so account mappings and stream transforms refuse them.
	mappable bool
}

// functions are tried in this order, nats-server's: the patterns are not
// anchored, so with a pathological token the order decides which one wins.
var functions = []function{
	{opWildcard, functionPattern("wildcard"), parseWildcard, true},
	{opPartition, functionPattern("partition"), parsePartition, true},
	{opSplitFromLeft, functionPattern("splitFromLeft"), parseIndexAndNumber, true},
	{opSplitFromRight, functionPattern("splitFromRight"), parseIndexAndNumber, true},
	{opSliceFromLeft, functionPattern("sliceFromLeft"), parseIndexAndNumber, true},
	{opSliceFromRight, functionPattern("sliceFromRight"), parseIndexAndNumber, true},
	{opRight, functionPattern("right"), parseIndexAndNumber, false},
	{opLeft, functionPattern("left"), parseIndexAndNumber, false},
	{opSplit, functionPattern("split"), parseSplit, true},
	{opRandom, functionPattern("random"), parseRandom, true},
}

// argumentSeparator splits a function's argument list; spaces after a comma
// are dropped, spaces before one are trimmed per argument.
var argumentSeparator = regexp.MustCompile(`,\s*`)

// functionPattern matches `{{ name ( args ) }}` where the first letter of
// each camel-case word of name may be either case (splitFromLeft also
// matches SplitFromLeft, splitfromleft does not).
func functionPattern(name string) *regexp.Regexp {
	var b strings.Builder
	for i, c := range name {
		if i == 0 || unicode.IsUpper(c) {
			b.WriteString("[" + string(unicode.ToLower(c)) + string(unicode.ToUpper(c)) + "]")
			continue
		}
		b.WriteRune(c)
	}
	return regexp.MustCompile(`{{\s*` + b.String() + `\s*\((.*)\)\s*}}`)
}

// looksLikeFunction is nats-server's test for a token that must parse as a
// function: longer than 4 bytes, wrapped in {{ and }}.
func looksLikeFunction(token string) bool {
	return len(token) > 4 && strings.HasPrefix(token, "{{") && strings.HasSuffix(token, "}}")
}

// mappableFunction reports whether token names a function ValidateMapping allows.
func mappableFunction(token string) bool {
	for _, f := range functions {
		if f.mappable && f.pattern.MatchString(token) {
			return true
		}
	}
	return false
}

// parseToken parses one destination token.
func parseToken(token string) (placeholder, error) {
	if len(token) > 1 && token[0] == '$' {
		// Legacy $N; "$" followed by a non-number is a literal token.
		if n, err := strconv.Atoi(token[1:]); err == nil {
			return placeholder{kind: opWildcard, wildcards: []int{n}}, nil
		}
		return placeholder{kind: opLiteral, literal: token}, nil
	}
	if looksLikeFunction(token) {
		for _, f := range functions {
			if m := f.pattern.FindStringSubmatch(token); len(m) > 1 {
				return f.parse(f.kind, token, argumentSeparator.Split(m[1], -1))
			}
		}
		return placeholder{}, destErr(token, errUnknownFunction)
	}
	if token == ">" {
		return placeholder{kind: opFullWildcard}, nil
	}
	return placeholder{kind: opLiteral, literal: token}, nil
}

// atoi parses a decimal argument after trimming spaces (not tabs: those make
// the argument invalid, as in nats-server).
func atoi(arg string) (int, error) { return strconv.Atoi(strings.Trim(arg, " ")) }

func parseWildcard(kind opKind, token string, args []string) (placeholder, error) {
	switch {
	case len(args) == 1 && args[0] == "":
		return placeholder{}, destErr(token, errNotEnoughArgs)
	case len(args) > 1:
		return placeholder{}, destErr(token, errTooManyArgs)
	}
	n, err := atoi(args[0])
	if err != nil {
		return placeholder{}, destErr(token, errInvalidArg)
	}
	return placeholder{kind: kind, wildcards: []int{n}}, nil
}

// parsePartition accepts partition(P) (hash the whole subject) and
// partition(P, i, ...) (hash the given wildcards).
func parsePartition(kind opKind, token string, args []string) (placeholder, error) {
	partitions, err := atoi(args[0])
	if err != nil || partitions > math.MaxInt32 {
		return placeholder{}, destErr(token, errInvalidArg)
	}
	p := placeholder{kind: kind, number: int32(partitions)}
	for _, arg := range args[1:] {
		i, err := atoi(arg)
		if err != nil {
			return placeholder{}, destErr(token, errInvalidArg)
		}
		p.wildcards = append(p.wildcards, i)
	}
	return p, nil
}

// parseIndexAndNumber parses the (wildcard, number) functions: the split,
// slice, left and right families.
func parseIndexAndNumber(kind opKind, token string, args []string) (placeholder, error) {
	switch {
	case len(args) < 2:
		return placeholder{}, destErr(token, errNotEnoughArgs)
	case len(args) > 2:
		return placeholder{}, destErr(token, errTooManyArgs)
	}
	i, err := atoi(args[0])
	if err != nil {
		return placeholder{}, destErr(token, errInvalidArg)
	}
	n, err := strconv.ParseInt(strings.Trim(args[1], " "), 10, 32)
	if err != nil {
		return placeholder{}, destErr(token, errInvalidArg)
	}
	return placeholder{kind: kind, wildcards: []int{i}, number: int32(n)}, nil
}

// parseSplit parses split(wildcard, delimiter); the delimiter is taken as
// written and may not contain a space or a dot.
func parseSplit(kind opKind, token string, args []string) (placeholder, error) {
	switch {
	case len(args) < 2:
		return placeholder{}, destErr(token, errNotEnoughArgs)
	case len(args) > 2:
		return placeholder{}, destErr(token, errTooManyArgs)
	}
	i, err := atoi(args[0])
	if err != nil || strings.ContainsAny(args[1], " .") {
		return placeholder{}, destErr(token, errInvalidArg)
	}
	return placeholder{kind: kind, wildcards: []int{i}, delim: args[1]}, nil
}

// parseRandom parses random(N). nats-server reports any other argument
// count as "not enough arguments".
func parseRandom(kind opKind, token string, args []string) (placeholder, error) {
	if len(args) != 1 {
		return placeholder{}, destErr(token, errNotEnoughArgs)
	}
	n, err := atoi(args[0])
	if err != nil || n > math.MaxInt32 {
		return placeholder{}, destErr(token, errInvalidArg)
	}
	return placeholder{kind: kind, number: int32(n)}, nil
}
