package jetstream

import (
	"testing"

	"jsnode/node/store"
)

// An interest stream without consumers sequences publishes without
// keeping them; dedupe still sees the ids; a workqueue stream keeps its
// messages until a worker takes them.
func TestInterestStreamWithoutConsumersKeepsNothing(t *testing.T) {
	ts := newTestStream(t, StreamConfig{Name: "I", Subjects: []string{"i.>"}, Retention: InterestPolicy})
	for want := uint64(1); want <= 3; want++ {
		seq, dup, e := ts.publish("i.a", nil, []byte("x"))
		if e != nil || dup || seq != want {
			t.Fatalf("publish %d: seq %d dup %v err %v", want, seq, dup, e)
		}
	}
	seq, _, e := ts.publish("i.a", hdr(hdrMsgID, "id-1"), []byte("x"))
	if e != nil || seq != 4 {
		t.Fatalf("publish with id: %d %v", seq, e)
	}
	if again, dup, e := ts.publish("i.a", hdr(hdrMsgID, "id-1"), []byte("x")); e != nil || !dup || again != 4 {
		t.Fatalf("duplicate: seq %d dup %v err %v", again, dup, e)
	}
	st := ts.mset.store.State()
	if st.Msgs != 0 || st.FirstSeq != 5 || st.LastSeq != 4 || st.Bytes != 0 {
		t.Fatalf("state %+v, want empty with first 5 last 4", st)
	}
	if _, _, e := ts.publish("i.a", hdr(hdrExpectedLastSeq, "4"), nil); e != nil {
		t.Fatalf("expected last sequence 4: %v", e)
	}
}

func TestRetentionUpdates(t *testing.T) {
	ts := newTestStream(t, StreamConfig{Name: "L", Subjects: []string{"l"}})
	for range 3 {
		if _, _, e := ts.publish("l", nil, []byte("x")); e != nil {
			t.Fatal(e)
		}
	}
	jsa := ts.mset.jsa
	to := func(r Retention) *apiError {
		cfg := ts.mset.cfg
		cfg.Retention = r
		checked, e := jsa.checkUpdate(&ts.mset.cfg, &cfg, false)
		if e != nil {
			return e
		}
		ts.mset.cfg = checked
		ts.mset.dropUninterested()
		return nil
	}
	if e := to(WorkQueuePolicy); e == nil || e.ErrCode != errStreamInvalidConfig.ErrCode {
		t.Fatalf("limits to workqueue: %v, want invalid config", e)
	}
	if e := to(InterestPolicy); e != nil {
		t.Fatalf("limits to interest: %v", e)
	}
	// nobody is interested: switching drops what was kept
	if st := ts.mset.store.State(); st.Msgs != 0 || st.LastSeq != 3 {
		t.Fatalf("after the switch to interest: %+v", st)
	}
	if e := to(LimitsPolicy); e != nil {
		t.Fatalf("interest to limits: %v", e)
	}
	if seq, _, e := ts.publish("l", nil, nil); e != nil || seq != 4 {
		t.Fatalf("limits again: %d %v", seq, e)
	}
	if st := ts.mset.store.State(); st.Msgs != 1 {
		t.Fatalf("a limits stream keeps: %+v", st)
	}

	wq := newTestStream(t, StreamConfig{Name: "W", Subjects: []string{"w.*"}, Retention: WorkQueuePolicy,
		MaxMsgsPer: 2})
	for range 3 {
		if _, _, e := wq.publish("w.a", nil, nil); e != nil {
			t.Fatal(e)
		}
	}
	if st := wq.mset.store.State(); st.Msgs != 2 || st.FirstSeq != 2 {
		t.Fatalf("workqueue keeps its work within its limits: %+v", st)
	}
	if _, err := wq.mset.store.Load(1); err != store.ErrDeleted && err != store.ErrNotFound {
		t.Fatalf("seq 1 past max_msgs_per_subject: %v", err)
	}
}
