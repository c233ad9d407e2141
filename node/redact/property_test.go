package redact

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"
)

// The property: a CONNECT built around a secret, in any of the shapes a
// client (or an attacker testing the redaction) might use, never shows the
// secret after Connect. Secrets always contain '#', which nothing else in
// the built body does, so finding the secret can only mean a leak.

// shape says how buildConnect lays out one CONNECT.
type shape struct {
	key       int    // index into secretKeys
	upper     bool   // key in upper case
	escKey    bool   // first letter of the key as a \u escape
	escValue  bool   // every rune of the secret as a \u escape
	dup       bool   // the key a second time, with the same secret
	nested    bool   // the key once more inside a nested object
	spaces    [3]int // around ':' and after ',' (index into spacing)
	before    []int  // filler fields before the secret (index into filler)
	after     []int  // filler fields after it
	secretSfx string // appended to "#" to make the secret
}

var spacing = []string{"", " ", "\t", "\n  ", "  \r\n"}

var filler = []string{`"verbose":false`, `"name":"app"`, `"lang":"go"`, `"user":"derek"`,
	`"protocol":1`, `"headers":true`, `"nkey":"UA"`, `"x":[1,{"y":null}]`}

// shapeFromBits spreads a fuzzer's integer over the choices.
func shapeFromBits(bits uint64, sfx string) shape {
	take := func(n uint64) int { v := bits % n; bits /= n; return int(v) }
	sh := shape{key: take(uint64(len(secretKeys))), upper: take(2) == 1, escKey: take(2) == 1,
		escValue: take(2) == 1, dup: take(2) == 1, nested: take(2) == 1, secretSfx: sfx}
	for i := range sh.spaces {
		sh.spaces[i] = take(uint64(len(spacing)))
	}
	for n := take(4); n > 0; n-- {
		sh.before = append(sh.before, take(uint64(len(filler))))
	}
	for n := take(4); n > 0; n-- {
		sh.after = append(sh.after, take(uint64(len(filler))))
	}
	return sh
}

// buildConnect returns the body and the secret as written in it.
func buildConnect(sh shape) (body, secret, written string) {
	secret = "#" + strings.ToValidUTF8(sh.secretSfx, "?")
	written = quoteJSON(secret, sh.escValue)
	key := secretKeys[sh.key]
	if sh.upper {
		key = strings.ToUpper(key)
	}
	if sh.escKey {
		key = fmt.Sprintf(`\u%04x`, key[0]) + key[1:]
	}
	colon := spacing[sh.spaces[0]] + ":" + spacing[sh.spaces[1]]
	member := `"` + key + `"` + colon + written
	var fields []string
	for _, f := range sh.before {
		fields = append(fields, filler[f])
	}
	fields = append(fields, member)
	if sh.dup {
		fields = append(fields, member)
	}
	if sh.nested {
		fields = append(fields, `"opts":{"a":[1],`+member+`}`)
	}
	for _, f := range sh.after {
		fields = append(fields, filler[f])
	}
	return "{" + strings.Join(fields, ","+spacing[sh.spaces[2]]) + "}", secret, written
}

// quoteJSON writes s as a JSON string, plainly or rune by rune escaped.
func quoteJSON(s string, escapeAll bool) string {
	if !escapeAll {
		b, _ := json.Marshal(s)
		return string(b)
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16Pair(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
			continue
		}
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	b.WriteByte('"')
	return b.String()
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}

// fataler is what both *testing.T and *rapid.T offer.
type fataler interface {
	Fatalf(format string, args ...any)
}

// checkNoLeak fails when the redacted body still holds the secret.
func checkNoLeak(t fataler, body, secret, written string) {
	out := Connect([]byte(body))
	if strings.Contains(out, secret) || strings.Contains(out, written[1:len(written)-1]) {
		t.Fatalf("secret %q leaked:\n in: %s\nout: %s", secret, body, out)
	}
	if !json.Valid([]byte(out)) {
		t.Fatalf("output is not JSON:\n in: %s\nout: %s", body, out)
	}
}

// checkServerView fails unless every credential the server would read
// from the output (encoding/json into named fields, so case-insensitive
// and last-one-wins) is the marker. Only for valid JSON objects.
func checkServerView(t fataler, in []byte) {
	out := Connect(in)
	if !json.Valid(in) {
		if out != Marker {
			t.Fatalf("invalid JSON %q printed as %q", in, out)
		}
		return
	}
	var creds struct {
		Pass      any `json:"pass"`
		Password  any `json:"password"`
		AuthToken any `json:"auth_token"`
		Token     any `json:"token"`
		Sig       any `json:"sig"`
		JWT       any `json:"jwt"`
	}
	if json.Unmarshal([]byte(out), &creds) != nil {
		return // not an object: the server would refuse it as well
	}
	for _, v := range []any{creds.Pass, creds.Password, creds.AuthToken, creds.Token, creds.Sig, creds.JWT} {
		if v != nil && v != Marker {
			t.Fatalf("credential %v survived:\n in: %s\nout: %s", v, in, out)
		}
	}
}

func TestConnectNeverLeaksProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sh := shape{
			key:       rapid.IntRange(0, len(secretKeys)-1).Draw(t, "key"),
			upper:     rapid.Bool().Draw(t, "upper"),
			escKey:    rapid.Bool().Draw(t, "escKey"),
			escValue:  rapid.Bool().Draw(t, "escValue"),
			dup:       rapid.Bool().Draw(t, "dup"),
			nested:    rapid.Bool().Draw(t, "nested"),
			before:    rapid.SliceOfN(rapid.IntRange(0, len(filler)-1), 0, 3).Draw(t, "before"),
			after:     rapid.SliceOfN(rapid.IntRange(0, len(filler)-1), 0, 3).Draw(t, "after"),
			secretSfx: rapid.String().Draw(t, "secret"),
		}
		for i := range sh.spaces {
			sh.spaces[i] = rapid.IntRange(0, len(spacing)-1).Draw(t, "space")
		}
		body, secret, written := buildConnect(sh)
		checkNoLeak(t, body, secret, written)
		checkServerView(t, []byte(body))
	})
}

// FuzzRedactConnect checks both properties: a CONNECT built around the
// fuzzer's secret in the shape its integer picks never shows the secret,
// and any input at all is either printed with every credential the server
// would read replaced, or (not JSON) not printed.
func FuzzRedactConnect(f *testing.F) {
	f.Add([]byte(`{"user":"derek","pass":"s3cr3t"}`), "s3cr3t", uint64(0))
	f.Add([]byte(`{"p\u0061ss" : "x","pass":"y"}`), "tok", uint64(12345))
	f.Add([]byte(`{pass:s3cr3t`), "é\"\\", uint64(1<<40+77))
	f.Fuzz(func(t *testing.T, in []byte, secret string, bits uint64) {
		if !utf8.ValidString(secret) {
			secret = strings.ToValidUTF8(secret, "?")
		}
		body, sec, written := buildConnect(shapeFromBits(bits, secret))
		checkNoLeak(t, body, sec, written)
		checkServerView(t, in)
	})
}
