package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strings"
	"time"
)

// rawClient is a bare NATS client over TCP for the hardening benchmarks:
// they need clients that never read, that read as fast as the socket
// allows, or that time a single PING, which a full client library hides.
type rawClient struct {
	conn net.Conn
	r    *bufio.Reader
}

// dialRaw connects to url ("nats://host:port"), reads INFO and sends
// CONNECT. readBuf > 0 shrinks the socket's receive buffer (a stuck
// subscriber then fills the server's side sooner, as on a real WAN).
func dialRaw(url string, readBuf int) (*rawClient, error) {
	addr := strings.TrimPrefix(url, "nats://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	if readBuf > 0 {
		conn.(*net.TCPConn).SetReadBuffer(readBuf)
	}
	c := &rawClient{conn: conn, r: bufio.NewReaderSize(conn, 64<<10)}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := c.r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "INFO ") {
		conn.Close()
		return nil, fmt.Errorf("no INFO from %s: %q %v", addr, line, err)
	}
	conn.SetReadDeadline(time.Time{})
	if _, err := conn.Write([]byte("CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1}\r\n")); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// send writes raw protocol bytes.
func (c *rawClient) send(b []byte) error {
	_, err := c.conn.Write(b)
	return err
}

// ping sends PING and waits for the PONG, skipping anything before it,
// and returns the round trip.
func (c *rawClient) ping(timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	c.conn.SetReadDeadline(start.Add(timeout))
	defer c.conn.SetReadDeadline(time.Time{})
	if err := c.send([]byte("PING\r\n")); err != nil {
		return 0, err
	}
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if bytes.HasPrefix(line, []byte("PONG")) {
			return time.Since(start), nil
		}
	}
}

// drain reads and discards everything until the connection fails,
// calling seen (if set) with the time of each read and its byte count.
func (c *rawClient) drain(seen func(t time.Time, n int)) {
	buf := make([]byte, 256<<10)
	for {
		n, err := c.conn.Read(buf)
		if n > 0 && seen != nil {
			seen(time.Now(), n)
		}
		if err != nil {
			return
		}
	}
}

func (c *rawClient) close() { c.conn.Close() }

// pubBurst is count PUBs of a size-byte payload on subj in one buffer.
func pubBurst(subj string, size, count int) []byte {
	payload := bytes.Repeat([]byte("x"), size)
	one := fmt.Appendf(nil, "PUB %s %d\r\n%s\r\n", subj, size, payload)
	return bytes.Repeat(one, count)
}
