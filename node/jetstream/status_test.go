package jetstream

import (
	"errors"
	"testing"

	"jsnode/disk"
	"jsnode/disk/memfs"
	"jsnode/node/store"
)

// failingStore is a store whose writes failed.
type failingStore struct {
	store.Store
	err error
}

func (f failingStore) Err() error { return f.err }

func TestStatusReportsAFailedStore(t *testing.T) {
	ts := newTestStream(t, StreamConfig{Name: "S"})
	js := ts.mset.js()
	js.accounts["A"] = ts.mset.jsa
	if _, _, e := ts.publish("S", nil, []byte("x")); e != nil {
		t.Fatal(e)
	}
	st, err := js.Status("A", "S")
	if err != nil || st.Err != nil || st.State.LastSeq != 1 {
		t.Fatalf("Status = %+v, %v; want last 1, no error", st, err)
	}
	failure := errors.Join(store.ErrFailed, disk.ErrIO)
	ts.mset.store = failingStore{ts.mset.store, failure}
	if st, _ := js.Status("A", "S"); !errors.Is(st.Err, disk.ErrIO) {
		t.Fatalf("Status.Err = %v, want the store's failure", st.Err)
	}
	if _, err := js.Status("A", "T"); !errors.Is(err, ErrNoStream) {
		t.Fatalf("Status of a missing stream: %v", err)
	}
}

// TestGetErrorTellsMissingFromFailed: only a message that is not there
// is "no message found"; an I/O error may hide one that is.
func TestGetErrorTellsMissingFromFailed(t *testing.T) {
	for _, c := range []struct {
		err  error
		code uint16
	}{
		{store.ErrNotFound, errNoMessageFound.ErrCode},
		{store.ErrDeleted, errNoMessageFound.ErrCode},
		{store.ErrCorrupt, errNoMessageFound.ErrCode},
		{disk.ErrIO, errStreamStoreFailed.ErrCode},
		{store.ErrStopped, errStreamStoreFailed.ErrCode},
	} {
		if got := getError(c.err); got.ErrCode != c.code {
			t.Errorf("getError(%v) = %d, want %d", c.err, got.ErrCode, c.code)
		}
	}
}

// TestMetaSurvivesAPowerLoss: once writeMeta returns (the create is
// answered), the stream's directory path is durable, new ancestors
// included, even before its store has synced anything.
func TestMetaSurvivesAPowerLoss(t *testing.T) {
	ts := newTestStream(t, StreamConfig{Name: "S"})
	mem := memfs.New()
	ts.mset.js().fs = mem
	ts.mset.dir = "jetstream/A/streams/S"
	if err := ts.mset.jsa.writeMeta(ts.mset); err != nil {
		t.Fatal(err)
	}
	after := mem.CrashClone(memfs.CrashOptions{Seed: 1})
	if _, err := disk.ReadFile(after, ts.mset.dir+"/"+metaFile); err != nil {
		t.Fatalf("meta.inf after a power loss: %v", err)
	}
}
