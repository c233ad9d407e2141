package tcp

import (
	"io"
	"sync"
	"testing"
	"time"

	jnet "jsnode/net"
)

func TestPostRunsInOrderOnOneGoroutine(t *testing.T) {
	const posters, each = 8, 2000
	l := startLoop(t)
	next := make([]int, posters) // owned by the loop
	var wg sync.WaitGroup
	for p := range posters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				l.Post(func() {
					if next[p] != i {
						t.Errorf("poster %d: event %d ran when %d was due", p, i, next[p])
					}
					next[p]++
				})
			}
		}()
	}
	wg.Wait()
	waitFor(t, l, "all posts", func() bool {
		for _, n := range next {
			if n != each {
				return false
			}
		}
		return true
	})
}

func TestStopClosesEverything(t *testing.T) {
	l := NewLoop()
	done := make(chan struct{})
	go func() {
		l.Run()
		close(done)
	}()
	addr, accepted := listen(t, l, func(r *recorder) { r.c.Write([]byte("queued before stop")) })
	client := dial(t, addr)
	r := nextRecorder(t, accepted)
	peer := listenPlain(t)
	var dialed *recorder
	onLoop(t, l, func() any {
		l.Network().Dial(peer.Addr().String(), func(c jnet.Conn) jnet.Handler {
			dialed = &recorder{t: t, c: c}
			return dialed
		}, func(err error) { t.Errorf("dial: %v", err) })
		return nil
	})
	s, err := peer.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	waitFor(t, l, "dial", func() bool { return dialed != nil })

	l.Stop()
	select {
	case <-done:
	case <-time.After(waitLimit):
		t.Fatal("Run did not return")
	}
	// Both connections end with EOF after any queued output.
	readAllCompare(t, client, []byte("queued before stop"), true)
	if rest, err := io.ReadAll(s); err != nil || len(rest) != 0 {
		t.Fatalf("dialed peer: %d bytes, %v; want EOF", len(rest), err)
	}
	// Run has returned, so reading the handlers' state is race-free.
	if r.closed != 0 || dialed.closed != 0 {
		t.Fatalf("Closed delivered after Stop: %d, %d", r.closed, dialed.closed)
	}
	if c, err := dialPlain(addr); err == nil {
		c.Close()
		t.Fatal("listener still accepts after Run returned")
	}
	ran := false
	l.Post(func() { ran = true }) // dropped: the loop has ended
	if ran {
		t.Fatal("Post ran after Run returned")
	}
}

func TestStopFromAnEventEndsTheBatch(t *testing.T) {
	l := NewLoop()
	ranAfter := false
	l.Post(l.Stop)
	l.Post(func() { ranAfter = true })
	l.Run() // returns because the first event stopped it
	if ranAfter {
		t.Fatal("an event queued after Stop ran")
	}
}
