package frame

import (
	"bytes"
	"testing"
)

func TestRoundTripAndDamage(t *testing.T) {
	b, start := Begin([]byte("prefix"), 7)
	b = Finish(append(b, "payload"...), start)
	typ, rest, size, st := Parse(b[start:], 64)
	if st != OK || typ != 7 || string(rest) != "payload" || size != HeaderSize+1+7 {
		t.Fatalf("Parse = %d %q %d %v", typ, rest, size, st)
	}
	if _, _, _, st := Parse(b[start:len(b)-1], 64); st != Short {
		t.Fatalf("truncated: %v, want Short", st)
	}
	if _, _, _, st := Parse(b[start:], 4); st != Bad {
		t.Fatalf("body over the bound: %v, want Bad", st)
	}
	for i := range b[start:] {
		d := bytes.Clone(b[start:])
		d[i] ^= 0x01
		if _, _, _, st := Parse(d, 64); st == OK {
			t.Fatalf("a flipped bit at %d passed", i)
		}
	}
}
