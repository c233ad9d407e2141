package server

import "strconv"

// Message payload traces, as nats-server writes them after a message's
// control line: `<<- MSG_PAYLOAD: ["..."]` for what arrived,
// `->> MSG_PAYLOAD: ["..."]` for what is sent. trace_headers keeps only
// the header block; max_traced_msg_len cuts long payloads and marks the
// cut with "...", so a trace of big messages stays readable.

const (
	traceIn  = "<<-"
	traceOut = "->>"
)

// tracePayload traces msg (headers, if hdrLen > 0, then payload, without
// the closing CRLF). Call it only when tracing is on.
func (c *client) tracePayload(prefix string, hdrLen int, msg []byte) {
	o := &c.srv.opts
	if o.TraceHeaders {
		// The header block ends with an empty line, which is not traced.
		if hdrLen < len(crlf)*2 || len(msg) < hdrLen {
			return
		}
		msg = msg[:hdrLen-len(crlf)*2]
	}
	if len(msg) == 0 {
		return
	}
	if n := o.MaxTracedMsgLen; n > 0 && len(msg) > n {
		q := strconv.Quote(string(msg[:n]))
		c.tracef("%s MSG_PAYLOAD: [\"%s...\"]", prefix, q[1:len(q)-1])
		return
	}
	c.tracef("%s MSG_PAYLOAD: [%q]", prefix, msg)
}
