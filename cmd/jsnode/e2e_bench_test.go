package main

import (
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"jsnode/node/server"
)

// Throughput benchmarks through nats.go over loopback TCP. They run
// against a fresh node, or against the server at $JSNODE_BENCH_URL (for
// example a nats-server, to compare).
//
//	go test ./cmd/jsnode -run '^$' -bench PubSub -benchtime 1000000x

func benchURL(b *testing.B) string {
	if u := os.Getenv("JSNODE_BENCH_URL"); u != "" {
		return u
	}
	n, err := startNode(&server.Options{Host: "127.0.0.1", Port: -1}, &memLog{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(n.Shutdown)
	return n.ClientURL()
}

func benchConnect(b *testing.B, url string) *nats.Conn {
	nc, err := nats.Connect(url, nats.ReconnectBufSize(-1))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nc.Close)
	return nc
}

func benchPubSub(b *testing.B, size, subscribers int) {
	url := benchURL(b)
	var got atomic.Int64
	want := int64(b.N) * int64(subscribers)
	done := make(chan struct{})
	for i := 0; i < subscribers; i++ {
		sc := benchConnect(b, url)
		sub, err := sc.Subscribe("bench", func(*nats.Msg) {
			if got.Add(1) == want {
				close(done)
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		sub.SetPendingLimits(-1, -1)
		sc.Flush()
	}
	pc := benchConnect(b, url)
	payload := make([]byte, size)
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := pc.Publish("bench", payload); err != nil {
			b.Fatal(err)
		}
	}
	pc.Flush()
	select {
	case <-done:
	case <-time.After(time.Minute):
		b.Fatalf("received %d of %d", got.Load(), want)
	}
}

func BenchmarkPubOnly16(b *testing.B) {
	url := benchURL(b)
	pc := benchConnect(b, url)
	payload := make([]byte, 16)
	b.SetBytes(16)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pc.Publish("bench", payload)
	}
	pc.Flush()
}

func BenchmarkPubSub128(b *testing.B)     { benchPubSub(b, 128, 1) }
func BenchmarkPubSubFanOut4(b *testing.B) { benchPubSub(b, 128, 4) }

func BenchmarkRequestReply(b *testing.B) {
	url := benchURL(b)
	svc := benchConnect(b, url)
	svc.Subscribe("rr", func(m *nats.Msg) { m.Respond(m.Data) })
	svc.Flush()
	cli := benchConnect(b, url)
	payload := make([]byte, 64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := cli.Request("rr", payload, 5*time.Second); err != nil {
			b.Fatal(err)
		}
	}
}
