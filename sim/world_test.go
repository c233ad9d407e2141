package sim

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestTimersOrderAndStop(t *testing.T) {
	w := NewWorld(1, Options{})
	h := w.Host("a")
	var got []string
	h.Clock().AfterFunc(20*time.Millisecond, func() { got = append(got, "20ms") })
	h.Clock().AfterFunc(10*time.Millisecond, func() { got = append(got, "10ms-a") })
	h.Clock().AfterFunc(10*time.Millisecond, func() { got = append(got, "10ms-b") })
	stopped := h.Clock().AfterFunc(15*time.Millisecond, func() { got = append(got, "stopped") })
	zero := h.Clock().AfterFunc(0, func() { got = append(got, "0") })
	if len(got) != 0 {
		t.Fatalf("AfterFunc(0) ran inside the call: %v", got)
	}
	if !stopped.Stop() {
		t.Fatal("Stop of a pending timer returned false")
	}
	if stopped.Stop() {
		t.Fatal("second Stop returned true")
	}
	w.RunFor(time.Second)
	want := "0,10ms-a,10ms-b,20ms"
	if s := strings.Join(got, ","); s != want {
		t.Fatalf("timer order %q, want %q", s, want)
	}
	if zero.Stop() {
		t.Fatal("Stop after firing returned true")
	}
	if w.Elapsed() != time.Second {
		t.Fatalf("elapsed %v after RunFor(1s)", w.Elapsed())
	}
}

func TestClockSkewWithinBound(t *testing.T) {
	opts := Options{MaxSkew: 100 * time.Millisecond}
	w := NewWorld(7, opts)
	distinct := map[time.Duration]bool{}
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		h := w.Host(name)
		skew := h.Clock().Now().Sub(w.Now())
		if skew < -opts.MaxSkew || skew > opts.MaxSkew {
			t.Fatalf("host %s skew %v outside ±%v", name, skew, opts.MaxSkew)
		}
		distinct[skew] = true
	}
	if len(distinct) < 2 {
		t.Fatalf("all hosts drew the same skew")
	}
}

func TestCrashCancelsTimersAndRestartGetsFreshClock(t *testing.T) {
	w := NewWorld(1, Options{})
	h := w.Host("a")
	fired := 0
	oldClock := h.Clock()
	oldClock.AfterFunc(time.Second, func() { fired++ })
	w.RunFor(500 * time.Millisecond)
	w.Crash("a")
	oldClock.AfterFunc(time.Millisecond, func() { fired++ })
	w.Restart("a")
	oldClock.AfterFunc(time.Millisecond, func() { fired++ })
	h.Clock().AfterFunc(time.Second, func() { fired += 10 })
	w.RunFor(5 * time.Second)
	if fired != 10 {
		t.Fatalf("fired=%d: want only the new incarnation's timer (10)", fired)
	}
	if h.Incarnation() != 2 || h.Crashes() != 1 {
		t.Fatalf("incarnation %d crashes %d", h.Incarnation(), h.Crashes())
	}
}

func TestRunUntil(t *testing.T) {
	w := NewWorld(1, Options{})
	h := w.Host("a")
	n := 0
	var tick func()
	tick = func() {
		n++
		h.Clock().AfterFunc(time.Second, tick)
	}
	tick()
	if !w.RunUntil(func() bool { return n == 5 }, time.Minute) {
		t.Fatalf("condition not reached, n=%d", n)
	}
	if w.Elapsed() != 4*time.Second {
		t.Fatalf("stopped at %v, want 4s", w.Elapsed())
	}
	if w.RunUntil(func() bool { return n == 100 }, 10*time.Second) {
		t.Fatal("condition reported true past the limit")
	}
	if w.Elapsed() != 14*time.Second {
		t.Fatalf("clock at %v after limit, want 14s", w.Elapsed())
	}
}

func TestBuggifyPerSeedActivation(t *testing.T) {
	const seeds = 400
	active := 0
	for s := uint64(1); s <= seeds; s++ {
		w := NewWorld(s, Options{})
		fires := 0
		for i := 0; i < 200; i++ {
			if w.Buggify("site-x") {
				fires++
			}
		}
		if fires > 0 {
			active++
			if fires < 20 || fires > 90 {
				t.Fatalf("seed %d: active site fired %d/200 times, want about 50", s, fires)
			}
		}
		if NewWorld(s, Options{NoBuggify: true}).Buggify("site-x") {
			t.Fatal("Buggify fired with NoBuggify")
		}
	}
	if active < seeds/8 || active > seeds/2 {
		t.Fatalf("site active for %d of %d seeds, want about a quarter", active, seeds)
	}
}

func TestHostStreamsIndependentOfOtherEvents(t *testing.T) {
	draw := func(extra bool) uint64 {
		w := NewWorld(3, Options{})
		a := w.Host("a")
		b := w.Host("b")
		if extra {
			for i := 0; i < 10; i++ {
				a.Rand().Uint64()
				w.Rand().Uint64()
			}
		}
		return b.Rand().Uint64()
	}
	if draw(false) != draw(true) {
		t.Fatal("draws on other streams perturbed host b's stream")
	}
}

func TestTraceWriterAndHash(t *testing.T) {
	run := func(seed uint64) (string, string) {
		var buf bytes.Buffer
		w := NewWorld(seed, Options{Trace: &buf})
		h := w.Host("a")
		h.Clock().AfterFunc(time.Millisecond, func() { h.Log().Noticef("hello %d", 42) })
		w.RunFor(time.Second)
		return w.TraceHash(), buf.String()
	}
	h1, tr := run(1)
	h2, _ := run(1)
	if h1 != h2 || len(h1) != 16 {
		t.Fatalf("hashes %q %q", h1, h2)
	}
	if !strings.Contains(tr, `0.001000000s a log len=14 "[INF] hello 42"`) {
		t.Fatalf("trace lacks the log line:\n%s", tr)
	}
}

func TestCrashKeepsSyncedDataOnly(t *testing.T) {
	w := NewWorld(1, Options{})
	h := w.Host("a")
	write := func(name, data string, sync bool) {
		f, err := h.FS().Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(data)); err != nil {
			t.Fatal(err)
		}
		if sync {
			if err := f.Sync(); err != nil {
				t.Fatal(err)
			}
		}
		f.Close()
	}
	if err := h.FS().MkdirAll("d"); err != nil {
		t.Fatal(err)
	}
	write("d/synced", "durable", true)
	if err := h.FS().SyncDir("d"); err != nil {
		t.Fatal(err)
	}
	before := h.FS()
	w.Crash("a")
	w.Restart("a")
	if h.FS() == before {
		t.Fatal("crash did not replace the disk with its crash clone")
	}
	f, err := h.FS().Open("d/synced")
	if err != nil {
		t.Fatalf("synced file lost: %v", err)
	}
	buf := make([]byte, 16)
	n, _ := f.Read(buf)
	if string(buf[:n]) != "durable" {
		t.Fatalf("synced file holds %q", buf[:n])
	}
}
