package mapping

import (
	"errors"
	"strconv"
	"strings"
)

var errNoRand = errors.New("mapping: {{random()}} needs a random source")

// transform builds the destination for subj, which the caller has matched
// against the source.
func (t *Transform) transform(subj string, r Rand) (string, error) {
	var buf [32]string
	tokens := splitTokens(buf[:0], subj)
	var b strings.Builder
	b.Grow(len(subj) + len(t.dst))
	for i := range t.ops {
		if i > 0 {
			b.WriteByte('.')
		}
		if err := t.ops[i].write(&b, tokens, subj, len(t.srcTokens), r); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// splitTokens appends subj's tokens to dst.
func splitTokens(dst []string, subj string) []string {
	for {
		i := strings.IndexByte(subj, '.')
		if i < 0 {
			return append(dst, subj)
		}
		dst = append(dst, subj[:i])
		subj = subj[i+1:]
	}
}

// write appends the op's output. tokens are the subject's; srcLen is the
// source's token count, so a `>` carries tokens[srcLen-1:].
func (o *op) write(b *strings.Builder, tokens []string, subj string, srcLen int, r Rand) error {
	switch o.kind {
	case opLiteral:
		b.WriteString(o.literal)
	case opFullWildcard:
		b.WriteString(strings.Join(tokens[srcLen-1:], "."))
	case opPartition:
		b.WriteString(partition(o.partitionKey(tokens, subj), o.number))
	case opRandom:
		if r == nil {
			return errNoRand
		}
		b.WriteString(random(r, o.number))
	default:
		o.writeTokenFunction(b, tokens[o.positions[0]])
	}
	return nil
}

// writeTokenFunction appends the output of a function of one token.
func (o *op) writeTokenFunction(b *strings.Builder, token string) {
	n := int(o.number)
	switch o.kind {
	case opWildcard:
		b.WriteString(token)
	case opSplitFromLeft:
		writeSplitAt(b, token, n)
	case opSplitFromRight:
		writeSplitAt(b, token, len(token)-n)
	case opSliceFromLeft:
		writeSlices(b, token, n, 0)
	case opSliceFromRight:
		if n > 0 {
			writeSlices(b, token, n, len(token)%n)
		} else {
			b.WriteString(token)
		}
	case opSplit:
		writeSplit(b, token, o.delim)
	case opLeft:
		if n > 0 && n < len(token) {
			token = token[:n]
		}
		b.WriteString(token)
	case opRight:
		if n > 0 && n < len(token) {
			token = token[len(token)-n:]
		}
		b.WriteString(token)
	}
}

// writeSplitAt writes token as two tokens split at byte at, or unchanged
// when at does not fall strictly inside it.
func writeSplitAt(b *strings.Builder, token string, at int) {
	if at <= 0 || at >= len(token) {
		b.WriteString(token)
		return
	}
	b.WriteString(token[:at])
	b.WriteByte('.')
	b.WriteString(token[at:])
}

// writeSlices cuts token into size-byte tokens after a first token of
// length first (0 for none); a token no longer than size is left whole.
// From the left (first 0) the short chunk ends up last; from the right the
// caller passes len%size so that it comes first.
func writeSlices(b *strings.Builder, token string, size, first int) {
	if size <= 0 || size >= len(token) {
		b.WriteString(token)
		return
	}
	start := 0
	if first > 0 {
		b.WriteString(token[:first])
		start = first
	}
	for start < len(token) {
		if start > 0 {
			b.WriteByte('.')
		}
		end := min(start+size, len(token))
		b.WriteString(token[start:end])
		start = end
	}
}

// writeSplit writes the non-empty pieces of token split on delim as tokens.
// (nats-server keeps a stray separator when a token starts with two or more
// delimiters, producing an empty token; the documented behaviour, empty
// pieces dropped, is followed here.)
func writeSplit(b *strings.Builder, token, delim string) {
	written := false
	for _, piece := range strings.Split(token, delim) {
		if piece == "" {
			continue
		}
		if written {
			b.WriteByte('.')
		}
		b.WriteString(piece)
		written = true
	}
}

// partitionKey is the hashed key: the selected tokens concatenated with no
// separator, or the whole subject when no token is selected.
func (o *op) partitionKey(tokens []string, subj string) string {
	if len(o.positions) == 0 {
		return subj
	}
	var b strings.Builder
	for _, p := range o.positions {
		b.WriteString(tokens[p])
	}
	return b.String()
}

// FNV-1a 32-bit parameters.
const (
	fnvOffset32 = 2166136261
	fnvPrime32  = 16777619
)

// partition is FNV-1a-32(key) mod partitions in decimal. partitions is used
// as nats-server uses it: 0 gives "0", a negative count is taken as uint32.
func partition(key string, partitions int32) string {
	if partitions == 0 {
		return "0"
	}
	h := uint32(fnvOffset32)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= fnvPrime32
	}
	return strconv.FormatUint(uint64(h%uint32(partitions)), 10)
}

// random draws from [0, |ceiling|) in decimal; 0 gives "0". (nats-server
// takes a non-negative 31-bit number modulo the ceiling, which for a
// negative ceiling also lands in [0, |ceiling|).)
func random(r Rand, ceiling int32) string {
	n := int(ceiling)
	if n == 0 {
		return "0"
	}
	if n < 0 {
		n = -n
	}
	return strconv.Itoa(r.IntN(n))
}
