package main

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// startJSBinary runs the jsnode binary with JetStream on dir at port.
func startJSBinary(t *testing.T, dir string, port int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(buildJsnode(t), "-a", "127.0.0.1", "-p", strconv.Itoa(port), "-js", "-sd", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitFor(t, "jsnode listening", func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return cmd
}

func freeTCPPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestE2EKill9KeepsEveryAckedMessage kills a jsnode (SIGKILL) while four
// clients publish to a file stream, restarts it on the same store and
// reads back every acknowledged message at its sequence; retries of the
// unacknowledged ones (same Nats-Msg-Id) are deduplicated.
func TestE2EKill9KeepsEveryAckedMessage(t *testing.T) {
	dir, port := t.TempDir(), freeTCPPort(t)
	url := fmt.Sprintf("nats://127.0.0.1:%d", port)
	cmd := startJSBinary(t, dir, port)
	nc, err := nats.Connect(url, nats.MaxReconnects(0))
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "K", Subjects: []string{"k.>"}}); err != nil {
		t.Fatal(err)
	}
	type acked struct{ id, data string }
	var mu sync.Mutex
	got := map[uint64]acked{}
	var tried []string
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				id := fmt.Sprintf("w%d-%d", w, i)
				mu.Lock()
				tried = append(tried, id)
				mu.Unlock()
				pctx, pcancel := context.WithTimeout(context.Background(), time.Second)
				ack, err := js.Publish(pctx, fmt.Sprintf("k.%d", w), []byte("data-"+id), jetstream.WithMsgID(id))
				pcancel()
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				got[ack.Sequence] = acked{id, "data-" + id}
				mu.Unlock()
			}
		}(w)
	}
	waitFor(t, "500 acks", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) >= 500 })
	cmd.Process.Kill()
	cmd.Wait()
	wg.Wait()
	nc.Close()

	startJSBinary(t, dir, port)
	nc2, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc2.Close()
	js2, _ := jetstream.New(nc2)
	s, err := js2.Stream(ctx, "K")
	if err != nil {
		t.Fatalf("stream after kill -9: %v", err)
	}
	for seq, a := range got {
		m, err := s.GetMsg(ctx, seq)
		if err != nil || string(m.Data) != a.data || m.Header.Get("Nats-Msg-Id") != a.id {
			t.Fatalf("acked seq %d (%s) after kill -9: %+v %v", seq, a.id, m, err)
		}
	}
	// Retry every attempted id: an id already stored gets its sequence
	// back as a duplicate, so no id is ever at two sequences.
	seqOf := map[string]uint64{}
	for seq, a := range got {
		seqOf[a.id] = seq
	}
	for _, id := range tried {
		var w, i int
		fmt.Sscanf(id, "w%d-%d", &w, &i)
		ack, err := js2.Publish(ctx, fmt.Sprintf("k.%d", w), []byte("data-"+id), jetstream.WithMsgID(id))
		if err != nil {
			t.Fatalf("retry %s: %v", id, err)
		}
		if want, ok := seqOf[id]; ok && (!ack.Duplicate || ack.Sequence != want) {
			t.Fatalf("retry of acked %s: %+v, want duplicate of %d", id, ack, want)
		}
	}
	t.Logf("%d acked before kill -9, all present; %d ids retried", len(got), len(tried))
}
