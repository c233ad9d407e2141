package server

import (
	"bytes"
	"compress/gzip"
	"strings"

	"github.com/klauspost/compress/s2"

	"jsnode/node/proto"
)

// Reply compression for system requests, as nats-server offers it: a
// request whose Accept-Encoding header names snappy (or s2) gets an s2
// stream in the snappy-compatible format, one naming gzip gets gzip; the
// reply then carries Content-Encoding. Anything else is sent as is.

// compressReply returns the reply's header block and body.
func compressReply(reqHdr, body []byte) ([]byte, []byte) {
	if len(reqHdr) == 0 {
		return nil, body
	}
	accept, _ := proto.HeaderValue(reqHdr, "Accept-Encoding")
	accept = strings.ToLower(accept)
	var buf bytes.Buffer
	switch {
	case strings.Contains(accept, "snappy") || strings.Contains(accept, "s2"):
		w := s2.NewWriter(&buf, s2.WriterSnappyCompat(), s2.WriterConcurrency(1))
		if _, err := w.Write(body); err != nil || w.Close() != nil {
			return nil, body
		}
		return []byte("NATS/1.0\r\nContent-Encoding: snappy\r\n\r\n"), buf.Bytes()
	case strings.Contains(accept, "gzip"):
		w := gzip.NewWriter(&buf)
		if _, err := w.Write(body); err != nil || w.Close() != nil {
			return nil, body
		}
		return []byte("NATS/1.0\r\nContent-Encoding: gzip\r\n\r\n"), buf.Bytes()
	}
	return nil, body
}
