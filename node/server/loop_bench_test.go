package server

import (
	"strconv"
	"testing"
)

// Loop benchmarks: the server's per-message cost with no network, one
// 64 KiB read buffer of PUBs at a time, as the production loop hands them
// over. ns/op is per message. Profile with
// go test -run '^$' -bench LoopPub -cpuprofile cpu.out ./node/server.

// pubBuffer returns about 64 KiB of "PUB subj 16" lines and their count.
func pubBuffer(subj string) ([]byte, int) {
	payload := "0123456789abcdef"
	line := "PUB " + subj + " " + strconv.Itoa(len(payload)) + "\r\n" + payload + "\r\n"
	n := (64 << 10) / len(line)
	var b []byte
	for i := 0; i < n; i++ {
		b = append(b, line...)
	}
	return b, n
}

func benchLoop(b *testing.B, opts *Options, subs int) {
	w := newWorld(&testing.T{}, opts)
	pub := w.connect("")
	var readers []*peer
	for i := 0; i < subs; i++ {
		s := w.connect("")
		s.send("SUB bench.x 1\r\nPING\r\n")
		s.output()
		readers = append(readers, s)
	}
	buf, n := pubBuffer("bench.x")
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += n {
		pub.c.handler.Data(buf)
		for _, r := range readers {
			r.c.consume(len(r.c.out))
		}
	}
}

func BenchmarkLoopPubOnly16(b *testing.B)  { benchLoop(b, nil, 0) }
func BenchmarkLoopPubSub16(b *testing.B)   { benchLoop(b, nil, 1) }
func BenchmarkLoopFanOut4x16(b *testing.B) { benchLoop(b, nil, 4) }

// BenchmarkLoopPubOnly16Accounts runs the publisher in an account with
// imports, exports and mappings configured (none matching the subject).
func BenchmarkLoopPubOnly16Accounts(b *testing.B) {
	o := twoAccounts()
	o.Auth.NoAuthUser = "b"
	benchLoop(b, o, 0)
}
