package redact

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// secretKeys are the CONNECT fields whose values are credentials: those a
// client sends ("pass", "auth_token", "sig", "jwt") and the misspellings
// a client might send them under. The server reads CONNECT with
// encoding/json, which matches keys case-insensitively (with Unicode
// folding), so keys compare with strings.EqualFold after their escapes are
// decoded: "PASS", "p\u0061ss" and "paſſ" are all "pass".
var secretKeys = []string{"pass", "password", "auth_token", "token", "sig", "jwt"}

// isSecretKey reports whether a decoded object key names a credential.
func isSecretKey(key string) bool {
	for _, s := range secretKeys {
		if strings.EqualFold(key, s) {
			return true
		}
	}
	return false
}

// quotedMarker is what a secret value becomes: a JSON string, so the
// result stays valid JSON ("pass":"[REDACTED]", as nats-server prints).
const quotedMarker = `"` + Marker + `"`

// Connect returns a CONNECT argument as it may be traced: the original
// text with the value of every credential field, at any depth and however
// often the key repeats, replaced by "[REDACTED]". Spacing, key order and
// the other fields are kept. An argument that is not valid JSON is never
// printed, since no scan of it can be trusted to find every secret: the
// whole argument becomes "[REDACTED]".
func Connect(arg []byte) string {
	if !json.Valid(arg) {
		return Marker
	}
	spans, err := secretSpans(arg)
	if err != nil {
		return Marker
	}
	var b strings.Builder
	b.Grow(len(arg))
	last := 0
	for _, sp := range spans {
		b.Write(arg[last:sp.start])
		b.WriteString(quotedMarker)
		last = sp.end
	}
	b.Write(arg[last:])
	return b.String()
}

// span is the byte range [start, end) of one secret value in the input.
type span struct{ start, end int }

// frame is one open object or array while walking the tokens.
type frame struct {
	object  bool
	wantKey bool // in an object: the next token is a key
}

// secretSpans walks valid JSON token by token and returns, in order, the
// ranges of the values of credential keys. A secret value is skipped
// whole (an object or array under "pass" is hidden too), so secrets never
// overlap.
func secretSpans(arg []byte) ([]span, error) {
	dec := json.NewDecoder(bytes.NewReader(arg))
	dec.UseNumber()
	var stack []frame
	var spans []span
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return spans, nil
		}
		if err != nil {
			return nil, err
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].object && stack[top].wantKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = closeFrame(stack)
				continue
			}
			key, _ := tok.(string)
			if !isSecretKey(key) {
				stack[top].wantKey = false
				continue
			}
			sp, err := skipValue(dec, arg)
			if err != nil {
				return nil, err
			}
			spans = append(spans, sp)
			continue
		}
		stack = afterValue(stack, tok)
	}
}

// afterValue updates the stack for a token in value position: an opening
// delimiter pushes a frame, a closing one pops, and a finished value in an
// object means a key comes next.
func afterValue(stack []frame, tok json.Token) []frame {
	if d, ok := tok.(json.Delim); ok {
		switch d {
		case '{':
			return append(stack, frame{object: true, wantKey: true})
		case '[':
			return append(stack, frame{})
		default:
			return closeFrame(stack)
		}
	}
	if top := len(stack) - 1; top >= 0 && stack[top].object {
		stack[top].wantKey = true
	}
	return stack
}

// closeFrame pops a finished object or array; its parent, if an object,
// now expects a key.
func closeFrame(stack []frame) []frame {
	stack = stack[:len(stack)-1]
	if top := len(stack) - 1; top >= 0 && stack[top].object {
		stack[top].wantKey = true
	}
	return stack
}

// skipValue consumes the value after a key the decoder has just returned
// and reports where that value lies in arg: from the first byte after the
// colon and its surrounding spaces to the end of the value.
func skipValue(dec *json.Decoder, arg []byte) (span, error) {
	start := int(dec.InputOffset())
	for start < len(arg) && (isSpace(arg[start]) || arg[start] == ':') {
		start++
	}
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return span{}, err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return span{start: start, end: int(dec.InputOffset())}, nil
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
