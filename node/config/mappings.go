package config

import (
	"strconv"
	"strings"

	"jsnode/node/conf"
	"jsnode/node/mapping"
	"jsnode/node/server"
	"jsnode/node/subject"
)

// parseMappings reads a mappings {} block (top level for $G, or an
// account's): source subject -> destination, or weighted destinations.
// Each mapping is validated as the server will build it, so a config that
// loads has mappings the server can apply.
func parseMappings(v *conf.Value) ([]server.MappingOpts, error) {
	m, err := v.AsMap()
	if err != nil {
		return nil, err
	}
	var out []server.MappingOpts
	for _, src := range m.Keys {
		val, _ := m.Get(src)
		at := m.KeyPos(src)
		if !subject.ValidSubscribe(src) {
			return nil, &conf.Error{Pos: at, Msg: "Subject " + strconv.Quote(src) + " is not a valid subject"}
		}
		dests, err := mappingDests(src, val)
		if err != nil {
			return nil, err
		}
		out = append(out, server.MappingOpts{Source: src, Dests: dests, Line: at.Line, Col: at.Col})
	}
	return out, nil
}

// mappingDests reads one mapping's value: a subject (weight 100), a list
// of destination entries, or a single entry.
func mappingDests(src string, v *conf.Value) ([]server.MapDest, error) {
	var dests []server.MapDest
	switch v.Kind {
	case conf.KindString:
		dests = []server.MapDest{{Subject: v.Str, Weight: 100}}
		if err := checkMapping(src, dests); err != nil {
			return nil, v.Errorf("Error adding mapping for %q to %q : %v", src, v.Str, err)
		}
		return dests, nil
	case conf.KindArray:
		for _, item := range v.Array {
			d, err := mapDest(item)
			if err != nil {
				return nil, err
			}
			dests = append(dests, d)
		}
	case conf.KindMap:
		d, err := mapDest(v)
		if err != nil {
			return nil, err
		}
		dests = []server.MapDest{d}
	default:
		return nil, v.Errorf("Unknown type %s for mapping destination", goType(v))
	}
	if err := checkMapping(src, dests); err != nil {
		return nil, v.Errorf("Error adding mapping for %q : %v", src, err)
	}
	return dests, nil
}

// checkMapping builds the mapping as the server will, for its errors.
func checkMapping(src string, dests []server.MapDest) error {
	md := make([]mapping.Dest, len(dests))
	for i, d := range dests {
		md[i] = mapping.Dest{Subject: d.Subject, Weight: d.Weight, Cluster: d.Cluster}
	}
	_, err := mapping.NewMapping(src, md)
	return err
}

// mapDest reads {destination|dest: subj, weight: 0..100 | "NN%", cluster: c}.
func mapDest(v *conf.Value) (server.MapDest, error) {
	var d server.MapDest
	if v.Kind != conf.KindMap {
		return d, v.Errorf("Expected an entry for the mapping destination")
	}
	m := v.Map
	weightSeen := false
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		var err error
		switch strings.ToLower(key) {
		case "dest", "destination":
			d.Subject, err = val.AsString()
		case "weight":
			d.Weight, err = mapWeight(val)
			weightSeen = true
		case "cluster":
			d.Cluster, err = val.AsString()
		default:
			return d, val.Errorf("Unknown field %q for mapping destination", key)
		}
		if err != nil {
			return d, err
		}
	}
	if !weightSeen {
		return d, v.Errorf("Missing weight for mapping destination %q", d.Subject)
	}
	return d, nil
}

// mapWeight reads a weight: an integer or a string with an optional '%'.
func mapWeight(v *conf.Value) (uint8, error) {
	var n int64
	switch v.Kind {
	case conf.KindInt:
		n = v.Int
	case conf.KindString:
		s := strings.TrimSuffix(v.Str, "%")
		w, err := strconv.Atoi(s)
		if err != nil {
			return 0, v.Errorf("Invalid weight %q for mapping destination", s)
		}
		n = int64(w)
	default:
		return 0, v.Errorf("Unknown entry type for weight of %s", valueText(v))
	}
	if n < 0 || n > 100 {
		return 0, v.Errorf("Invalid weight %d for mapping destination", n)
	}
	return uint8(n), nil
}
