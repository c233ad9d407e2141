package jetstream

import (
	"encoding/json"
	"strings"
	"testing"

	"jsnode/disk"
	"jsnode/disk/memfs"
)

// newFileTestJS is newTestJS with a file store on memfs whose syncs run
// only when the test says (q.RunAll), so a test can see whether an answer
// waited for the sync.
func newFileTestJS(t *testing.T) (*testJS, *disk.SyncQueue) {
	tj := newTestJS(t)
	q := &disk.SyncQueue{}
	tj.js.fs, tj.js.syncer = memfs.New(), q
	return tj, q
}

// durableAnswer sends a request and checks that it is answered only once
// the pending syncs have run, then with success.
func durableAnswer(t *testing.T, tj *testJS, q *disk.SyncQueue, subj, body string) {
	t.Helper()
	start := len(tj.acc.sent)
	tj.acc.Publish(subj, "_INBOX.durable", nil, []byte(body))
	if len(tj.acc.sent) != start {
		t.Fatalf("%s answered before its change was synced: %s", subj, tj.acc.sent[start].Data)
	}
	q.RunAll()
	if len(tj.acc.sent) != start+1 {
		t.Fatalf("%s: %d answers after the sync, want 1", subj, len(tj.acc.sent)-start)
	}
	var resp map[string]any
	json.Unmarshal(tj.acc.sent[start].Data, &resp)
	if resp["error"] != nil || resp["success"] != true {
		t.Fatalf("%s: %s", subj, tj.acc.sent[start].Data)
	}
}

// TestRemovalsAnsweredOnlyWhenDurable: a message delete or a purge is
// acknowledged only after the sync covering its tombstone or first
// record. Found by the FUSE power-cut test (TestE2EPowerCutAfterRemoval,
// delete-msgs): the answer went out at once, and a power cut right after
// it brought the deleted messages back.
func TestRemovalsAnsweredOnlyWhenDurable(t *testing.T) {
	for _, tc := range []struct{ name, subj, body string }{
		{"delete", "$JS.API.STREAM.MSG.DELETE.F", `{"seq":2,"no_erase":true}`},
		{"erase", "$JS.API.STREAM.MSG.DELETE.F", `{"seq":3}`},
		{"purge-all", "$JS.API.STREAM.PURGE.F", `{}`},
		{"purge-subject", "$JS.API.STREAM.PURGE.F", `{"filter":"f.a"}`},
		{"purge-keep", "$JS.API.STREAM.PURGE.F", `{"keep":1}`},
		{"purge-seq", "$JS.API.STREAM.PURGE.F", `{"seq":3}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tj, q := newFileTestJS(t)
			if r := tj.api("$JS.API.STREAM.CREATE.F", `{"name":"F","subjects":["f.>"],"storage":"file"}`); r == nil || r["error"] != nil {
				t.Fatalf("create: %v", r)
			}
			for i := 0; i < 4; i++ {
				tj.acc.Publish("f."+strings.Repeat("a", 1+i%2), "_INBOX.pub", nil, []byte("x"))
			}
			q.RunAll()
			durableAnswer(t, tj, q, tc.subj, tc.body)
		})
	}
}

// TestDirectGetWaitsForDurability: a direct get of a message not yet
// synced is answered only once it is, like STREAM.MSG.GET; with nothing
// pending it is answered at once.
func TestDirectGetWaitsForDurability(t *testing.T) {
	tj, q := newFileTestJS(t)
	if r := tj.api("$JS.API.STREAM.CREATE.F", `{"name":"F","subjects":["f.>"],"storage":"file","allow_direct":true}`); r == nil || r["error"] != nil {
		t.Fatalf("create: %v", r)
	}
	q.RunAll()
	tj.acc.Publish("f.a", "", nil, []byte("unsynced")) // no reply: nothing waits for it
	start := len(tj.acc.sent)
	tj.acc.Publish("$JS.API.DIRECT.GET.F.f.a", "_INBOX.dg", nil, nil)
	if len(tj.acc.sent) != start {
		t.Fatalf("direct get answered before its message was synced: %q", tj.acc.sent[start].Data)
	}
	q.RunAll()
	if len(tj.acc.sent) != start+1 || string(tj.acc.sent[start].Data) != "unsynced" {
		t.Fatalf("after the sync: %d answers", len(tj.acc.sent)-start)
	}
	tj.acc.Publish("$JS.API.DIRECT.GET.F.f.a", "_INBOX.dg", nil, nil)
	if len(tj.acc.sent) != start+2 || q.Pending() != 0 {
		t.Fatalf("nothing pending: %d answers, %d jobs", len(tj.acc.sent)-start-1, q.Pending())
	}
}
