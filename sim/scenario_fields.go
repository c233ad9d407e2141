package sim

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"jsnode/node/conf"
)

// fields reads one block of a scenario file. Keys compare without regard
// to case, as in node configs; every key must be one the block knows; and
// every error is a *conf.Error at the offending key or value, naming the
// block ("faults.crash: ...").
type fields struct {
	where string
	m     *conf.Map
	byKey map[string]string // lower-case key -> key as written
}

// posError builds a positioned error.
func posError(p conf.Pos, format string, args ...any) error {
	return &conf.Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
}

// inBlock prefixes a positioned error's message with the block's name.
func inBlock(where string, err error) error {
	if err == nil || where == "" {
		return err
	}
	var ce *conf.Error
	if errors.As(err, &ce) {
		return &conf.Error{Pos: ce.Pos, Msg: where + ": " + ce.Msg}
	}
	return fmt.Errorf("%s: %w", where, err)
}

// blockFields reads v as a { } block whose keys must all be in known.
func blockFields(where string, v *conf.Value, known ...string) (*fields, error) {
	m, err := v.AsMap()
	if err != nil {
		return nil, inBlock(where, err)
	}
	return mapFields(where, m, known...)
}

// mapFields wraps m, refusing keys outside known and keys that differ
// only in case.
func mapFields(where string, m *conf.Map, known ...string) (*fields, error) {
	f := &fields{where: where, m: m, byKey: make(map[string]string, len(m.Keys))}
	for _, k := range m.Keys {
		if m.IsVariable(k) {
			continue
		}
		lk := strings.ToLower(k)
		if prev, dup := f.byKey[lk]; dup {
			return nil, posError(m.KeyPos(k), "%s: %q repeats %q (keys ignore case)", where, k, prev)
		}
		if !slices.Contains(known, lk) {
			return nil, posError(m.KeyPos(k), "%s: unknown field %q (known: %s)", where, k, strings.Join(known, ", "))
		}
		f.byKey[lk] = k
	}
	return f, nil
}

// get returns the value of key, if present.
func (f *fields) get(key string) (*conf.Value, bool) {
	k, ok := f.byKey[key]
	if !ok {
		return nil, false
	}
	return f.m.Get(k)
}

// has reports whether key is present.
func (f *fields) has(key string) bool {
	_, ok := f.byKey[key]
	return ok
}

// keyPos is where key was written (the block's start when absent).
func (f *fields) keyPos(key string) conf.Pos {
	if k, ok := f.byKey[key]; ok {
		return f.m.KeyPos(k)
	}
	return f.m.Pos
}

// errorf reports a problem with key at its position.
func (f *fields) errorf(key, format string, args ...any) error {
	return posError(f.keyPos(key), "%s.%s: %s", f.where, key, fmt.Sprintf(format, args...))
}

// require fails for the first of keys that is missing.
func (f *fields) require(keys ...string) error {
	for _, k := range keys {
		if !f.has(k) {
			return posError(f.m.Pos, "%s: missing %q", f.where, k)
		}
	}
	return nil
}

// duration reads key into dst (left alone when absent), within [lo, hi].
func (f *fields) duration(key string, dst *time.Duration, lo, hi time.Duration) error {
	v, ok := f.get(key)
	if !ok {
		return nil
	}
	d, err := v.AsDuration()
	if err != nil {
		return inBlock(f.where+"."+key, err)
	}
	if d < lo || d > hi {
		return posError(v.Pos, "%s.%s: %v is outside [%v, %v]", f.where, key, d, lo, hi)
	}
	*dst = d
	return nil
}

// integer reads key into dst (left alone when absent), within [lo, hi].
func (f *fields) integer(key string, dst *int, lo, hi int) error {
	v, ok := f.get(key)
	if !ok {
		return nil
	}
	n, err := v.AsInt()
	if err != nil {
		return inBlock(f.where+"."+key, err)
	}
	if n < int64(lo) || n > int64(hi) {
		return posError(v.Pos, "%s.%s: %d is outside [%d, %d]", f.where, key, n, lo, hi)
	}
	*dst = int(n)
	return nil
}

// fraction reads key into dst (left alone when absent), within (lo, hi].
func (f *fields) fraction(key string, dst *float64, lo, hi float64) error {
	v, ok := f.get(key)
	if !ok {
		return nil
	}
	x, err := v.AsFloat()
	if err != nil {
		return inBlock(f.where+"."+key, err)
	}
	if x <= lo || x > hi {
		return posError(v.Pos, "%s.%s: %v is outside (%v, %v]", f.where, key, x, lo, hi)
	}
	*dst = x
	return nil
}

// str reads key into dst (left alone when absent); it must not be empty.
func (f *fields) str(key string, dst *string) error {
	v, ok := f.get(key)
	if !ok {
		return nil
	}
	s, err := v.AsString()
	if err != nil {
		return inBlock(f.where+"."+key, err)
	}
	if s == "" {
		return posError(v.Pos, "%s.%s: must not be empty", f.where, key)
	}
	*dst = s
	return nil
}

// entries reads key as one { } block or an array of them, each with the
// keys known. (A key written twice keeps only its last value, as in node
// configs, so several entries need the array form.)
func (f *fields) entries(key string, known ...string) ([]*fields, error) {
	v, ok := f.get(key)
	if !ok {
		return nil, nil
	}
	where := f.where + "." + key
	if v.Kind != conf.KindArray {
		one, err := blockFields(where, v, known...)
		if err != nil {
			return nil, err
		}
		return []*fields{one}, nil
	}
	out := make([]*fields, 0, len(v.Array))
	for i, item := range v.Array {
		one, err := blockFields(fmt.Sprintf("%s[%d]", where, i), item, known...)
		if err != nil {
			return nil, err
		}
		out = append(out, one)
	}
	return out, nil
}

// boolean reads key into dst (left alone when absent).
func (f *fields) boolean(key string, dst *bool) error {
	v, ok := f.get(key)
	if !ok {
		return nil
	}
	b, err := v.AsBool()
	if err != nil {
		return inBlock(f.where+"."+key, err)
	}
	*dst = b
	return nil
}

// size reads key, a size ("64KB" or a number of bytes), into dst (left
// alone when absent), within [lo, hi].
func (f *fields) size(key string, dst *int64, lo, hi int64) error {
	v, ok := f.get(key)
	if !ok {
		return nil
	}
	n, err := v.AsSize()
	if err != nil {
		return inBlock(f.where+"."+key, err)
	}
	if n < lo || n > hi {
		return posError(v.Pos, "%s.%s: %d is outside [%d, %d]", f.where, key, n, lo, hi)
	}
	*dst = n
	return nil
}

// words reads key as an array of distinct words from known (all of known
// when absent).
func (f *fields) words(key string, known []string) ([]string, error) {
	v, ok := f.get(key)
	if !ok {
		return slices.Clone(known), nil
	}
	list, err := v.AsArray()
	if err != nil {
		return nil, inBlock(f.where+"."+key, err)
	}
	if len(list) == 0 {
		return nil, posError(v.Pos, "%s.%s: empty", f.where, key)
	}
	var out []string
	for _, item := range list {
		w, err := item.AsString()
		if err != nil || !slices.Contains(known, w) {
			return nil, posError(item.Pos, "%s.%s: %q is not one of %s", f.where, key, w, strings.Join(known, ", "))
		}
		if slices.Contains(out, w) {
			return nil, posError(item.Pos, "%s.%s: %q listed twice", f.where, key, w)
		}
		out = append(out, w)
	}
	return out, nil
}
