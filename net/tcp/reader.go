package tcp

import (
	"errors"
	"io"
	"sync"

	jnet "jsnode/net"
)

// Read buffers come in power-of-two size classes from minReadSize to
// maxReadSize. Each reader adapts its class to what the socket delivers, so
// busy connections hand the loop whole 64 KiB buffers while idle ones hold
// a small one in their blocked Read.
const (
	minReadSize    = 1 << 10
	maxReadSize    = 64 << 10
	readClasses    = 7 // 1 KiB .. 64 KiB
	startReadClass = 2 // 4 KiB
	// shrinkAfter is how many reads in a row must use under a quarter of
	// the buffer before the reader steps down a class.
	shrinkAfter = 8
)

// readBuf is a pooled read buffer; class indexes readPools.
type readBuf struct {
	b     []byte
	class int
}

var readPools [readClasses]sync.Pool

func getReadBuf(class int) *readBuf {
	if rb, ok := readPools[class].Get().(*readBuf); ok {
		return rb
	}
	return &readBuf{b: make([]byte, minReadSize<<class), class: class}
}

func putReadBuf(rb *readBuf) { readPools[rb.class].Put(rb) }

// readLoop is the connection's reader goroutine. It reads only while it
// holds a credit; the loop gives the credit back with the buffer.
func (c *conn) readLoop() {
	defer c.loop.workers.Done()
	class, small := startReadClass, 0
	var writes []*conn // postRead's scratch list, reused
	var sr sockReader
	tryRead := sr.try
	for {
		select {
		case <-c.credits:
		case <-c.done:
			return
		}
		rb := getReadBuf(class)
		n, err := c.read(rb.b, &sr, tryRead)
		if n > 0 {
			class, small = nextReadClass(class, small, n)
			c.loop.postRead(event{kind: evData, c: c, rb: rb, n: n}, &writes)
		} else {
			c.recycle(rb)
		}
		if err != nil {
			c.loop.post(event{kind: evReadEnd, c: c, err: readError(err)})
			return
		}
	}
}

// read reads into b once it is readable, with a raw system call through
// the poller (rawio.go); without a raw descriptor, the ordinary way.
func (c *conn) read(b []byte, sr *sockReader, try func(uintptr) bool) (int, error) {
	if c.raw == nil {
		return c.sock.Read(b)
	}
	sr.b, sr.n, sr.err = b, 0, nil
	if err := c.raw.Read(try); err != nil {
		return 0, err
	}
	return sr.n, sr.err
}

// nextReadClass grows the class after a read that filled the buffer and
// shrinks it after shrinkAfter reads that used under a quarter of it.
func nextReadClass(class, small, n int) (int, int) {
	size := minReadSize << class
	switch {
	case n == size && class < readClasses-1:
		return class + 1, 0
	case n >= size/4:
		return class, 0
	case small+1 >= shrinkAfter && class > 0:
		return class - 1, 0
	default:
		return class, small + 1
	}
}

// readError maps a read error to the reason the node is given. Errors after
// a local close are mapped too, but the loop ignores them.
func readError(err error) error {
	if errors.Is(err, io.EOF) {
		return jnet.ErrClosedByPeer
	}
	return jnet.ErrReset
}
