package proto

import (
	"bytes"
	"testing"
)

// readSize is the read buffer size the benchmarks feed, as a connection
// reader would hand over.
const readSize = 64 << 10

// nopServer is a ServerHandler that does nothing, so benchmarks measure the
// parser alone.
type nopServer struct{ msgs int }

func (h *nopServer) Connect([]byte) error                   { return nil }
func (h *nopServer) Pub(_, _, _ []byte) error               { h.msgs++; return nil }
func (h *nopServer) HPub([]byte, []byte, int, []byte) error { h.msgs++; return nil }
func (h *nopServer) Sub(_, _, _ []byte) error               { return nil }
func (h *nopServer) Unsub([]byte, int64) error              { return nil }
func (h *nopServer) Ping() error                            { return nil }
func (h *nopServer) Pong() error                            { return nil }

type nopClient struct{ msgs int }

func (h *nopClient) Info([]byte) error                         { return nil }
func (h *nopClient) Msg(_, _, _ []byte, _ int, _ []byte) error { h.msgs++; return nil }
func (h *nopClient) Ping() error                               { return nil }
func (h *nopClient) Pong() error                               { return nil }
func (h *nopClient) OK() error                                 { return nil }
func (h *nopClient) Err([]byte) error                          { return nil }

// pubStream is a read buffer's worth of 16-byte PUBs.
func pubStream() ([]byte, int) { return pubStreamTo("foo.bar") }

// pubStreamTo is pubStream with another subject.
func pubStreamTo(subject string) ([]byte, int) {
	one := AppendPub(nil, []byte(subject), nil, []byte("0123456789abcdef"))
	n := readSize / len(one)
	return bytes.Repeat(one, n), n
}

func reportPerMsg(b *testing.B, msgs int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*msgs), "ns/msg")
}

// BenchmarkServerParserPub16 parses whole read buffers of 16-byte PUBs.
func BenchmarkServerParserPub16(b *testing.B) {
	stream, n := pubStream()
	p, h := NewServerParser(Limits{}), &nopServer{}
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		if err := p.Feed(stream, h); err != nil {
			b.Fatal(err)
		}
	}
	reportPerMsg(b, n)
}

// BenchmarkServerParserPub16BenchSubject is BenchmarkServerParserPub16
// with a subject as long as the one cmd/benchcmp gives nats bench.
func BenchmarkServerParserPub16BenchSubject(b *testing.B) {
	stream, n := pubStreamTo("bench.1733300000000000000")
	p, h := NewServerParser(Limits{}), &nopServer{}
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		if err := p.Feed(stream, h); err != nil {
			b.Fatal(err)
		}
	}
	reportPerMsg(b, n)
}

// BenchmarkServerParserPub16Split feeds the same stream in reads of an odd
// size, so many PUBs straddle two reads and go through the buffer.
func BenchmarkServerParserPub16Split(b *testing.B) {
	stream, n := pubStream()
	const read = 1000
	p, h := NewServerParser(Limits{}), &nopServer{}
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		for rest := stream; len(rest) > 0; {
			k := min(read, len(rest))
			if err := p.Feed(rest[:k], h); err != nil {
				b.Fatal(err)
			}
			rest = rest[k:]
		}
	}
	reportPerMsg(b, n)
}

func BenchmarkClientParserMsg16(b *testing.B) {
	one := AppendMsg(nil, []byte("foo.bar"), []byte("1"), nil, []byte("0123456789abcdef"))
	n := readSize / len(one)
	stream := bytes.Repeat(one, n)
	p, h := NewClientParser(Limits{}), &nopClient{}
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		if err := p.Feed(stream, h); err != nil {
			b.Fatal(err)
		}
	}
	reportPerMsg(b, n)
}

func BenchmarkAppendMsg(b *testing.B) {
	subject, sid, reply, payload := []byte("foo.bar"), []byte("1"), []byte("_INBOX.abcdef"), []byte("0123456789abcdef")
	dst := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendMsg(dst[:0], subject, sid, reply, payload)
	}
}

// TestPubParseDoesNotAllocate pins the zero-allocation hot path, whole and
// split, so a regression fails the ordinary test run.
func TestPubParseDoesNotAllocate(t *testing.T) {
	stream, _ := pubStream()
	p, h := NewServerParser(Limits{}), &nopServer{}
	whole := testing.AllocsPerRun(20, func() { _ = p.Feed(stream, h) })
	split := testing.AllocsPerRun(20, func() {
		for rest := stream; len(rest) > 0; rest = rest[min(1000, len(rest)):] {
			_ = p.Feed(rest[:min(1000, len(rest))], h)
		}
	})
	if whole != 0 || split != 0 {
		t.Fatalf("allocations per feed: whole %v, split %v", whole, split)
	}
}
