package jetstream

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzAPIRequest sends arbitrary API subjects and bodies to an account
// holding one stream with messages. Nothing may panic, every answer is
// JSON, and a request answered with an error leaves the streams as they
// were.
func FuzzAPIRequest(f *testing.F) {
	for _, c := range [][2]string{
		{"STREAM.CREATE.S2", `{"name":"S2","subjects":["b.>"],"storage":"memory","max_msgs":5}`},
		{"STREAM.CREATE.S2", `{"name":"S2","subjects":["a.>"],"storage":"memory"}`},
		{"STREAM.UPDATE.S", `{"name":"S","subjects":["a.>"],"storage":"memory","max_msgs_per_subject":1}`},
		{"STREAM.UPDATE.S", `{"name":"S","storage":"file"}`},
		{"STREAM.INFO.S", `{"subjects_filter":">","deleted_details":true,"offset":-3}`},
		{"STREAM.PURGE.S", `{"filter":"a.1","keep":1}`},
		{"STREAM.PURGE.S", `{"seq":18446744073709551615}`},
		{"STREAM.MSG.GET.S", `{"next_by_subj":"a.*","seq":2}`},
		{"STREAM.MSG.GET.S", `{"start_time":"2020-01-01T00:00:00Z","next_by_subj":">"}`},
		{"STREAM.MSG.DELETE.S", `{"seq":2}`},
		{"STREAM.NAMES", `{"offset":99999999,"subject":"a.*"}`},
		{"STREAM.LIST", `{"offset":-1}`},
		{"STREAM.DELETE.S", ``},
		{"INFO", `{}`},
		{"STREAM.CREATE.S3", `{"name":"S3","subjects":["c"],"storage":"memory","pedantic":true,"x":1}`},
		{"STREAM.CREATE.S3", `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`},
		{"STREAM.CREATE.S3", `{"name":"S3","max_age":-9223372036854775808}`},
		{"DIRECT.GET.S", `{"multi_last":["a.>"],"batch":2}`},
		{"DIRECT.GET.S.a.1", ``},
	} {
		f.Add(c[0], []byte(c[1]))
	}
	f.Fuzz(func(t *testing.T, tail string, body []byte) {
		tj := newTestJS(t)
		if r := tj.api("$JS.API.STREAM.CREATE.S", `{"name":"S","subjects":["a.*"],"storage":"memory","allow_direct":true}`); errCodeOf(r) != 0 {
			t.Fatalf("setup: %v", r)
		}
		for _, s := range []string{"a.1", "a.2", "a.1"} {
			tj.request(s, nil, []byte(s))
		}
		before := snapshot(tj)
		m := tj.request("$JS.API."+tail, nil, body)
		if m == nil {
			return
		}
		var resp map[string]any
		if json.Unmarshal(m.Data, &resp) != nil {
			if m.Header != nil { // a direct get answers with a message or a status
				return
			}
			t.Fatalf("%q %q: answer is not JSON: %q", tail, body, m.Data)
		}
		if errCodeOf(resp) != 0 && !reflect.DeepEqual(before, snapshot(tj)) {
			t.Fatalf("%q %q failed (%v) but changed the streams", tail, body, resp["error"])
		}
	})
}

// snapshot is every stream's config and state.
func snapshot(tj *testJS) map[string]any {
	out := map[string]any{}
	for name, mset := range tj.jsa.streams {
		st := mset.store.State()
		out[name] = []any{mset.cfg, st.Msgs, st.Bytes, st.FirstSeq, st.LastSeq, st.NumDeleted}
	}
	return out
}
