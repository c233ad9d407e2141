package config

import (
	"errors"
	"strconv"
	"strings"

	"jsnode/node/conf"
	"jsnode/node/server"
)

// applyHTTP reads `http: 8222` or `http: "host:8222"` (monitoring).
func applyHTTP(v *conf.Value, o *server.Options) error {
	switch v.Kind {
	case conf.KindInt:
		port, err := asInt(v)
		o.HTTPPort = port
		return err
	case conf.KindString:
		host, port, err := splitHostPort(v.Str)
		if err != nil {
			return v.Errorf("%s", err.Error())
		}
		o.HTTPHost, o.HTTPPort = host, port
		return nil
	}
	return v.Errorf("expected port or host:port, got %s", goType(v))
}

// splitHostPort splits "host:port", "[v6]:port" or ":port" with the texts
// of nats-server's listen parsing (which uses net.SplitHostPort, out of
// reach of node/).
func splitHostPort(s string) (string, int, error) {
	bad := errors.New("could not parse address string " + strconv.Quote(s))
	var host, port string
	if rest, ok := strings.CutPrefix(s, "["); ok {
		end := strings.Index(rest, "]:")
		if end < 0 || strings.ContainsAny(rest[end+2:], "[]") {
			return "", 0, bad
		}
		host, port = rest[:end], rest[end+2:]
	} else {
		i := strings.LastIndexByte(s, ':')
		if i < 0 || strings.IndexByte(s[:i], ':') >= 0 || strings.ContainsAny(s, "[]") {
			return "", 0, bad
		}
		host, port = s[:i], s[i+1:]
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return "", 0, errors.New("could not parse port " + strconv.Quote(port))
	}
	return host, n, nil
}
