package proto

import "strconv"

// Route protocol encoders. Like the client ones they append one op to dst
// and allocate only when dst must grow; an empty reply or queue is omitted.

// AppendRSub appends "RS+ <account> <subject>[ <queue> <weight>]\r\n"; the
// weight is written only with a queue.
func AppendRSub(dst, account, subject, queue []byte, weight int) []byte {
	dst = append(dst, "RS+ "...)
	dst = appendAccountSubject(dst, account, subject)
	if len(queue) > 0 {
		dst = append(dst, ' ')
		dst = append(dst, queue...)
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(max(weight, 1)), 10)
	}
	return append(dst, '\r', '\n')
}

// AppendRUnsub appends "RS- <account> <subject>[ <queue>]\r\n".
func AppendRUnsub(dst, account, subject, queue []byte) []byte {
	dst = append(dst, "RS- "...)
	dst = appendAccountSubject(dst, account, subject)
	if len(queue) > 0 {
		dst = append(dst, ' ')
		dst = append(dst, queue...)
	}
	return append(dst, '\r', '\n')
}

// AppendRMsgLine appends the RMSG control line, CRLF included. queues, if
// not empty, holds blank-separated queue names; the line then takes the
// "+ <reply> <queues>" or "| <queues>" form.
func AppendRMsgLine(dst, account, subject, reply, queues []byte, size int) []byte {
	dst = append(dst, "RMSG "...)
	dst = appendRoutedArgs(dst, account, subject, reply, queues)
	dst = strconv.AppendInt(dst, int64(size), 10)
	return append(dst, '\r', '\n')
}

// AppendRHMsgLine appends the routed HMSG control line, CRLF included.
func AppendRHMsgLine(dst, account, subject, reply, queues []byte, hdrLen, size int) []byte {
	dst = append(dst, "HMSG "...)
	dst = appendRoutedArgs(dst, account, subject, reply, queues)
	dst = strconv.AppendInt(dst, int64(hdrLen), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(size), 10)
	return append(dst, '\r', '\n')
}

// AppendRMsg appends a whole RMSG (hdrLen < 0) or routed HMSG with its
// message bytes and CRLF.
func AppendRMsg(dst, account, subject, reply, queues []byte, hdrLen int, msg []byte) []byte {
	if hdrLen >= 0 {
		dst = AppendRHMsgLine(dst, account, subject, reply, queues, hdrLen, len(msg))
	} else {
		dst = AppendRMsgLine(dst, account, subject, reply, queues, len(msg))
	}
	dst = append(dst, msg...)
	return append(dst, '\r', '\n')
}

func appendAccountSubject(dst, account, subject []byte) []byte {
	dst = append(dst, account...)
	dst = append(dst, ' ')
	return append(dst, subject...)
}

// appendRoutedArgs writes "<account> <subject> " and the reply/queue part,
// each followed by a blank, ready for the sizes.
func appendRoutedArgs(dst, account, subject, reply, queues []byte) []byte {
	dst = appendAccountSubject(dst, account, subject)
	dst = append(dst, ' ')
	if len(queues) > 0 {
		if len(reply) > 0 {
			dst = append(dst, "+ "...)
			dst = append(dst, reply...)
			dst = append(dst, ' ')
		} else {
			dst = append(dst, "| "...)
		}
		dst = append(dst, queues...)
		return append(dst, ' ')
	}
	if len(reply) > 0 {
		dst = append(dst, reply...)
		dst = append(dst, ' ')
	}
	return dst
}
