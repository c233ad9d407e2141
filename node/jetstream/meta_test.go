package jetstream

import (
	"strings"
	"testing"
	"time"
)

func TestMetaChecksum(t *testing.T) {
	meta := streamMeta{Version: metaVersion, Created: time.Unix(1, 0).UTC(),
		Config: StreamConfig{Name: "S", Subjects: []string{"a"}, MaxMsgs: 10, Metadata: map[string]string{"b": "1", "a": "2"}}}
	b, err := encodeMeta(meta)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeMeta(b)
	if err != nil || got.Config.MaxMsgs != 10 || got.Config.Name != "S" {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	// A flipped digit still parses as JSON, but not as this stream's config.
	bad := strings.Replace(string(b), `"max_msgs":10`, `"max_msgs":11`, 1)
	if _, err := decodeMeta([]byte(bad)); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("damaged meta.inf: %v", err)
	}
	for _, b := range []string{"", "{", `{"version":2}`} {
		if _, err := decodeMeta([]byte(b)); err == nil {
			t.Errorf("decodeMeta(%q) accepted", b)
		}
	}
}
