package kv

import (
	"encoding/binary"
	"errors"
)

// Wire format of requests, replies and log entries (integers are
// unsigned varints, strings are a length and the bytes):
//
//	request = version:byte op:byte flags:byte key value old
//	reply   = version:byte status:byte flags:byte value leader leaderName text
//
// Request flags: bit 0 = old is "absent" (CAS on a missing key). Reply
// flags: bit 0 = found (the key has a value: get, and the current value of
// a CAS mismatch). A put or CAS entry in the log is its request, as
// received.
const codecVersion = 1

// Limits of the service.
const (
	// KeyBytesMax and ValueBytesMax bound keys and values.
	KeyBytesMax   = 1 << 10
	ValueBytesMax = 64 << 10
	// replyTextMax bounds the error text of a reply.
	replyTextMax = 1 << 10
	// snapshotPairsMax bounds the pairs a snapshot may claim to hold.
	snapshotPairsMax = 1 << 24
)

// Op is a request's operation.
type Op uint8

// Operations.
const (
	OpPut Op = iota + 1
	OpGet
	OpCAS
)

// String names the operation.
func (o Op) String() string {
	switch o {
	case OpPut:
		return "put"
	case OpGet:
		return "get"
	case OpCAS:
		return "cas"
	}
	return "op?"
}

// Request is one client request.
type Request struct {
	Op    Op
	Key   string
	Value string // put: the value; cas: the new value
	// Old is the value a CAS expects, or OldAbsent: it expects no value.
	Old       string
	OldAbsent bool
}

// Status is a reply's outcome.
type Status uint8

// Reply statuses.
const (
	// StatusOK: the put or CAS was applied; the get read Value/Found.
	StatusOK Status = iota + 1
	// StatusMismatch: the CAS found another value (Value/Found) and
	// changed nothing.
	StatusMismatch
	// StatusNotLeader: this member cannot serve the request; Leader (a
	// member token) and LeaderName name the leader it knows, if any. The
	// request was not applied: retry it there.
	StatusNotLeader
	// StatusLost: the proposal lost its log position to another entry; it
	// was not applied and never will be. Retry.
	StatusLost
	// StatusUnknown: the request may or may not have been applied.
	StatusUnknown
	// StatusError: the request was refused (Text says why) and not
	// applied: malformed, too large, busy, or a read that timed out.
	StatusError
)

// String names the status.
func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusMismatch:
		return "mismatch"
	case StatusNotLeader:
		return "not leader"
	case StatusLost:
		return "lost"
	case StatusUnknown:
		return "unknown"
	case StatusError:
		return "error"
	}
	return "status?"
}

// Reply answers a Request.
type Reply struct {
	Status     Status
	Value      string
	Found      bool
	Leader     string
	LeaderName string
	Text       string
}

var errMalformed = errors.New("kv: malformed message")

// EncodeRequest encodes r.
func EncodeRequest(r Request) []byte {
	var flags byte
	if r.OldAbsent {
		flags = 1
	}
	b := make([]byte, 0, 8+len(r.Key)+len(r.Value)+len(r.Old))
	b = append(b, codecVersion, byte(r.Op), flags)
	return appendStrings(b, r.Key, r.Value, r.Old)
}

// DecodeRequest decodes and validates a request.
func DecodeRequest(b []byte) (Request, error) {
	d := decoder{b: b}
	if d.byte() != codecVersion {
		return Request{}, errMalformed
	}
	r := Request{Op: Op(d.byte())}
	flags := d.byte()
	r.OldAbsent = flags&1 != 0
	r.Key, r.Value, r.Old = d.str(KeyBytesMax), d.str(ValueBytesMax), d.str(ValueBytesMax)
	switch {
	case d.err != nil || len(d.b) != 0 || flags&^1 != 0:
		return Request{}, errMalformed
	case r.Op < OpPut || r.Op > OpCAS:
		return Request{}, errors.New("kv: unknown operation")
	case r.Key == "":
		return Request{}, errors.New("kv: empty key")
	}
	return r, nil
}

// EncodeReply encodes r.
func EncodeReply(r Reply) []byte {
	var flags byte
	if r.Found {
		flags = 1
	}
	b := make([]byte, 0, 8+len(r.Value)+len(r.Leader)+len(r.LeaderName)+len(r.Text))
	b = append(b, codecVersion, byte(r.Status), flags)
	return appendStrings(b, r.Value, r.Leader, r.LeaderName, r.Text)
}

// DecodeReply decodes a reply.
func DecodeReply(b []byte) (Reply, error) {
	d := decoder{b: b}
	if d.byte() != codecVersion {
		return Reply{}, errMalformed
	}
	r := Reply{Status: Status(d.byte())}
	flags := d.byte()
	r.Found = flags&1 != 0
	r.Value, r.Leader, r.LeaderName, r.Text = d.str(ValueBytesMax), d.str(KeyBytesMax), d.str(KeyBytesMax), d.str(replyTextMax)
	if d.err != nil || len(d.b) != 0 || r.Status < StatusOK || r.Status > StatusError {
		return Reply{}, errMalformed
	}
	return r, nil
}

func appendStrings(b []byte, ss ...string) []byte {
	for _, s := range ss {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// decoder reads fields, recording the first error; reads after an error
// return zero values.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.err = errMalformed
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errMalformed
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) str(limit int) string {
	n := d.uvarint()
	if d.err != nil || n > uint64(limit) || n > uint64(len(d.b)) {
		d.err = errMalformed
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
