package mapping

// matchTokens reports whether subj is matched by the pattern's tokens. It
// works on strings and on byte slices without allocating, because
// Table.Apply runs it for every published message.
//
// A subject may carry `*` or `>` tokens (a non-pedantic publish). As in
// nats-server's subset match, such a token is matched only by a pattern
// token that is at least as wide: `*` by `*` or `>`, `>` only by `>`.
func matchTokens[S string | []byte](pattern []string, subj S) bool {
	start := 0
	for _, p := range pattern {
		if start > len(subj) {
			return false // the subject has fewer tokens
		}
		end := start
		for end < len(subj) && subj[end] != '.' {
			end++
		}
		token := subj[start:end]
		switch {
		case len(token) == 0:
			return false
		case p == ">":
			return true
		case len(token) == 1 && token[0] == '>':
			return false
		case p == "*":
		case !equalToken(token, p):
			return false
		}
		start = end + 1
	}
	return start == len(subj)+1
}

// equalToken compares byte by byte so that the []byte instantiation needs
// no conversion.
func equalToken[S string | []byte](token S, p string) bool {
	if len(token) != len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if token[i] != p[i] {
			return false
		}
	}
	return true
}
