package storetest

import (
	"testing"

	"pgregory.net/rapid"

	"jsnode/node/store"
)

// Subjects and filters the random tests draw from: overlapping wildcards.
var (
	RapidSubjects = []string{"a", "a.b", "a.c", "a.b.c", "b.x.y", "c"}
	RapidFilters  = []string{"", ">", "a", "a.*", "a.>", "*.x.*", "b.>", "c", "a.b", "zzz", "*"}
)

// Rapid runs a state-machine test of stores from open against the model.
func Rapid(t *testing.T, open Opener) {
	rapid.Check(t, func(rt *rapid.T) {
		s := open(t)
		defer s.Stop()
		m := NewModel(s.Kind())
		var ts int64
		rt.Repeat(map[string]func(*rapid.T){
			"append": func(rt *rapid.T) {
				ts += rapid.Int64Range(0, 50).Draw(rt, "dt")
				AppendBoth(rt, s, m, ts)
			},
			"remove": func(rt *rapid.T) {
				seq := rapid.Uint64Range(0, m.Last+2).Draw(rt, "seq")
				erase := rapid.Bool().Draw(rt, "erase")
				ok, err := s.Remove(seq, erase)
				if err != nil || ok != m.Remove(seq) {
					rt.Fatalf("Remove(%d) = %v, %v", seq, ok, err)
				}
			},
			"purge": func(rt *rapid.T) { PurgeBoth(rt, s, m) },
			"compact": func(rt *rapid.T) {
				seq := rapid.Uint64Range(0, m.Last+5).Draw(rt, "seq")
				n, err := s.Compact(seq)
				if want := m.Compact(seq); err != nil || n != want {
					rt.Fatalf("Compact(%d) = %d, %v; want %d", seq, n, err, want)
				}
			},
			"durable": func(rt *rapid.T) {
				var got []error
				s.WhenDurable(func(err error) { got = append(got, err) })
				settle(s)
				if len(got) != 1 || got[0] != nil {
					rt.Fatalf("WhenDurable done calls %v", got)
				}
			},
			"query": func(rt *rapid.T) { QueryBoth(rt, s, m, ts) },
			"": func(rt *rapid.T) {
				if err := m.Check(s); err != nil {
					rt.Fatal(err)
				}
			},
		})
	})
}

// AppendBoth appends one random message to s and m.
func AppendBoth(rt *rapid.T, s store.Store, m *Model, ts int64) {
	subj := rapid.SampledFrom(RapidSubjects).Draw(rt, "subj")
	var hdr []byte
	if rapid.Bool().Draw(rt, "hasHdr") {
		hdr = []byte("NATS/1.0\r\nK: " + rapid.StringN(0, 8, -1).Draw(rt, "hv") + "\r\n\r\n")
	}
	data := rapid.SliceOfN(rapid.Byte(), 0, 64).Draw(rt, "data")
	var ttl int64
	if rapid.IntRange(0, 3).Draw(rt, "ttlChance") == 0 {
		ttl = rapid.Int64Range(1, 200).Draw(rt, "ttl")
	}
	seq, err := s.Append(subj, hdr, data, ts, ttl)
	if want := m.Append(subj, hdr, data, ts, ttl); err != nil || seq != want {
		rt.Fatalf("Append = %d, %v; want %d", seq, err, want)
	}
}

// PurgeBoth runs one random Purge on s and m.
func PurgeBoth(rt *rapid.T, s store.Store, m *Model) {
	filter := rapid.SampledFrom(RapidFilters).Draw(rt, "filter")
	var upTo, keep uint64
	if rapid.Bool().Draw(rt, "bounded") {
		upTo = rapid.Uint64Range(0, m.Last+3).Draw(rt, "upTo")
	}
	if rapid.Bool().Draw(rt, "keeps") {
		keep = rapid.Uint64Range(0, 5).Draw(rt, "keep")
	}
	n, err := s.Purge(filter, upTo, keep)
	if want := m.Purge(filter, upTo, keep); err != nil || n != want {
		rt.Fatalf("Purge(%q, %d, %d) = %d, %v; want %d", filter, upTo, keep, n, err, want)
	}
}

// QueryBoth compares one random query of s with m.
func QueryBoth(rt *rapid.T, s store.Store, m *Model, ts int64) {
	filter := rapid.SampledFrom(RapidFilters).Draw(rt, "qfilter")
	start := rapid.Uint64Range(0, m.Last+2).Draw(rt, "start")
	if err := m.CheckQueries(s, filter, start); err != nil {
		rt.Fatal(err)
	}
	now := ts + rapid.Int64Range(-50, 250).Draw(rt, "dnow")
	if err := m.CheckExpiry(s, now, rapid.IntRange(1, 20).Draw(rt, "max")); err != nil {
		rt.Fatal(err)
	}
}
