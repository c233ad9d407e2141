// Package subject validates NATS subjects and matches them against
// subscriptions: `*` matches exactly one token, `>` one or more trailing
// tokens. The subscription index (Index) lives in index.go.
package subject

import "strings"

// Token separator and wildcards.
const (
	Sep    = '.'
	PWC    = '*' // partial wildcard: one token
	FWC    = '>' // full wildcard: one or more trailing tokens, last only
	pwcStr = "*"
	fwcStr = ">"
)

// isSpace reports the characters nats-server refuses inside subjects.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// wildcardRule says what a subject check does with `*` and `>` tokens.
type wildcardRule uint8

const (
	wildcardsAsPatterns wildcardRule = iota // allowed; `>` only last
	wildcardsForbidden                      // not allowed at all
	wildcardsAsLiterals                     // allowed anywhere, as plain tokens
)

// validTokens checks, in one pass (it runs on every match-cache miss),
// that s has only non-empty tokens, no whitespace, and wildcard tokens as
// rule allows.
func validTokens(s string, rule wildcardRule) bool {
	if s == "" {
		return false
	}
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != Sep {
			if isSpace(s[i]) {
				return false
			}
			continue
		}
		switch tok := s[start:i]; {
		case tok == "":
			return false
		case rule == wildcardsForbidden && (tok == pwcStr || tok == fwcStr):
			return false
		case rule == wildcardsAsPatterns && tok == fwcStr && i != len(s):
			return false
		}
		start = i + 1
	}
	return true
}

// ValidSubscribe reports whether s is a valid subscription subject:
// non-empty tokens, no whitespace, wildcards only as whole tokens and `>`
// only last.
func ValidSubscribe(s string) bool { return validTokens(s, wildcardsAsPatterns) }

// ValidPublish reports whether s is a valid publish subject: a valid
// subject with no wildcard tokens. Tokens such as "a*b" are literals.
func ValidPublish(s string) bool { return validTokens(s, wildcardsForbidden) }

// ValidRoutable reports whether a message published on s can be routed:
// non-empty tokens and no whitespace. Unlike ValidPublish it accepts `*`
// and `>` tokens, which a non-pedantic publish may carry (as nats-server
// allows); they are then literal tokens that only wildcard subscriptions
// match.
func ValidRoutable(s string) bool { return validTokens(s, wildcardsAsLiterals) }

// IsLiteral reports whether s has no wildcard token.
func IsLiteral(s string) bool {
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != Sep {
			continue
		}
		if tok := s[start:i]; tok == pwcStr || tok == fwcStr {
			return false
		}
		start = i + 1
	}
	return true
}

// Match reports whether the literal subject lit is matched by pattern,
// which may contain wildcards. Both are assumed valid.
func Match(pattern, lit string) bool {
	for {
		pt, prest, pmore := cut(pattern)
		lt, lrest, lmore := cut(lit)
		switch pt {
		case fwcStr:
			return true
		case pwcStr:
		default:
			if pt != lt {
				return false
			}
		}
		if !pmore || !lmore {
			return pmore == lmore
		}
		pattern, lit = prest, lrest
	}
}

// SubsetOf reports whether every subject matched by pattern a is also
// matched by pattern b (used for permissions and overlapping filters).
func SubsetOf(a, b string) bool {
	for {
		at, arest, amore := cut(a)
		bt, brest, bmore := cut(b)
		switch {
		case bt == fwcStr:
			return true
		case at == fwcStr:
			return false
		case bt == pwcStr:
		case at == pwcStr || at != bt:
			return false
		}
		if !amore || !bmore {
			return amore == bmore
		}
		a, b = arest, brest
	}
}

// NumTokens counts the tokens of s.
func NumTokens(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, ".") + 1
}

func cut(s string) (tok, rest string, more bool) {
	i := strings.IndexByte(s, Sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}
