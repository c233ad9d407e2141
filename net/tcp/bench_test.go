package tcp

import (
	"io"
	"testing"
)

// BenchmarkEchoThroughput pushes 64 KiB writes through a loop-driven echo
// server over loopback; MB/s counts bytes echoed (each travels both ways).
func BenchmarkEchoThroughput(b *testing.B) {
	const chunk = 64 << 10
	l := startLoop(b)
	addr, _ := listen(b, l, echo)
	c := dial(b, addr)
	buf := pattern(chunk)
	total := int64(b.N) * chunk
	readDone := make(chan error, 1)
	b.SetBytes(chunk)
	b.ResetTimer()
	go func() {
		_, err := io.CopyN(io.Discard, c, total)
		readDone <- err
	}()
	for range b.N {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-readDone; err != nil {
		b.Fatal(err)
	}
}
