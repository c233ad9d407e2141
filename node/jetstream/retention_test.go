package jetstream

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"jsnode/node/store"
)

// modelMsg is one message of the naive retention model.
type modelMsg struct {
	seq   uint64
	subj  string
	size  uint64
	ts    int64
	exp   int64 // ts+ttl, 0: none
	never bool  // Nats-TTL: never, spared by max_age
}

// retentionModel is what a limits stream should hold, written as plainly
// as possible: a list, filtered by the rules one after another.
type retentionModel struct {
	cfg  StreamConfig
	msgs []modelMsg
	last uint64
}

func (m *retentionModel) count(subj string) (n int) {
	for _, x := range m.msgs {
		if x.subj == subj {
			n++
		}
	}
	return n
}

func (m *retentionModel) bytes() (n uint64) {
	for _, x := range m.msgs {
		n += x.size
	}
	return n
}

// publish applies discard new, stores, then the discard-old limits.
func (m *retentionModel) publish(x modelMsg) bool {
	c := &m.cfg
	if c.Discard == DiscardNew {
		if (c.MaxMsgs > 0 && len(m.msgs)+1 > int(c.MaxMsgs)) ||
			(c.MaxBytes > 0 && m.bytes()+x.size > uint64(c.MaxBytes)) ||
			(c.DiscardNewPer && c.MaxMsgsPer > 0 && m.count(x.subj)+1 > int(c.MaxMsgsPer)) {
			return false
		}
	}
	m.last++
	x.seq = m.last
	if c.Retention == InterestPolicy {
		return true // no consumer: sequenced, not kept
	}
	m.msgs = append(m.msgs, x)
	if c.MaxMsgsPer > 0 {
		for m.count(x.subj) > int(c.MaxMsgsPer) {
			i := slices.IndexFunc(m.msgs, func(y modelMsg) bool { return y.subj == x.subj })
			m.msgs = slices.Delete(m.msgs, i, i+1)
		}
	}
	for len(m.msgs) > 0 && ((c.MaxMsgs > 0 && len(m.msgs) > int(c.MaxMsgs)) ||
		(c.MaxBytes > 0 && m.bytes() > uint64(c.MaxBytes))) {
		m.msgs = m.msgs[1:]
	}
	return true
}

// expire removes what passed max_age or its TTL at now.
func (m *retentionModel) expire(now int64) {
	m.msgs = slices.DeleteFunc(m.msgs, func(x modelMsg) bool {
		return (m.cfg.MaxAge > 0 && !x.never && x.ts <= now-int64(m.cfg.MaxAge)) || (x.exp != 0 && x.exp <= now)
	})
}

// TestRetentionMatchesModel: for random limits and random publishes,
// TTLs and clock steps, the stream holds exactly the messages the naive
// model says, at the same sequences, and refuses exactly the publishes
// the model refuses.
func TestRetentionMatchesModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		cfg := StreamConfig{Name: "R", Subjects: []string{"r.*"}, AllowMsgTTL: true,
			MaxMsgs:    rapid.Int64Range(-1, 8).Draw(rt, "max_msgs"),
			MaxBytes:   rapid.Int64Range(-1, 900).Draw(rt, "max_bytes"),
			MaxMsgsPer: rapid.Int64Range(-1, 3).Draw(rt, "max_per"),
			Discard:    rapid.SampledFrom([]Discard{DiscardOld, DiscardNew}).Draw(rt, "discard"),
			Retention: rapid.SampledFrom([]Retention{LimitsPolicy, LimitsPolicy, WorkQueuePolicy,
				InterestPolicy}).Draw(rt, "retention"),
		}
		if rapid.Bool().Draw(rt, "max_age") {
			cfg.MaxAge = time.Duration(rapid.IntRange(1, 5).Draw(rt, "age_s")) * time.Second
		}
		if cfg.Discard == DiscardNew && cfg.MaxMsgsPer > 0 {
			cfg.DiscardNewPer = rapid.Bool().Draw(rt, "new_per")
		}
		ts := newTestStream(rt, cfg)
		model := &retentionModel{cfg: ts.mset.cfg}
		for i, n := 0, rapid.IntRange(1, 60).Draw(rt, "ops"); i < n; i++ {
			if rapid.IntRange(0, 4).Draw(rt, "op") == 0 {
				step := time.Duration(rapid.IntRange(0, 3000).Draw(rt, "ms")) * time.Millisecond
				ts.clock.Advance(step)
				model.expire(ts.clock.Now().UnixNano())
			} else {
				subj := fmt.Sprintf("r.%d", rapid.IntRange(0, 2).Draw(rt, "subj"))
				data := make([]byte, rapid.IntRange(0, 120).Draw(rt, "size"))
				var h []byte
				var exp int64
				now := ts.clock.Now().UnixNano()
				ttl := rapid.IntRange(-1, 4).Draw(rt, "ttl_s")
				switch {
				case ttl > 0:
					h = hdr(hdrTTL, fmt.Sprint(ttl))
					exp = now + int64(ttl)*int64(time.Second)
				case ttl < 0:
					h = hdr(hdrTTL, "never")
				}
				_, _, e := ts.publish(subj, h, data)
				ok := model.publish(modelMsg{subj: subj, size: store.MsgSize(store.Memory, subj, h, data), ts: now, exp: exp, never: ttl < 0})
				if (e == nil) != ok {
					rt.Fatalf("publish %d to %s: stream error %v, model accepted %v", i, subj, e, ok)
				}
			}
			var want []uint64
			for _, x := range model.msgs {
				want = append(want, x.seq)
			}
			if got := ts.seqs(); !slices.Equal(got, want) {
				rt.Fatalf("after op %d: stream holds %v, model %v (cfg %+v)", i, got, want, model.cfg)
			}
			if st := ts.mset.store.State(); st.Bytes != model.bytes() || st.LastSeq != model.last {
				rt.Fatalf("after op %d: bytes %d last %d, model %d %d", i, st.Bytes, st.LastSeq, model.bytes(), model.last)
			}
			if u := ts.mset.jsa.used[store.Memory]; u != model.bytes() || ts.mset.js().used[store.Memory] != u {
				rt.Fatalf("after op %d: account counts %d bytes, server %d, model %d", i, u, ts.mset.js().used[store.Memory], model.bytes())
			}
		}
	})
}
