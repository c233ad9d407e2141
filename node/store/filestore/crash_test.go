package filestore

import (
	"bytes"
	"errors"
	"maps"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"jsnode/disk"
	"jsnode/disk/faultfs"
	"jsnode/disk/memfs"
	"jsnode/node/store"
	"jsnode/node/store/storetest"
)

// op is one change, kept so that an acknowledged prefix can be replayed
// into the durable model.
type op struct {
	add     uint64 // appended seq (0: none)
	msg     storetest.ModelMsg
	removed []uint64 // removed by Remove, Purge or Compact
	last    uint64   // LastSeq after the op (Compact beyond the end)
}

// durable is what a crash must keep: the acknowledged messages, the
// acknowledged removals and the largest acknowledged sequence.
type durable struct {
	msgs    map[uint64]storetest.ModelMsg
	removed map[uint64]bool
	maxSeq  uint64
}

func (d *durable) apply(o op) {
	if o.add != 0 {
		d.msgs[o.add] = o.msg
		delete(d.removed, o.add)
	}
	for _, seq := range o.removed {
		delete(d.msgs, seq)
		d.removed[seq] = true
	}
	d.maxSeq = max(d.maxSeq, o.add, o.last)
}

// crashMachine drives a file store over a crashable, faulty disk.
type crashMachine struct {
	t      *rapid.T
	mem    *memfs.FS
	fault  error // the next write or sync fails with it, then nothing
	q      *disk.SyncQueue
	s      *Store
	m      *storetest.Model
	ops    []op
	acked  int // ops[:acked] are durable
	d      durable
	latest map[uint64]storetest.ModelMsg // the last message appended at each seq
	ts     int64
	epoch  uint64
	cfg    Config
}

func (c *crashMachine) open() {
	c.q = &disk.SyncQueue{}
	inj := faultfs.InjectorFunc(func(o faultfs.Op, _ string) error {
		if c.fault != nil && (o.IsSync() || o == faultfs.OpFileWrite || o == faultfs.OpFileWriteAt) {
			err := c.fault
			c.fault = nil
			return err
		}
		return nil
	})
	cfg := c.cfg
	cfg.Syncer = c.q
	s, err := Open(faultfs.Wrap(c.mem, inj), "js/streams/s", cfg)
	if err != nil {
		c.t.Fatalf("Open: %v", err)
	}
	c.s = s
}

// record notes an op applied to the live model.
func (c *crashMachine) record(o op) {
	c.ops = append(c.ops, o)
}

func (c *crashMachine) diff(before map[uint64]storetest.ModelMsg) []uint64 {
	var out []uint64
	for seq := range before {
		if _, ok := c.m.Msgs[seq]; !ok {
			out = append(out, seq)
		}
	}
	slices.Sort(out)
	return out
}

// failed handles an error from the store: the only errors allowed are
// the injected ones, after which the node crashes.
func (c *crashMachine) failed(err error) bool {
	if err == nil {
		return false
	}
	if !errors.Is(err, store.ErrFailed) && !errors.Is(err, disk.ErrIO) {
		c.t.Fatalf("unexpected error: %v", err)
	}
	c.crash()
	return true
}

func (c *crashMachine) append(t *rapid.T) {
	c.ts += rapid.Int64Range(0, 10).Draw(t, "dt")
	subj := rapid.SampledFrom(storetest.RapidSubjects).Draw(t, "subj")
	data := rapid.SliceOfN(rapid.Byte(), 0, 120).Draw(t, "data")
	var hdr []byte
	if rapid.Bool().Draw(t, "hdr") {
		hdr = []byte("NATS/1.0\r\n\r\n")
	}
	ttl := int64(0)
	if rapid.Bool().Draw(t, "hasTTL") {
		ttl = rapid.Int64Range(1, 100).Draw(t, "ttl")
	}
	seq, err := c.s.Append(subj, hdr, data, c.ts, ttl)
	if c.failed(err) {
		return
	}
	want := c.m.Append(subj, hdr, data, c.ts, ttl)
	if seq != want {
		t.Fatalf("Append = %d, want %d", seq, want)
	}
	c.latest[seq] = c.m.Msgs[seq]
	c.record(op{add: seq, msg: c.m.Msgs[seq]})
}

func (c *crashMachine) remove(t *rapid.T) {
	seq := rapid.Uint64Range(1, c.m.Last+1).Draw(t, "seq")
	ok, err := c.s.Remove(seq, rapid.Bool().Draw(t, "erase"))
	if ok != c.m.Remove(seq) && err == nil {
		t.Fatalf("Remove(%d) = %v", seq, ok)
	}
	if ok {
		c.record(op{removed: []uint64{seq}})
	}
	c.failed(err)
}

func (c *crashMachine) purge(t *rapid.T) {
	before := maps.Clone(c.m.Msgs)
	filter := rapid.SampledFrom(storetest.RapidFilters).Draw(t, "filter")
	upTo := rapid.Uint64Range(0, c.m.Last+2).Draw(t, "upTo")
	keep := rapid.Uint64Range(0, 3).Draw(t, "keep")
	n, err := c.s.Purge(filter, upTo, keep)
	want := c.m.Purge(filter, upTo, keep)
	c.record(op{removed: c.diff(before), last: c.m.Last})
	if !c.failed(err) && n != want {
		t.Fatalf("Purge = %d, want %d", n, want)
	}
}

func (c *crashMachine) compact(t *rapid.T) {
	before := maps.Clone(c.m.Msgs)
	seq := rapid.Uint64Range(0, c.m.Last+4).Draw(t, "seq")
	n, err := c.s.Compact(seq)
	want := c.m.Compact(seq)
	c.record(op{removed: c.diff(before), last: c.m.Last})
	if !c.failed(err) && n != want {
		t.Fatalf("Compact = %d, want %d", n, want)
	}
}

func (c *crashMachine) whenDurable(*rapid.T) {
	mark, epoch := len(c.ops), c.epoch
	c.s.WhenDurable(func(err error) {
		if err != nil || epoch != c.epoch {
			return
		}
		for _, o := range c.ops[c.acked:max(mark, c.acked)] {
			c.d.apply(o)
		}
		c.acked = max(c.acked, mark)
	})
}

func (c *crashMachine) runJob(*rapid.T) { c.q.Run() }

func (c *crashMachine) injectFault(t *rapid.T) {
	c.fault = rapid.SampledFrom([]error{disk.ErrIO, disk.ErrNoSpace}).Draw(t, "fault")
}

// crash loses power: only what a crash clone keeps survives.
func (c *crashMachine) crash() {
	c.epoch++
	c.q.Drop()
	c.fault = nil
	seed := uint64(len(c.ops))*7919 + c.epoch
	c.mem = c.mem.CrashClone(memfs.CrashOptions{
		Seed: seed, UnsyncedKeepProbability: 0.5, TornWriteProbability: 0.5, UnsyncedDirKeepProbability: 0.5,
	})
	c.open()
	if names, err := c.mem.List("js/streams/s/msgs"); err == nil {
		for _, n := range names {
			data, _ := disk.ReadFile(c.mem, "js/streams/s/msgs/"+n)
			c.t.Logf("  file %s: %d bytes", n, len(data))
		}
	}
	c.t.Logf("recovered %+v state %+v", c.s.Recovery(), c.s.State())
	c.checkRecovered()
	// what recovered is durable now: it is the new model
	c.m = storetest.NewModel(store.File)
	c.m.Last = c.s.State().LastSeq
	c.d = durable{msgs: map[uint64]storetest.ModelMsg{}, removed: c.d.removed, maxSeq: c.m.Last}
	for seq := c.s.State().FirstSeq; seq <= c.m.Last; seq++ {
		if msg, err := c.s.Load(seq); err == nil {
			// the expiry comes back from the record's TTL
			mm := storetest.ModelMsg{Subj: msg.Subject, Hdr: msg.Header, Data: msg.Data, TS: msg.Time, Exp: c.latest[seq].Exp}
			c.m.Msgs[seq] = mm
			c.d.msgs[seq] = mm
		}
	}
	c.ops, c.acked = nil, 0
}

func (c *crashMachine) checkRecovered() {
	t, s := c.t, c.s
	if r := s.Recovery(); len(r.Damaged) > 0 || len(r.Lost) > 0 {
		t.Fatalf("recovery found damage without any at rest: %+v", r)
	}
	// removals requested after the acknowledged point may or may not stick
	optional := map[uint64]bool{}
	for _, o := range c.ops[c.acked:] {
		for _, seq := range o.removed {
			optional[seq] = true
		}
	}
	st := s.State()
	if st.LastSeq < c.d.maxSeq {
		names, _ := c.mem.List("js/streams/s/msgs")
		t.Fatalf("LastSeq %d after recovery, but %d was acknowledged: sequences would repeat (%+v, files %v)",
			st.LastSeq, c.d.maxSeq, s.Recovery(), names)
	}
	for _, seq := range slices.Sorted(maps.Keys(c.d.msgs)) {
		want := c.d.msgs[seq]
		got, err := s.Load(seq)
		switch {
		case err != nil && optional[seq]:
		case err != nil:
			t.Fatalf("acknowledged message %d lost: %v", seq, err)
		case !sameMsg(got, want):
			t.Fatalf("message %d = %+v, want %+v", seq, got, want)
		}
	}
	for seq := st.FirstSeq; seq <= st.LastSeq; seq++ {
		got, err := s.Load(seq)
		if err != nil {
			continue
		}
		if c.d.removed[seq] && !c.wasReadded(seq) {
			t.Fatalf("durably removed message %d came back", seq)
		}
		if want, ok := c.latest[seq]; !ok || !sameMsg(got, want) {
			t.Fatalf("message %d = %+v was never appended there (latest %+v)", seq, got, want)
		}
	}
}

// wasReadded reports whether seq was appended again after a crash reused
// it (it was removed durably only in an earlier life).
func (c *crashMachine) wasReadded(seq uint64) bool {
	for _, o := range c.ops {
		if o.add == seq {
			return true
		}
	}
	return false
}

func sameMsg(got *store.Msg, want storetest.ModelMsg) bool {
	return got.Subject == want.Subj && bytes.Equal(got.Header, want.Hdr) &&
		bytes.Equal(got.Data, want.Data) && got.Time == want.TS
}

func (c *crashMachine) check(t *rapid.T) {
	if err := c.m.Check(c.s); err != nil {
		t.Fatal(err)
	}
	if err := c.m.CheckExpiry(c.s, c.ts+50, 1000); err != nil {
		t.Fatal(err)
	}
}

func TestCrashRapid(t *testing.T) { crashRapid(t, Config{testBlockSize: 700}) }

func TestCrashRapidCompressed(t *testing.T) {
	crashRapid(t, Config{testBlockSize: 700, Compression: S2})
}

func crashRapid(t *testing.T, cfg Config) {
	rapid.Check(t, func(t *rapid.T) {
		c := &crashMachine{t: t, mem: memfs.New(), latest: map[uint64]storetest.ModelMsg{}, cfg: cfg}
		c.d = durable{msgs: map[uint64]storetest.ModelMsg{}, removed: map[uint64]bool{}}
		c.m = storetest.NewModel(store.File)
		c.open()
		t.Repeat(map[string]func(*rapid.T){
			"append":      c.append,
			"append2":     c.append,
			"remove":      c.remove,
			"purge":       c.purge,
			"compact":     c.compact,
			"whenDurable": c.whenDurable,
			"runJob":      c.runJob,
			"runJob2":     c.runJob,
			"fault":       c.injectFault,
			"crash":       func(*rapid.T) { c.crash() },
			"":            c.check,
		})
	})
}
