package conf

import (
	"math"
	"strconv"
	"time"
)

// AsInt returns an integer value.
func (v *Value) AsInt() (int64, error) {
	if v.Kind != KindInt {
		return 0, v.typeError("an integer")
	}
	return v.Int, nil
}

// AsFloat returns a float or integer value as a float64.
func (v *Value) AsFloat() (float64, error) {
	switch v.Kind {
	case KindFloat:
		return v.Float, nil
	case KindInt:
		return float64(v.Int), nil
	}
	return 0, v.typeError("a number")
}

// AsBool returns a boolean value (true/false/yes/no/on/off unquoted).
func (v *Value) AsBool() (bool, error) {
	if v.Kind != KindBool {
		return false, v.typeError("a boolean")
	}
	return v.Bool, nil
}

// AsString returns a string value. Unquoted words, host:port pairs and
// "10s"-like tokens are strings; numbers and booleans are not.
func (v *Value) AsString() (string, error) {
	if v.Kind != KindString {
		return "", v.typeError("a string")
	}
	return v.Str, nil
}

// AsMap returns a map value.
func (v *Value) AsMap() (*Map, error) {
	if v.Kind != KindMap {
		return nil, v.typeError("a map")
	}
	return v.Map, nil
}

// AsArray returns an array value's elements.
func (v *Value) AsArray() ([]*Value, error) {
	if v.Kind != KindArray {
		return nil, v.typeError("an array")
	}
	return v.Array, nil
}

// AsDuration reads a duration the way nats-server's options do: a string
// in Go syntax ("2m", "1h30m", "250ms"), or an integer counting seconds.
// One deliberate difference: an unquoted `2m` is lexed as the size
// 2000000 (nats-server then reads 2000000 seconds); here it means two
// minutes. Other size suffixes ("1k", "5MB") are refused.
func (v *Value) AsDuration() (time.Duration, error) {
	switch v.Kind {
	case KindString:
		d, err := ParseDuration(v.Str)
		if err != nil {
			return 0, v.Errorf("invalid duration %q: %v", v.Str, err)
		}
		return d, nil
	case KindInt:
		if v.Raw != "" && !isInteger(v.Raw) {
			d, err := time.ParseDuration(v.Raw)
			if err != nil {
				return 0, v.Errorf("%q is a size, not a duration: write durations like \"30s\" or \"2m\"", v.Raw)
			}
			return d, nil
		}
		d, err := secondsDuration(v.Int)
		if err != nil {
			return 0, v.Errorf("%v", err)
		}
		return d, nil
	}
	return 0, v.typeError("a duration")
}

// ParseDuration accepts Go duration syntax ("1h30m", "250ms") and plain
// integers, which count seconds ("10" is ten seconds).
func ParseDuration(s string) (time.Duration, error) {
	if isInteger(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, errorAt(Pos{}, "seconds %q out of range", s)
		}
		return secondsDuration(n)
	}
	return time.ParseDuration(s)
}

func secondsDuration(n int64) (time.Duration, error) {
	const maxSeconds = math.MaxInt64 / int64(time.Second)
	if n > maxSeconds || n < -maxSeconds {
		return 0, errorAt(Pos{}, "%d seconds is out of range for a duration", n)
	}
	return time.Duration(n) * time.Second, nil
}

// isInteger reports [-]digits.
func isInteger(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	return s != "" && allDigits(s)
}

// AsSize reads a byte count: an integer (suffixes already applied, so
// 1MB is 1048576 and 1M is 1000000), or a string. Strings follow
// nats-server's storage sizes: a number with one upper-case K, M, G or T
// is binary ("1G" is 1<<30); any other string must read like an unquoted
// number ("512MiB", "1gb", "1000").
func (v *Value) AsSize() (int64, error) {
	switch v.Kind {
	case KindInt:
		return v.Int, nil
	case KindString:
		n, err := parseSizeString(v.Str, v.Pos)
		if err != nil {
			return 0, err
		}
		return n, nil
	}
	return 0, v.typeError("a size")
}

func parseSizeString(s string, at Pos) (int64, error) {
	invalid := errorAt(at, "invalid size %q: expected a number with an optional suffix like 1MB or 512MiB", s)
	if s == "" {
		return 0, invalid
	}
	if shift, ok := binaryShift(s[len(s)-1]); ok && isInteger(s[:len(s)-1]) {
		n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
		if err != nil || n > math.MaxInt64>>shift || n < math.MinInt64>>shift {
			return 0, errorAt(at, "size %q out of range", s)
		}
		return n << shift, nil
	}
	v, isNumber, err := parseNumber(s, at)
	if err != nil {
		return 0, err
	}
	if !isNumber || v.Kind != KindInt {
		return 0, invalid
	}
	return v.Int, nil
}

// binaryShift maps nats-server's storage-size letters to powers of two.
func binaryShift(c byte) (uint, bool) {
	switch c {
	case 'K':
		return 10, true
	case 'M':
		return 20, true
	case 'G':
		return 30, true
	case 'T':
		return 40, true
	}
	return 0, false
}

// typeError reports that v is not of the wanted kind.
func (v *Value) typeError(want string) error {
	return v.Errorf("expected %s, found %s", want, v.describe())
}
