package proto

import "strconv"

// Fixed protocol lines.
var (
	PingLine = []byte("PING\r\n")
	PongLine = []byte("PONG\r\n")
	OKLine   = []byte("+OK\r\n")
)

// The encoders append one op to dst and return the extended slice; they
// allocate only when dst must grow. An empty reply or queue is omitted.

// AppendMsg appends "MSG <subject> <sid> [reply] <len>\r\n<payload>\r\n".
func AppendMsg(dst, subject, sid, reply, payload []byte) []byte {
	dst = AppendMsgLine(dst, subject, sid, reply, len(payload))
	dst = append(dst, payload...)
	return append(dst, '\r', '\n')
}

// AppendHMsg appends "HMSG <subject> <sid> [reply] <hdrLen> <len(msg)>\r\n"
// followed by msg (header block + payload) and CRLF.
func AppendHMsg(dst, subject, sid, reply []byte, hdrLen int, msg []byte) []byte {
	dst = AppendHMsgLine(dst, subject, sid, reply, hdrLen, len(msg))
	dst = append(dst, msg...)
	return append(dst, '\r', '\n')
}

// AppendMsgLine appends only the MSG control line, CRLF included; the caller
// writes the size payload bytes and a CRLF after it.
func AppendMsgLine(dst, subject, sid, reply []byte, size int) []byte {
	dst = append(dst, "MSG "...)
	dst = appendSubjectSidReply(dst, subject, sid, reply)
	dst = strconv.AppendInt(dst, int64(size), 10)
	return append(dst, '\r', '\n')
}

// AppendHMsgLine appends only the HMSG control line, CRLF included.
func AppendHMsgLine(dst, subject, sid, reply []byte, hdrLen, totalLen int) []byte {
	dst = append(dst, "HMSG "...)
	dst = appendSubjectSidReply(dst, subject, sid, reply)
	dst = strconv.AppendInt(dst, int64(hdrLen), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(totalLen), 10)
	return append(dst, '\r', '\n')
}

func appendSubjectSidReply(dst, subject, sid, reply []byte) []byte {
	dst = append(dst, subject...)
	dst = append(dst, ' ')
	dst = append(dst, sid...)
	dst = append(dst, ' ')
	if len(reply) > 0 {
		dst = append(dst, reply...)
		dst = append(dst, ' ')
	}
	return dst
}

// AppendPub appends "PUB <subject> [reply] <len>\r\n<payload>\r\n".
func AppendPub(dst, subject, reply, payload []byte) []byte {
	dst = append(dst, "PUB "...)
	dst = appendSubjectReply(dst, subject, reply)
	dst = strconv.AppendInt(dst, int64(len(payload)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, payload...)
	return append(dst, '\r', '\n')
}

// AppendHPub appends "HPUB <subject> [reply] <hdrLen> <len(msg)>\r\n" followed
// by msg (header block + payload) and CRLF.
func AppendHPub(dst, subject, reply []byte, hdrLen int, msg []byte) []byte {
	dst = append(dst, "HPUB "...)
	dst = appendSubjectReply(dst, subject, reply)
	dst = strconv.AppendInt(dst, int64(hdrLen), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(len(msg)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, msg...)
	return append(dst, '\r', '\n')
}

func appendSubjectReply(dst, subject, reply []byte) []byte {
	dst = append(dst, subject...)
	dst = append(dst, ' ')
	if len(reply) > 0 {
		dst = append(dst, reply...)
		dst = append(dst, ' ')
	}
	return dst
}

// AppendSub appends "SUB <subject> [queue] <sid>\r\n".
func AppendSub(dst, subject, queue, sid []byte) []byte {
	dst = append(dst, "SUB "...)
	dst = append(dst, subject...)
	dst = append(dst, ' ')
	if len(queue) > 0 {
		dst = append(dst, queue...)
		dst = append(dst, ' ')
	}
	dst = append(dst, sid...)
	return append(dst, '\r', '\n')
}

// AppendUnsub appends "UNSUB <sid> [max]\r\n"; max is omitted when <= 0.
func AppendUnsub(dst, sid []byte, max int64) []byte {
	dst = append(dst, "UNSUB "...)
	dst = append(dst, sid...)
	if max > 0 {
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, max, 10)
	}
	return append(dst, '\r', '\n')
}

// AppendInfo appends "INFO <infoJSON>\r\n".
func AppendInfo(dst, infoJSON []byte) []byte {
	dst = append(dst, "INFO "...)
	dst = append(dst, infoJSON...)
	return append(dst, '\r', '\n')
}

// AppendConnect appends "CONNECT <connectJSON>\r\n".
func AppendConnect(dst, connectJSON []byte) []byte {
	dst = append(dst, "CONNECT "...)
	dst = append(dst, connectJSON...)
	return append(dst, '\r', '\n')
}

// AppendErr appends "-ERR '<text>'\r\n".
func AppendErr(dst []byte, text string) []byte {
	dst = append(dst, "-ERR '"...)
	dst = append(dst, text...)
	return append(dst, '\'', '\r', '\n')
}
