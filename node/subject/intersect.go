package subject

import "strings"

// Intersect returns the pattern matching exactly the subjects that both
// patterns a and b match, and false when no subject matches both. For
// each token position the more specific token wins: a literal over '*',
// anything over '>'. Both patterns are assumed valid. It is how a
// subscription in one account is turned into interest in another
// account's subject space (stream imports).
func Intersect(a, b string) (string, bool) {
	var out strings.Builder
	out.Grow(max(len(a), len(b)))
	for {
		at, arest, amore := cut(a)
		bt, brest, bmore := cut(b)
		if out.Len() > 0 {
			out.WriteByte(Sep)
		}
		switch {
		case at == fwcStr:
			out.WriteString(b)
			return out.String(), true
		case bt == fwcStr:
			out.WriteString(a)
			return out.String(), true
		case at == pwcStr:
			out.WriteString(bt)
		case bt == pwcStr || at == bt:
			out.WriteString(at)
		default:
			return "", false
		}
		if !amore || !bmore {
			if amore != bmore {
				return "", false
			}
			return out.String(), true
		}
		a, b = arest, brest
	}
}
