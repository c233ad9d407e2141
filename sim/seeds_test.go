package sim

import "testing"

func TestParseSeeds(t *testing.T) {
	for _, tc := range []struct {
		in     string
		lo, hi uint64
		bad    bool
	}{
		{in: "7", lo: 7, hi: 7},
		{in: "1-100", lo: 1, hi: 100},
		{in: "5-5", lo: 5, hi: 5},
		{in: "9-3", bad: true},
		{in: "x", bad: true},
		{in: "1-", bad: true},
		{in: "-4", bad: true},
	} {
		lo, hi, err := ParseSeeds(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseSeeds(%q) = %d, %d; want an error", tc.in, lo, hi)
			}
			continue
		}
		if err != nil || lo != tc.lo || hi != tc.hi {
			t.Errorf("ParseSeeds(%q) = %d, %d, %v; want %d, %d", tc.in, lo, hi, err, tc.lo, tc.hi)
		}
	}
}
