package config

import (
	"strings"
	"time"

	"jsnode/node/conf"
	"jsnode/node/server"
)

// parseExports reads an account's exports array.
func parseExports(v *conf.Value) ([]server.ExportOpts, error) {
	if v.Kind != conf.KindArray {
		return nil, v.Errorf("Exports should be an array, got %s", goType(v))
	}
	var out []server.ExportOpts
	for _, item := range v.Array {
		e, ok, err := parseExport(item)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// exportEntry is an export entry being read: its keys may come in any
// order, so the checks that relate two keys look at what came before.
type exportEntry struct {
	e                 server.ExportOpts
	stream, service   bool
	respSeen, thrSeen bool
	respPos           conf.Pos
	accounts          []string
}

// parseExport reads one export entry. ok is false for an entry with
// neither stream nor service, which nats-server skips silently.
func parseExport(item *conf.Value) (server.ExportOpts, bool, error) {
	if item.Kind != conf.KindMap {
		return server.ExportOpts{}, false, item.Errorf("Export Items should be a map with type entry, got %s", goType(item))
	}
	x := exportEntry{e: server.ExportOpts{Line: item.Pos.Line, Col: item.Pos.Col}}
	m := item.Map
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		if err := x.apply(m, key, val); err != nil {
			return server.ExportOpts{}, false, err
		}
	}
	x.e.Accounts = x.accounts
	if !x.e.Service {
		// A threshold given before `stream` is dropped, as nats-server drops it.
		x.e.ResponseThreshold = 0
	}
	return x.e, x.stream || x.service, nil
}

func (x *exportEntry) apply(m *conf.Map, key string, v *conf.Value) error {
	var err error
	switch k := strings.ToLower(key); k {
	case "stream":
		err = x.setKind(v, false)
	case "service":
		err = x.setKind(v, true)
	case "response", "response_type":
		err = x.setResponseType(v)
	case "threshold", "response_threshold", "response_max_time", "response_time":
		err = x.setThreshold(v)
	case "accounts":
		x.accounts, err = accountList(v)
	case "account_token_position":
		x.e.AccountTokenPosition, err = tokenPosition(v)
	default:
		return otherKey(blockExport, m, key, "")
	}
	return err
}

// setKind reads `stream: subj` or `service: subj`.
func (x *exportEntry) setKind(v *conf.Value, service bool) error {
	kind, other := "stream", "service"
	if service {
		kind, other = "service", "stream"
	}
	switch {
	case service && x.stream, !service && x.service:
		return v.Errorf("Detected %s %q but already saw a %s", kind, valueText(v), other)
	case !service && x.respSeen:
		return &conf.Error{Pos: x.respPos, Msg: "Detected response directive on non-service"}
	case v.Kind != conf.KindString:
		return v.Errorf("Expected %s name to be string, got %s", kind, goType(v))
	}
	x.stream, x.service = !service, service
	x.e.Service, x.e.Subject = service, v.Str
	return nil
}

func (x *exportEntry) setResponseType(v *conf.Value) error {
	if x.respSeen {
		return v.Errorf("Duplicate response type definition")
	}
	x.respSeen, x.respPos = true, v.Pos
	if v.Kind != conf.KindString {
		return v.Errorf("Expected response type to be string, got %s", goType(v))
	}
	switch strings.ToLower(v.Str) {
	case "single", "singleton":
		x.e.ResponseType = server.Singleton
	case "stream":
		x.e.ResponseType = server.Streamed
	case "chunk", "chunked":
		x.e.ResponseType = server.Chunked
	default:
		return v.Errorf("Unknown response type: %q", v.Str)
	}
	if x.stream {
		return v.Errorf("Detected response directive on non-service")
	}
	return nil
}

// setThreshold reads the response threshold, a Go duration string. As
// everywhere in jsnode's config, an unquoted `2m` means two minutes (the
// lexer reads it as a size, so nats-server would refuse it).
func (x *exportEntry) setThreshold(v *conf.Value) error {
	if x.thrSeen {
		return v.Errorf("Duplicate response threshold detected")
	}
	x.thrSeen = true
	text := v.Str
	switch {
	case v.Kind == conf.KindInt && v.Raw != "" && !isDigits(v.Raw):
		text = v.Raw
	case v.Kind != conf.KindString:
		return v.Errorf("Expected response threshold to be a parseable time duration, got %s", goType(v))
	}
	d, err := time.ParseDuration(text)
	if err != nil {
		return v.Errorf("Expected response threshold to be a parseable time duration, got %q", text)
	}
	x.e.ResponseThreshold = d
	if x.stream {
		return v.Errorf("Detected response directive on non-service")
	}
	return nil
}

func isDigits(s string) bool {
	s = strings.TrimPrefix(s, "-")
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// accountList reads the account names of an export. An empty list yields
// nil: the export stays public, as in nats-server's config loader.
func accountList(v *conf.Value) ([]string, error) {
	items, err := v.AsArray()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, item := range items {
		s, err := item.AsString()
		if err != nil {
			return nil, err
		}
		names = append(names, s)
	}
	return names, nil
}
