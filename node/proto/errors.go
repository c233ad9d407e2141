package proto

// Default limits, equal to nats-server's MAX_CONTROL_LINE_SIZE and
// MAX_PAYLOAD_SIZE.
const (
	DefaultMaxControlLine = 4096
	DefaultMaxPayload     = 1 << 20
)

// maxSizeDigits is the longest size field nats-server accepts (9 digits, so
// sizes stop at 999,999,999); longer fields are "bad size" errors.
const maxSizeDigits = 9

// maxSizeValue is the largest value a size field can hold; it is also the
// payload limit when Limits.MaxPayload is negative (unlimited).
const maxSizeValue = 999_999_999

// Limits bound what a parser accepts.
type Limits struct {
	// MaxControlLine is the largest argument of a control line in bytes,
	// excluding the op name, the blanks after it and the line end
	// (nats-server's max_control_line). DefaultMaxControlLine if <= 0.
	MaxControlLine int
	// MaxPayload is the largest PUB/HPUB/MSG/HMSG payload in bytes, headers
	// included. DefaultMaxPayload if 0; negative means unlimited.
	MaxPayload int
}

// controlLine returns the effective control-line limit.
func (l Limits) controlLine() int {
	if l.MaxControlLine <= 0 {
		return DefaultMaxControlLine
	}
	return l.MaxControlLine
}

// payload returns the effective payload limit.
func (l Limits) payload() int {
	switch {
	case l.MaxPayload == 0:
		return DefaultMaxPayload
	case l.MaxPayload < 0 || l.MaxPayload > maxSizeValue:
		return maxSizeValue
	}
	return l.MaxPayload
}

// ProtoError is a protocol violation. Text is exactly what nats-server sends
// in -ERR '<Text>'; it is empty when nats-server closes the connection
// without sending anything (argument errors). Close reports whether
// nats-server closes the connection afterwards.
type ProtoError struct {
	Text   string
	Close  bool
	Detail string // for logs; never sent on the wire
}

// Error returns the detail if there is one, else the wire text.
func (e *ProtoError) Error() string {
	if e.Detail != "" {
		return e.Detail
	}
	return e.Text
}

// Errors returned by the parsers. They are shared values: compare with ==
// or errors.Is, never modify them.
var (
	// ErrUnknownOp: an unknown op name, a missing blank after an op name, or
	// a payload not followed by CRLF.
	ErrUnknownOp = &ProtoError{Text: "Unknown Protocol Operation", Close: true}
	// ErrMaxControlLine: an argument longer than Limits.MaxControlLine.
	ErrMaxControlLine = &ProtoError{Text: "maximum control line exceeded", Close: true}
	// ErrMaxPayload: a PUB/HPUB announcing more than Limits.MaxPayload bytes,
	// detected before the payload is read.
	ErrMaxPayload = &ProtoError{Text: "Maximum Payload Violation", Close: true}
	// ErrAuthViolation: an op other than CONNECT while the parser awaits
	// CONNECT (see ServerParser.SetAwaitingConnect).
	ErrAuthViolation = &ProtoError{Text: "Authorization Violation", Close: true}

	// Argument errors: nats-server logs them and closes without -ERR.
	ErrBadPubArgs       = &ProtoError{Close: true, Detail: "PUB needs 2 or 3 arguments"}
	ErrBadPubSize       = &ProtoError{Close: true, Detail: "PUB size is missing or not a decimal number"}
	ErrBadHPubArgs      = &ProtoError{Close: true, Detail: "HPUB needs 3 or 4 arguments"}
	ErrBadHeaderSize    = &ProtoError{Close: true, Detail: "HPUB header size is missing or not a decimal number"}
	ErrBadTotalSize     = &ProtoError{Close: true, Detail: "HPUB total size is missing or not a decimal number"}
	ErrHeaderOverTotal  = &ProtoError{Close: true, Detail: "HPUB header size is larger than the total size"}
	ErrBadSubArgs       = &ProtoError{Close: true, Detail: "SUB needs 2 or 3 arguments"}
	ErrBadUnsubArgs     = &ProtoError{Close: true, Detail: "UNSUB needs 1 or 2 arguments"}
	ErrBadInfo          = &ProtoError{Close: true, Detail: "INFO argument is not valid JSON"}
	ErrClientSentErr    = &ProtoError{Close: true, Detail: "client sent -ERR"}
	ErrBadMsgArgs       = &ProtoError{Close: true, Detail: "MSG needs 3 or 4 arguments, HMSG 4 or 5"}
	ErrBadMsgSize       = &ProtoError{Close: true, Detail: "MSG/HMSG size is missing or not a decimal number"}
	ErrMsgHeaderOverAll = &ProtoError{Close: true, Detail: "HMSG header size is larger than the total size"}
)
