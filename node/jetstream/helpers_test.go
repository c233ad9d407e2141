package jetstream

import (
	"math/rand/v2"
	"time"

	"jsnode/clock"
	"jsnode/node/server"
	"jsnode/node/store"
)

// testStream is a stream on a memory store with a manual clock, without
// a server: what the stream does with a publish, checked directly.
type testStream struct {
	mset  *stream
	clock *clock.Manual
}

// tester is what the helpers need of a test (*testing.T, *rapid.T).
type tester interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

func newTestStream(t tester, cfg StreamConfig) *testStream {
	t.Helper()
	clk := clock.NewManual(time.Unix(1_800_000_000, 0))
	js := &JetStream{clock: clk, rand: rand.New(rand.NewPCG(1, 2)), accounts: map[string]*jsAccount{},
		opts: optsForTest()}
	jsa := &jsAccount{js: js, limits: UnlimitedAccount, streams: map[string]*stream{}}
	js.order = []*jsAccount{jsa}
	if cfg.Storage == "" {
		cfg.Storage = MemoryStorage
	}
	checked, e := jsa.checkConfig(&cfg, false)
	if e != nil {
		t.Fatalf("config %+v: %v", cfg, e)
	}
	mset := &stream{jsa: jsa, cfg: checked, store: store.NewMemory(store.MemoryConfig{FirstSeq: checked.FirstSeq}),
		dedupe: newDedupe(checked.Duplicates)}
	if err := mset.buildTransforms(); err != nil {
		t.Fatal(err)
	}
	jsa.streams[checked.Name] = mset
	return &testStream{mset: mset, clock: clk}
}

func (ts *testStream) publish(subj string, hdr, data []byte) (uint64, bool, *apiError) {
	return ts.mset.storeMsg(subj, hdr, data)
}

// seqs lists the stored sequences in order.
func (ts *testStream) seqs() []uint64 {
	var out []uint64
	st := ts.mset.store.State()
	for seq := st.FirstSeq; seq <= st.LastSeq && st.Msgs > 0; seq++ {
		if _, err := ts.mset.store.Load(seq); err == nil {
			out = append(out, seq)
		}
	}
	return out
}

func optsForTest() server.JetStreamOptions {
	return server.JetStreamOptions{Enabled: true, MaxMemory: 1 << 40, MaxStore: 1 << 40}
}
