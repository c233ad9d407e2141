package jetstream

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"jsnode/node/proto"
	"jsnode/node/store"
)

// The publish and delivery headers JetStream reads or writes.
const (
	hdrMsgID              = "Nats-Msg-Id"
	hdrExpectedStream     = "Nats-Expected-Stream"
	hdrExpectedLastSeq    = "Nats-Expected-Last-Sequence"
	hdrExpectedLastSubj   = "Nats-Expected-Last-Subject-Sequence"
	hdrExpectedLastSubjOn = "Nats-Expected-Last-Subject-Sequence-Subject"
	hdrExpectedLastMsgID  = "Nats-Expected-Last-Msg-Id"
	hdrRollup             = "Nats-Rollup"
	hdrTTL                = "Nats-TTL"
	hdrRequiredAPILevel   = "Nats-Required-Api-Level"
	hdrStream             = "Nats-Stream"
	hdrSubject            = "Nats-Subject"
	hdrSequence           = "Nats-Sequence"
	hdrTimeStamp          = "Nats-Time-Stamp"
	hdrLastSequence       = "Nats-Last-Sequence"
	hdrMsgSize            = "Nats-Msg-Size"
	hdrNumPending         = "Nats-Num-Pending"
	hdrUpToSequence       = "Nats-UpTo-Sequence"
	hdrMarkerReason       = "Nats-Marker-Reason"
	hdrBatchID            = "Nats-Batch-Id"

	markerReasonMaxAge = "MaxAge"

	rollupSubject = "sub"
	rollupAll     = "all"
)

// header returns the value of key in a header block ("" if absent).
func header(hdr []byte, key string) string {
	if len(hdr) == 0 {
		return ""
	}
	v, _ := proto.HeaderValue(hdr, key)
	return v
}

// headerUint reads an unsigned header; ok is false when it is absent or
// not a number.
func headerUint(hdr []byte, key string) (uint64, bool) {
	v := header(hdr, key)
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 64)
	return n, err == nil
}

// appendFields adds key: value fields to a header block (creating one
// when hdr is empty).
func appendFields(hdr []byte, kv ...string) []byte {
	out := make([]byte, 0, len(hdr)+64)
	if len(hdr) == 0 {
		out = append(out, "NATS/1.0\r\n"...)
	} else {
		out = append(out, strings.TrimSuffix(string(hdr), "\r\n")...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, kv[i]...)
		out = append(out, ": "...)
		out = append(out, kv[i+1]...)
		out = append(out, "\r\n"...)
	}
	return append(out, "\r\n"...)
}

// parseTTL reads a Nats-TTL value: a Go duration of at least a second,
// whole seconds, or "never" (-1). It returns the TTL in nanoseconds.
func parseTTL(v string) (int64, bool) {
	if strings.EqualFold(v, "never") {
		return -1, true
	}
	if d, err := time.ParseDuration(v); err == nil {
		if d < time.Second {
			return 0, false
		}
		return int64(d / time.Second * time.Second), true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n * int64(time.Second), true
}

// timeString formats a stored time as the Nats-Time-Stamp header does.
func timeString(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

// sortMsgs orders messages by sequence.
func sortMsgs(msgs []*store.Msg) {
	slices.SortFunc(msgs, func(a, b *store.Msg) int { return cmp.Compare(a.Seq, b.Seq) })
}
