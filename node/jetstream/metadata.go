package jetstream

import (
	"maps"
	"reflect"
	"strconv"
	"strings"

	"jsnode/node/server"
)

// The metadata keys the server keeps in a stream's config: the API level
// the config needs (stored), and the server's version and level (added
// to answers only).
const (
	metaRequiredLevel = "_nats.req.level"
	metaServerVersion = "_nats.ver"
	metaServerLevel   = "_nats.level"
	metaPrefix        = "_nats."
)

// requiredLevel is the API level a stream config's features need.
func requiredLevel(cfg *StreamConfig) int {
	switch {
	case cfg.AllowBatchPublish:
		return 4
	case cfg.AllowAtomicPublish || cfg.PersistMode == PersistAsync:
		return 2
	case cfg.AllowMsgTTL || cfg.SubjectDeleteMarkerTTL > 0:
		return 1
	}
	return 0
}

// setStaticMetadata replaces the server's keys of cfg's metadata with the
// stored one (the required level).
func setStaticMetadata(cfg *StreamConfig) {
	md := userMetadata(cfg.Metadata)
	if md == nil {
		md = map[string]string{}
	}
	md[metaRequiredLevel] = strconv.Itoa(requiredLevel(cfg))
	cfg.Metadata = md
}

// withDynamicMetadata is cfg as answers show it: its metadata gains the
// server's version and level.
func withDynamicMetadata(cfg StreamConfig) StreamConfig {
	md := maps.Clone(cfg.Metadata)
	if md == nil {
		md = map[string]string{}
	}
	md[metaServerVersion] = server.ServerVersion
	md[metaServerLevel] = strconv.Itoa(APILevel)
	cfg.Metadata = md
	return cfg
}

// userMetadata is md without the server's keys (nil when nothing is left).
func userMetadata(md map[string]string) map[string]string {
	var out map[string]string
	for k, v := range md {
		if strings.HasPrefix(k, metaPrefix) {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	return out
}

// sameConfig compares two stream configs, ignoring the server's metadata.
func sameConfig(a, b StreamConfig) bool {
	a.Metadata, b.Metadata = userMetadata(a.Metadata), userMetadata(b.Metadata)
	return reflect.DeepEqual(a, b)
}
