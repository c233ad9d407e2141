package jetstream

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"jsnode/node/proto"
)

func hdr(kv ...string) []byte {
	var fields [][2]string
	for i := 0; i+1 < len(kv); i += 2 {
		fields = append(fields, [2]string{kv[i], kv[i+1]})
	}
	return proto.AppendHeader(nil, 0, "", fields)
}

func TestPubAckEncodingMatchesJSON(t *testing.T) {
	for _, c := range []struct {
		name, domain string
		seq          uint64
		dup          bool
	}{{"S", "", 1, false}, {`we"ird`, "hub", 18446744073709551615, true}, {"X", "d", 0, false}} {
		ts := newTestStream(t, StreamConfig{Name: "S"})
		ts.mset.cfg.Name = c.name
		ts.mset.js().opts.Domain = c.domain
		want, _ := json.Marshal(&PubAck{Stream: c.name, Sequence: c.seq, Domain: c.domain, Duplicate: c.dup})
		if got := ts.mset.pubAck(c.seq, c.dup); string(got) != string(want) {
			t.Errorf("pubAck(%+v) = %s, want %s", c, got, want)
		}
	}
}

func TestDedupeWindowExpiresWithTheClock(t *testing.T) {
	ts := newTestStream(t, StreamConfig{Name: "S", Duplicates: time.Second})
	id := hdr(hdrMsgID, "a")
	seq, dup, e := ts.publish("S", id, []byte("1"))
	if e != nil || dup || seq != 1 {
		t.Fatalf("first: %d %v %v", seq, dup, e)
	}
	ts.clock.Advance(500 * time.Millisecond)
	if seq, dup, _ := ts.publish("S", id, []byte("2")); !dup || seq != 1 {
		t.Fatalf("within the window: seq %d dup %v", seq, dup)
	}
	ts.clock.Advance(600 * time.Millisecond)
	if seq, dup, _ := ts.publish("S", id, []byte("3")); dup || seq != 2 {
		t.Fatalf("after the window: seq %d dup %v", seq, dup)
	}
	if n := ts.mset.dedupe.len(); n != 1 {
		t.Fatalf("ids remembered: %d, want 1", n)
	}
}

func TestExpectedHeaders(t *testing.T) {
	ts := newTestStream(t, StreamConfig{Name: "S", Subjects: []string{"s.>"}, AllowRollup: true, AllowMsgTTL: true})
	pub := func(subj string, h []byte) (uint64, *apiError) {
		seq, _, e := ts.publish(subj, h, []byte("x"))
		return seq, e
	}
	pub("s.a", hdr(hdrMsgID, "m1"))
	pub("s.b", nil)
	for _, c := range []struct {
		subj string
		h    []byte
		code uint16
	}{
		{"s.a", hdr(hdrExpectedStream, "T"), 10060},
		{"s.a", hdr(hdrExpectedLastSeq, "1"), 10071},
		{"s.a", hdr(hdrExpectedLastSubj, "2"), 10071},
		{"s.a", hdr(hdrExpectedLastSubj, "0", hdrExpectedLastSubjOn, "s.*"), 10071},
		{"s.a", hdr(hdrExpectedLastSubjOn, "s.a"), 10193},
		{"s.a", hdr(hdrExpectedLastMsgID, "m1"), 10070}, // the last message (s.b) had no id
		{"s.a", hdr(hdrRollup, "everything"), 10111},
		{"s.a", hdr(hdrTTL, "100ms"), 10165},
		{"s.a", hdr(hdrTTL, "soon"), 10165},
		{"s.a", hdr(hdrRequiredAPILevel, "99"), 10185},
	} {
		if _, e := pub(c.subj, c.h); e == nil || e.ErrCode != c.code {
			t.Errorf("%q: %v, want %d", c.h, e, c.code)
		}
	}
	// Each stores s.a at the next sequence: 3, 4 (last s.a was 3), 5
	// (last of s.* was 4), 6.
	for _, h := range [][]byte{hdr(hdrExpectedLastSeq, "2"), hdr(hdrExpectedLastSubj, "3"),
		hdr(hdrExpectedLastSubj, "4", hdrExpectedLastSubjOn, "s.*"), hdr(hdrTTL, "2s")} {
		if _, e := pub("s.a", h); e != nil {
			t.Errorf("%q: %v, want stored", h, e)
		}
	}
	if st := ts.mset.store.State(); st.Msgs != 6 || st.LastSeq != 6 {
		t.Fatalf("state: %+v", st)
	}
	if _, e := pub("s.a", hdr(hdrRollup, "all")); e != nil {
		t.Fatal(e)
	}
	if got := ts.seqs(); len(got) != 1 || got[0] != 7 {
		t.Fatalf("after a rollup of all: %v", got)
	}
}

func TestTTLExpiry(t *testing.T) {
	ts := newTestStream(t, StreamConfig{Name: "S", AllowMsgTTL: true})
	ts.publish("S", hdr(hdrTTL, "2s"), nil)
	ts.publish("S", nil, nil)
	ts.publish("S", hdr(hdrTTL, "1"), nil)
	ts.mset.scheduleExpiry()
	ts.clock.Advance(1500 * time.Millisecond)
	if got := ts.seqs(); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("after 1.5s: %v", got)
	}
	ts.clock.Advance(time.Second)
	if got := ts.seqs(); len(got) != 1 || got[0] != 2 {
		t.Fatalf("after 2.5s: %v", got)
	}
}

func TestParseTTL(t *testing.T) {
	for v, want := range map[string]int64{"1s": int64(time.Second), "90": 90 * int64(time.Second),
		"never": -1, "NEVER": -1, "1m30s": 90 * int64(time.Second)} {
		if got, ok := parseTTL(v); !ok || got != want {
			t.Errorf("parseTTL(%q) = %d %v, want %d", v, got, ok, want)
		}
	}
	for _, v := range []string{"", "999ms", "-5", "x", "1.5"} {
		if _, ok := parseTTL(v); ok {
			t.Errorf("parseTTL(%q) accepted", v)
		}
	}
}

func TestConfigChecks(t *testing.T) {
	jsa := newTestStream(t, StreamConfig{Name: "X"}).mset.jsa
	for _, c := range []struct {
		cfg      StreamConfig
		pedantic bool
		code     uint16
		reason   string
	}{
		{StreamConfig{Name: ""}, false, 10052, "stream name is required"},
		{StreamConfig{Name: "a.b"}, false, 10052, "stream name is required"},
		{StreamConfig{Name: "a/b"}, false, 10052, "stream name is required"},
		{StreamConfig{Name: string(make([]byte, 256))}, false, 10052, ""},
		{StreamConfig{Name: "A", MaxAge: -1}, false, 10052, "max age can not be negative"},
		{StreamConfig{Name: "A", MaxAge: time.Millisecond}, false, 10052, "max age needs to be >= 100ms"},
		{StreamConfig{Name: "A", MaxAge: time.Second, Duplicates: 2 * time.Second}, false, 10052, "duplicates window can not be larger then max age"},
		{StreamConfig{Name: "A", MaxAge: time.Second}, true, 10157, "duplicate window cannot be bigger than max age"},
		{StreamConfig{Name: "A", MaxMsgs: -2}, true, 10157, "max_msgs must be set to -1"},
		{StreamConfig{Name: "A", Subjects: []string{"a.>", "a.b"}}, false, 10052, `subject "a.>" overlaps with "a.b"`},
		{StreamConfig{Name: "A", Subjects: []string{">"}}, false, 10052, "capturing all subjects requires no-ack to be true"},
		{StreamConfig{Name: "A", Subjects: []string{"$JS.API.>"}}, false, 10052, "subjects that overlap with jetstream api require no-ack to be true"},
		{StreamConfig{Name: "A", DenyPurge: true, AllowRollup: true}, false, 10052, "roll-ups require the purge permission"},
		{StreamConfig{Name: "A", DiscardNewPer: true}, false, 10052, "discard new per subject requires discard new policy to be set"},
		{StreamConfig{Name: "A", Replicas: -1}, false, 10133, ""},
		{StreamConfig{Name: "A", Replicas: 6}, false, 10052, "maximum replicas is 5"},
		{StreamConfig{Name: "A", Mirror: &StreamSource{Name: "B"}}, false, 10052, "mirror is not supported by this server yet"},
		{StreamConfig{Name: "A", SubjectTransform: &SubjectTransformConfig{Source: "a.*", Destination: "b.{{wildcard(2)}}"}}, false, 10156, ""},
		{StreamConfig{Name: "A", Subjects: []string{"a.>"}, RePublish: &RePublish{Source: ">", Destination: "a.x"}}, false, 10052, "forms a cycle"},
	} {
		_, e := jsa.checkConfig(&c.cfg, c.pedantic)
		if e == nil || e.ErrCode != c.code || (c.reason != "" && !strings.Contains(e.Description, c.reason)) {
			t.Errorf("%+v pedantic %v: %v, want %d %q", c.cfg, c.pedantic, e, c.code, c.reason)
		}
	}
	cfg, e := jsa.checkConfig(&StreamConfig{Name: "D", MaxAge: time.Minute}, false)
	if e != nil || cfg.Duplicates != time.Minute || cfg.Subjects[0] != "D" || cfg.MaxMsgs != -1 ||
		cfg.Storage != FileStorage || cfg.Retention != LimitsPolicy || cfg.Compression != NoCompression {
		t.Fatalf("defaults: %+v %v", cfg, e)
	}
}

func TestUnsupportedByName(t *testing.T) {
	jsa := newTestStream(t, StreamConfig{Name: "X"}).mset.jsa
	for _, c := range []struct {
		cfg  StreamConfig
		name string
	}{
		{StreamConfig{Name: "A", AllowMsgCounter: true}, "allow_msg_counter"},
		{StreamConfig{Name: "A", Sources: []*StreamSource{{Name: "B"}}}, "sources"},
	} {
		if _, e := jsa.checkConfig(&c.cfg, false); e == nil || !strings.Contains(e.Description, c.name+" is not supported") {
			t.Errorf("%+v: %v, want a refusal naming %s", c.cfg, e, c.name)
		}
	}
	ts := newTestStream(t, StreamConfig{Name: "T", AllowMsgTTL: true})
	if _, _, e := ts.publish("T", hdr(hdrBatchID, "b1"), nil); e != nil {
		t.Fatalf("storeMsg itself does not look at batches: %v", e)
	}
	if e := batchRefusal(hdr(hdrBatchID, "b1"), "r"); e == nil || e.ErrCode != 10174 {
		t.Fatalf("atomic batch: %v", e)
	}
	if e := batchRefusal(nil, "x.y.1.2.3.4.$FI"); e == nil || e.ErrCode != 10205 {
		t.Fatalf("fast batch: %v", e)
	}
}

func TestSubjectDeleteMarkers(t *testing.T) {
	ts := newTestStream(t, StreamConfig{Name: "S", Subjects: []string{"s.*"}, MaxAge: time.Second,
		SubjectDeleteMarkerTTL: 2 * time.Second})
	if !ts.mset.cfg.AllowMsgTTL || !ts.mset.cfg.AllowRollup {
		t.Fatalf("marker TTL did not turn on TTLs and rollups: %+v", ts.mset.cfg)
	}
	ts.publish("s.a", nil, []byte("1"))
	ts.publish("s.a", nil, []byte("2"))
	ts.publish("s.b", nil, []byte("3"))
	ts.clock.Advance(1500 * time.Millisecond)
	// s.a's first ages out as usual; its last and s.b's only message are
	// replaced by markers.
	got := ts.seqs()
	if len(got) != 2 || got[0] != 4 || got[1] != 5 {
		t.Fatalf("after max_age: %v, want the two markers 4 and 5", got)
	}
	for _, seq := range got {
		m, _ := ts.mset.store.Load(seq)
		if header(m.Header, hdrMarkerReason) != "MaxAge" || header(m.Header, hdrTTL) != "2s" || len(m.Data) != 0 {
			t.Fatalf("marker %d: %+v %q", seq, m, m.Header)
		}
	}
	// max_age (1s) removes the markers before their TTL (2s) would, and
	// a marker that ages out leaves no marker of its own.
	ts.clock.Advance(3 * time.Second)
	if got := ts.seqs(); len(got) != 0 || ts.mset.store.State().LastSeq != 5 {
		t.Fatalf("after the markers expired: %v (last %d)", got, ts.mset.store.State().LastSeq)
	}
}

// TestTTLNever: a message published with Nats-TTL: never outlives
// max_age, wherever it sits among the messages that age out around it.
func TestTTLNever(t *testing.T) {
	ts := newTestStream(t, StreamConfig{Name: "T", MaxAge: time.Second, AllowMsgTTL: true})
	ts.publish("T", nil, []byte("1"))
	ts.publish("T", hdr(hdrTTL, "never"), []byte("2"))
	ts.publish("T", nil, []byte("3"))
	ts.publish("T", hdr(hdrTTL, "never"), []byte("4"))
	ts.clock.Advance(500 * time.Millisecond)
	ts.publish("T", nil, []byte("5"))
	ts.clock.Advance(600 * time.Millisecond)
	if got := ts.seqs(); !slices.Equal(got, []uint64{2, 4, 5}) {
		t.Fatalf("after the first second: %v, want 2 4 5", got)
	}
	ts.clock.Advance(time.Hour)
	if got := ts.seqs(); !slices.Equal(got, []uint64{2, 4}) {
		t.Fatalf("an hour on: %v, want the two never messages", got)
	}
	// Without allow_msg_ttl the header is refused, as any Nats-TTL is.
	plain := newTestStream(t, StreamConfig{Name: "P", MaxAge: time.Second})
	if _, _, e := plain.publish("P", hdr(hdrTTL, "never"), nil); e == nil || e.ErrCode != 10166 {
		t.Fatalf("never without allow_msg_ttl: %v", e)
	}
}
