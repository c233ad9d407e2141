package config

import (
	"fmt"
	"strings"

	"jsnode/node/conf"
	"jsnode/node/server"
)

// parseImports reads an account's imports array. A local subject may be
// the target of only one service import of the account.
func parseImports(v *conf.Value) ([]server.ImportOpts, error) {
	if v.Kind != conf.KindArray {
		return nil, v.Errorf("Imports should be an array, got %s", goType(v))
	}
	var out []server.ImportOpts
	byLocal := map[string]int{} // service import local subject -> index in out
	for _, item := range v.Array {
		imp, ok, err := parseImport(item)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if imp.Service {
			local := importLocal(imp)
			if i, dup := byLocal[local]; dup {
				return nil, item.Errorf("Duplicate service import subject %q, previously used in import for account %q, subject %q",
					local, out[i].Account, out[i].Subject)
			}
			byLocal[local] = len(out)
		}
		out = append(out, imp)
	}
	return out, nil
}

// importLocal is the subject an import uses in the importing account.
func importLocal(imp server.ImportOpts) string {
	if imp.To != "" {
		return imp.To
	}
	return imp.Subject
}

// importEntry is an import entry being read.
type importEntry struct {
	imp             server.ImportOpts
	stream, service bool
	prefix, to      string
	toPos           conf.Pos
	share           bool
}

// parseImport reads one import entry. ok is false for an entry with
// neither stream nor service, which nats-server skips silently.
func parseImport(item *conf.Value) (server.ImportOpts, bool, error) {
	if item.Kind != conf.KindMap {
		return server.ImportOpts{}, false, item.Errorf("Import Items should be a map with type entry, got %s", goType(item))
	}
	x := importEntry{imp: server.ImportOpts{Line: item.Pos.Line, Col: item.Pos.Col}}
	m := item.Map
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		if err := x.apply(m, key, val); err != nil {
			return server.ImportOpts{}, false, err
		}
	}
	if !x.stream && !x.service {
		return server.ImportOpts{}, false, nil
	}
	return x.finish()
}

func (x *importEntry) apply(m *conf.Map, key string, v *conf.Value) error {
	var err error
	switch strings.ToLower(key) {
	case "stream":
		err = x.setKind(v, false)
	case "service":
		err = x.setKind(v, true)
	case "prefix":
		x.prefix, err = v.AsString()
	case "to":
		x.to, err = v.AsString()
		x.toPos = v.Pos
	case "share":
		x.share, err = v.AsBool()
	default:
		return otherKey(blockImport, m, key, "")
	}
	return err
}

// setKind reads `stream: {account, subject}` or `service: {...}`.
func (x *importEntry) setKind(v *conf.Value, service bool) error {
	kind, other, entry := "stream", "service", "Stream"
	if service {
		kind, other, entry = "service", "stream", "Service"
	}
	switch {
	case service && x.stream, !service && x.service:
		return v.Errorf("Detected %s but already saw a %s", kind, other)
	case v.Kind != conf.KindMap:
		return v.Errorf("%s entry should be an account map, got %s", entry, goType(v))
	}
	account, subj, err := importSource(v.Map)
	if err != nil {
		return err
	}
	if account == "" || subj == "" {
		return v.Errorf("Expect an account name and a subject")
	}
	x.stream, x.service = !service, service
	x.imp.Service, x.imp.Account, x.imp.Subject = service, account, subj
	return nil
}

// importSource reads the {account, subject} map of an import.
func importSource(m *conf.Map) (account, subj string, err error) {
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		switch strings.ToLower(key) {
		case "account":
			account, err = val.AsString()
		case "subject":
			subj, err = val.AsString()
		default:
			if m.IsVariable(key) {
				continue
			}
			return "", "", &conf.Error{Pos: m.KeyPos(key), Msg: fmt.Sprintf("unknown field %q", key)}
		}
		if err != nil {
			return "", "", err
		}
	}
	return account, subj, nil
}

// finish applies the keys that depend on the kind. nats-server refuses a
// stream import with both prefix and to only when `to` comes after the
// other two (its check depends on map order); here it is refused always.
func (x *importEntry) finish() (server.ImportOpts, bool, error) {
	imp := x.imp
	imp.To = x.to
	if x.service {
		imp.Share = x.share
		return imp, true, nil
	}
	if x.prefix != "" && x.to != "" {
		return imp, false, &conf.Error{Pos: x.toPos, Msg: "Stream import can not have a 'prefix' and a 'to' property"}
	}
	if x.prefix != "" && !strings.HasSuffix(x.prefix, ".") {
		x.prefix += "."
	}
	imp.Prefix = x.prefix
	return imp, true, nil
}
