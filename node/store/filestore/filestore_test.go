package filestore

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"jsnode/clock"
	"jsnode/disk"
	"jsnode/disk/faultfs"
	"jsnode/disk/memfs"
	"jsnode/node/store"
)

const testDir = "streams/s1"

func mustAppend(t *testing.T, s *Store, subj string, data string) uint64 {
	t.Helper()
	seq, err := s.Append(subj, nil, []byte(data), 1, 0)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	return seq
}

func makeDurable(t *testing.T, s *Store, q *disk.SyncQueue) {
	t.Helper()
	var got []error
	s.WhenDurable(func(err error) { got = append(got, err) })
	q.RunAll()
	if len(got) != 1 || got[0] != nil {
		t.Fatalf("WhenDurable: %v", got)
	}
}

func reopen(t *testing.T, fs disk.FS, cfg Config) (*Store, *disk.SyncQueue) {
	t.Helper()
	q := &disk.SyncQueue{}
	cfg.Syncer = q
	s, err := Open(fs, testDir, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s, q
}

func TestGroupCommit(t *testing.T) {
	s, q := reopen(t, memfs.New(), Config{})
	var order []string
	mustAppend(t, s, "a", "1")
	s.WhenDurable(func(err error) { order = append(order, fmt.Sprint("w1 ", err)) })
	if q.Pending() != 1 {
		t.Fatalf("%d jobs after the first WhenDurable, want 1", q.Pending())
	}
	// three callers while the job is in flight share the next job
	for i := 2; i <= 4; i++ {
		mustAppend(t, s, "a", "x")
		s.WhenDurable(func(err error) { order = append(order, fmt.Sprint("w", i, " ", err)) })
	}
	if q.Pending() != 1 {
		t.Fatalf("%d jobs queued while one runs, want 1", q.Pending())
	}
	q.Run()
	if fmt.Sprint(order) != "[w1 <nil>]" || q.Pending() != 1 {
		t.Fatalf("after the first job: %v, %d pending", order, q.Pending())
	}
	q.Run()
	if fmt.Sprint(order) != "[w1 <nil> w2 <nil> w3 <nil> w4 <nil>]" || q.Pending() != 0 {
		t.Fatalf("after the second job: %v, %d pending", order, q.Pending())
	}
}

func TestDurableBeforeAck(t *testing.T) {
	mem := memfs.New()
	s, q := reopen(t, mem, Config{})
	mustAppend(t, s, "a", "acked")
	makeDurable(t, s, q)
	mustAppend(t, s, "a", "not yet")
	s.WhenDurable(func(error) { t.Fatal("done ran before its sync") })
	// power loss before the job: the second message is gone, the first stays
	s2, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), Config{})
	if st := s2.State(); st.Msgs != 1 || st.LastSeq != 1 {
		t.Fatalf("after crash: %+v", st)
	}
	m, err := s2.Load(1)
	if err != nil || string(m.Data) != "acked" {
		t.Fatalf("Load(1) = %+v, %v", m, err)
	}
}

func TestSyncErrorFails(t *testing.T) {
	mem := memfs.New()
	var fault error
	fs := faultfs.Wrap(mem, faultfs.InjectorFunc(func(op faultfs.Op, _ string) error {
		if op == faultfs.OpFileSync {
			return fault
		}
		return nil
	}))
	s, q := reopen(t, fs, Config{})
	mustAppend(t, s, "a", "1")
	makeDurable(t, s, q)
	fault = disk.ErrIO
	mustAppend(t, s, "a", "2")
	var got error
	s.WhenDurable(func(err error) { got = err })
	q.RunAll()
	if !errors.Is(got, store.ErrFailed) || !errors.Is(got, disk.ErrIO) {
		t.Fatalf("done got %v, want ErrFailed wrapping EIO", got)
	}
	if _, err := s.Append("a", nil, nil, 0, 0); !errors.Is(err, store.ErrFailed) {
		t.Fatalf("Append after a failed sync: %v", err)
	}
	s.WhenDurable(func(err error) { got = err })
	if !errors.Is(got, store.ErrFailed) {
		t.Fatalf("WhenDurable after failure: %v", got)
	}
	// reads still work; reopening recovers what was durable
	if m, err := s.Load(1); err != nil || string(m.Data) != "1" {
		t.Fatalf("Load(1) = %+v, %v", m, err)
	}
	s2, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), Config{})
	if st := s2.State(); st.Msgs != 1 {
		t.Fatalf("after reopen: %+v", st)
	}
}

func TestWriteErrorFails(t *testing.T) {
	var fault error
	fs := faultfs.Wrap(memfs.New(), faultfs.InjectorFunc(func(op faultfs.Op, _ string) error {
		if op == faultfs.OpFileWrite {
			return fault
		}
		return nil
	}))
	s, _ := reopen(t, fs, Config{})
	mustAppend(t, s, "a", "1")
	fault = disk.ErrNoSpace
	var got error
	s.WhenDurable(func(err error) { got = err })
	if !errors.Is(got, store.ErrFailed) || !errors.Is(got, disk.ErrNoSpace) {
		t.Fatalf("done got %v", got)
	}
	if _, err := s.Remove(1, false); !errors.Is(err, store.ErrFailed) {
		t.Fatalf("Remove after failure: %v", err)
	}
}

func TestRelaxedMode(t *testing.T) {
	mem := memfs.New()
	clk := clock.NewManual(time.Unix(0, 0))
	s, q := reopen(t, mem, Config{Clock: clk, SyncInterval: time.Second})
	mustAppend(t, s, "a", "1")
	ran := 0
	s.WhenDurable(func(err error) { ran += btoi(err == nil) })
	mustAppend(t, s, "a", "2")
	s.WhenDurable(func(err error) { ran += btoi(err == nil) })
	if ran != 0 {
		t.Fatal("relaxed WhenDurable answered inside the event, before the write")
	}
	clk.Advance(0) // the end of the event: one write answers both
	if ran != 2 || q.Pending() != 0 {
		t.Fatalf("relaxed WhenDurable: %d answered, %d jobs", ran, q.Pending())
	}
	// not durable until the timer's sync
	if st := mustOpen(t, mem.CrashClone(memfs.CrashOptions{})).State(); st.Msgs != 0 {
		t.Fatalf("before the timer: %+v", st)
	}
	clk.Advance(time.Second)
	if q.Pending() != 1 {
		t.Fatalf("%d jobs after the interval, want 1", q.Pending())
	}
	q.RunAll()
	if st := mustOpen(t, mem.CrashClone(memfs.CrashOptions{})).State(); st.Msgs != 2 {
		t.Fatalf("after the timer's sync: %+v", st)
	}
	if err := s.Stop(); err != nil || clk.Pending() != 0 {
		t.Fatalf("Stop: %v, %d timers", err, clk.Pending())
	}
}

func mustOpen(t *testing.T, fs disk.FS) *Store {
	s, _ := reopen(t, fs, Config{})
	return s
}

func TestConfig(t *testing.T) {
	if _, err := Open(memfs.New(), testDir, Config{}); err == nil {
		t.Fatal("Open without a Syncer succeeded")
	}
	if _, err := Open(memfs.New(), testDir, Config{Syncer: &disk.SyncQueue{}, SyncInterval: time.Second}); err == nil {
		t.Fatal("relaxed mode without a Clock succeeded")
	}
	for in, want := range map[int64]int64{0: DefaultBlockSize, 1: MinBlockSize, 1 << 40: MaxBlockSize, 100 << 10: 100 << 10} {
		s, _ := reopen(t, memfs.New(), Config{BlockSize: in})
		if s.cfg.BlockSize != want {
			t.Errorf("BlockSize %d became %d, want %d", in, s.cfg.BlockSize, want)
		}
	}
	mem := memfs.New()
	s, q := reopen(t, mem, Config{FirstSeq: 100})
	if st := s.State(); st.FirstSeq != 100 || st.LastSeq != 99 {
		t.Fatalf("FirstSeq 100: %+v", st)
	}
	makeDurable(t, s, q)
	s2, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), Config{FirstSeq: 5})
	if seq := mustAppend(t, s2, "a", "x"); seq != 100 {
		t.Fatalf("first append after reopen = %d, want 100", seq)
	}
	// a store that crashed before its first block is still new
	empty := memfs.New()
	if err := empty.MkdirAll(testDir + "/msgs"); err != nil {
		t.Fatal(err)
	}
	s3, _ := reopen(t, empty, Config{FirstSeq: 7})
	if st := s3.State(); st.FirstSeq != 7 || st.LastSeq != 6 {
		t.Fatalf("FirstSeq 7 over an empty directory: %+v", st)
	}
}

func TestBlocksRotateAndRecover(t *testing.T) {
	mem := memfs.New()
	s, q := reopen(t, mem, Config{testBlockSize: 1024})
	for i := 1; i <= 200; i++ {
		mustAppend(t, s, fmt.Sprintf("s.%d", i%7), fmt.Sprintf("message %d", i))
	}
	makeDurable(t, s, q)
	names, _ := mem.List(testDir + "/msgs")
	if len(names) < 5 {
		t.Fatalf("200 messages in %d blocks of 1 KiB", len(names))
	}
	s2, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), Config{testBlockSize: 1024})
	for i := uint64(1); i <= 200; i++ {
		m, err := s2.Load(i)
		if err != nil || string(m.Data) != fmt.Sprintf("message %d", i) || m.Subject != fmt.Sprintf("s.%d", i%7) {
			t.Fatalf("Load(%d) = %+v, %v", i, m, err)
		}
	}
	if got, want := s2.SubjectState("s.3"), s.SubjectState("s.3"); got != want {
		t.Fatalf("subject index after recovery %+v, want %+v", got, want)
	}
	if s2.State() != s.State() {
		t.Fatalf("State after recovery %+v, want %+v", s2.State(), s.State())
	}
}

func TestDeleteRemovesDirectory(t *testing.T) {
	mem := memfs.New()
	s, q := reopen(t, mem, Config{})
	mustAppend(t, s, "a", "1")
	makeDurable(t, s, q)
	if err := s.Delete(); err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Stat(testDir); !errors.Is(err, disk.ErrNotExist) {
		t.Fatalf("Stat after Delete: %v", err)
	}
}

// A waiter that arrives while a job runs is written by the next job; a
// write error there reaches it (it must not wait forever).
func TestWriteErrorReachesQueuedWaiter(t *testing.T) {
	var fault error
	fs := faultfs.Wrap(memfs.New(), faultfs.InjectorFunc(func(op faultfs.Op, _ string) error {
		if op == faultfs.OpFileWrite {
			return fault
		}
		return nil
	}))
	s, q := reopen(t, fs, Config{})
	mustAppend(t, s, "a", "1")
	var first, second error
	ran := 0
	s.WhenDurable(func(err error) { first, ran = err, ran+1 })
	mustAppend(t, s, "a", "2")
	s.WhenDurable(func(err error) { second, ran = err, ran+1 })
	fault = disk.ErrNoSpace // the second message's write fails in the next job
	q.RunAll()
	if ran != 2 || first != nil || !errors.Is(second, disk.ErrNoSpace) {
		t.Fatalf("first %v, second %v, %d ran", first, second, ran)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestSyscallsPerCommit: appends make no system call; a commit makes one
// write and one sync (plus a directory sync when it covers a new block);
// a full buffer is written once it passes flushBytes.
func TestSyscallsPerCommit(t *testing.T) {
	counts := map[faultfs.Op]int{}
	fs := faultfs.Wrap(memfs.New(), faultfs.InjectorFunc(func(op faultfs.Op, _ string) error {
		counts[op]++
		return nil
	}))
	s, q := reopen(t, fs, Config{})
	makeDurable(t, s, q) // the new store's directories
	clear(counts)
	data := make([]byte, 100)
	for range 1000 {
		if _, err := s.Append("a", nil, data, 1, 0); err != nil {
			t.Fatal(err)
		}
	}
	if len(counts) != 0 {
		t.Fatalf("1000 appends made calls: %v", counts)
	}
	for range 3 {
		s.WhenDurable(func(error) {}) // three callers, one commit in flight
	}
	q.RunAll()
	if counts[faultfs.OpFileWrite] != 1 || counts[faultfs.OpFileSync] != 1 || counts[faultfs.OpSyncDir] != 0 || q.Pending() != 0 {
		t.Fatalf("commit calls: %v, %d jobs left; want 1 write, 1 sync", counts, q.Pending())
	}
	clear(counts)
	for range 3000 { // about 400 KiB
		s.Append("a", nil, data, 1, 0)
	}
	if counts[faultfs.OpFileWrite] != 1 || counts[faultfs.OpFileSync] != 0 {
		t.Fatalf("a full buffer: %v; want one write, no sync", counts)
	}
}

// After a process crash, what recovery finds in the page cache is served,
// so it must be made durable before Open returns: a power loss right
// after the restart must not take back what the restarted store served
// (a retry deduplicated against it would be acknowledged).
func TestRecoveredRecordsAreSynced(t *testing.T) {
	mem := memfs.New()
	s, q := reopen(t, mem, Config{testBlockSize: 1024})
	mustAppend(t, s, "a", "durable")
	makeDurable(t, s, q)
	for i := 0; i < 40; i++ { // several blocks, none synced
		mustAppend(t, s, "a", fmt.Sprintf("written %02d", i))
	}
	s.flush()
	// The process dies: the writes stay in the page cache (mem as is).
	s2, _ := reopen(t, mem, Config{testBlockSize: 1024})
	served := s2.State()
	if served.Msgs != 41 {
		t.Fatalf("after the process crash: %+v", served)
	}
	// Then the power goes: only what is synced stays.
	s3, _ := reopen(t, mem.CrashClone(memfs.CrashOptions{}), Config{testBlockSize: 1024})
	if got := s3.State(); got.Msgs != served.Msgs || got.LastSeq != served.LastSeq {
		t.Fatalf("power loss after the restart took back served records: %+v, served %+v", got, served)
	}
}

// A WhenDurable with nothing unsynced answers at once: reads that wait
// for durability (MSG.GET, DIRECT.GET) cost no sync job when there is
// nothing to sync.
func TestWhenDurableWithNothingPending(t *testing.T) {
	s, q := reopen(t, memfs.New(), Config{})
	mustAppend(t, s, "a", "1")
	makeDurable(t, s, q)
	ran := false
	s.WhenDurable(func(err error) { ran = err == nil })
	if !ran || q.Pending() != 0 {
		t.Fatalf("nothing pending: answered %v, %d jobs queued", ran, q.Pending())
	}
}

// A message whose record would pass the bound recovery reads bodies up to
// is refused, rather than stored and later taken for damage.
func TestAppendTooLarge(t *testing.T) {
	s, q := reopen(t, memfs.New(), Config{})
	if _, err := s.Append("a", nil, make([]byte, recordBodyMax), 1, 0); !errors.Is(err, store.ErrTooLarge) {
		t.Fatalf("Append of a %d-byte body: %v, want ErrTooLarge", recordBodyMax, err)
	}
	if seq := mustAppend(t, s, "a", "small"); seq != 1 {
		t.Fatalf("next append got seq %d, want 1 (nothing was stored)", seq)
	}
	makeDurable(t, s, q)
}
