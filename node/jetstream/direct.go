package jetstream

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"jsnode/node/server"
	"jsnode/node/store"
)

// DirectMultiMax bounds the messages one multi_last direct get returns.
const DirectMultiMax = 1024

// The status-only answers of DIRECT.GET.
var (
	dgEmpty     = []byte("NATS/1.0 408 Empty Request\r\n\r\n")
	dgMalformed = []byte("NATS/1.0 408 Malformed Request\r\n\r\n")
	dgBad       = []byte("NATS/1.0 408 Bad Request\r\n\r\n")
	dgNotFound  = []byte("NATS/1.0 404 Message Not Found\r\n\r\n")
	dgNoResults = []byte("NATS/1.0 404 No Results\r\n\r\n")
	dgTooMany   = []byte("NATS/1.0 413 Too Many Results\r\n\r\n")
	dgAPILevel  = []byte("NATS/1.0 412 Required Api Level\r\n\r\n")
)

// subscribeDirect subscribes an allow_direct stream to DIRECT.GET: the
// request form (a JSON body) and the last-by-subject form (the subject
// after the stream name, no body).
func (mset *stream) subscribeDirect() error {
	for _, prefix := range mset.js().apiPrefixes() {
		base := prefix + "DIRECT.GET." + mset.cfg.Name
		for _, subj := range []string{base, base + ".>"} {
			unsub, err := mset.jsa.acc.Subscribe(subj, "", func(m *server.Msg) {
				if m.Reply == "" || mset.stopped {
					return
				}
				key := ""
				if len(m.Subject) > len(base) {
					key = m.Subject[len(base)+1:]
				}
				mset.directGet(m, key)
			})
			if err != nil {
				return err
			}
			mset.unsubs = append(mset.unsubs, unsub)
		}
	}
	return nil
}

// directGet answers one DIRECT.GET request; key is the subject of the
// last-by-subject form ("" for the request form).
func (mset *stream) directGet(m *server.Msg, key string) {
	send := func(hdr, data []byte) { mset.jsa.acc.Publish(m.Reply, "", hdr, data) }
	if v := header(m.Header, hdrRequiredAPILevel); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n > APILevel {
			send(dgAPILevel, nil)
			return
		}
	}
	var req msgGetRequest
	if len(m.Data) > 0 && json.Unmarshal(m.Data, &req) != nil {
		send(dgMalformed, nil)
		return
	}
	if key != "" {
		if req.LastFor != "" || req.NextFor != "" || len(req.MultiLastFor) > 0 || req.Seq != 0 ||
			req.Batch != 0 || req.StartTime != nil || req.UpToSeq != 0 || req.UpToTime != nil {
			send(dgBad, nil)
			return
		}
		req.LastFor = key
	} else if len(m.Data) == 0 ||
		(req.Seq == 0 && req.LastFor == "" && req.NextFor == "" && len(req.MultiLastFor) == 0 && req.StartTime == nil) {
		send(dgEmpty, nil)
		return
	} else if !validDirect(&req) {
		send(dgBad, nil)
		return
	}
	// What a get read is sent once it is durable, as MSG.GET's answer
	// is (whenDurable): a direct get must not serve a message a crash
	// could still take back.
	type reply struct{ hdr, data []byte }
	var out []reply
	collect := func(hdr, data []byte) { out = append(out, reply{hdr, data}) }
	if len(req.MultiLastFor) > 0 {
		mset.directMulti(&req, collect)
	} else {
		mset.directBatch(&req, collect)
	}
	mset.store.WhenDurable(func(err error) {
		if err != nil {
			send([]byte("NATS/1.0 503 "+statusText(err.Error())+"\r\n\r\n"), nil)
			return
		}
		for _, r := range out {
			send(r.hdr, r.data)
		}
	})
}

// statusText makes an error fit a status line (no line breaks).
func statusText(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

func validDirect(req *msgGetRequest) bool {
	switch {
	case req.Seq > 0 && req.LastFor != "",
		req.Seq > 0 && req.StartTime != nil,
		req.StartTime != nil && req.LastFor != "",
		req.LastFor != "" && req.NextFor != "",
		req.LastFor != "" && req.Batch > 0,
		req.LastFor != "" && len(req.MultiLastFor) > 0,
		req.NextFor != "" && len(req.MultiLastFor) > 0,
		req.UpToSeq > 0 && req.UpToTime != nil:
		return false
	}
	return true
}

// maxBytes is a request's byte budget (max_pending when not given).
func (mset *stream) maxBytes(req *msgGetRequest) int {
	if req.MaxBytes > 0 {
		return req.MaxBytes
	}
	return int(mset.js().maxPending)
}

// directBatch answers a single get, or a batch with the pending counts
// and an EOB status at the end.
func (mset *stream) directBatch(req *msgGetRequest, send func(hdr, data []byte)) {
	seq := req.Seq
	if req.StartTime != nil {
		seq = mset.seqFromTime(req.StartTime.UnixNano())
	}
	batch, isBatch := req.Batch, req.Batch > 0
	if !isBatch {
		batch = 1
	}
	filter := req.NextFor
	var lastSent uint64
	budget := mset.maxBytes(req)
	for i := 0; i < batch; i++ {
		var m *store.Msg
		var err error
		switch {
		case seq > 0 && filter == "" && i == 0 && !isBatch:
			m, err = mset.store.Load(seq)
		case seq > 0 && filter == "" || filter != "":
			m, err = mset.store.LoadNext(filter, seq)
		default:
			m, err = mset.store.LoadLast(req.LastFor)
		}
		if err != nil {
			if i == 0 {
				send(dgNotFound, nil)
				return
			}
			break
		}
		seq = m.Seq + 1
		var hdr []byte
		if !req.NoHeaders {
			fields := mset.directFields(m)
			if isBatch {
				np := mset.store.FilteredState(filter, seq).Msgs
				fields = append(fields, hdrNumPending, strconv.FormatUint(np, 10),
					hdrLastSequence, strconv.FormatUint(lastSent, 10))
			}
			hdr = appendFields(m.Header, fields...)
		}
		lastSent = m.Seq
		send(hdr, m.Data)
		budget -= len(m.Subject) + len(m.Header) + len(m.Data)
		if budget <= 0 {
			break
		}
	}
	if isBatch {
		np := mset.store.FilteredState(filter, seq).Msgs
		send(appendFields([]byte("NATS/1.0 204 EOB\r\n\r\n"), hdrNumPending, strconv.FormatUint(np, 10),
			hdrLastSequence, strconv.FormatUint(lastSent, 10)), nil)
	}
}

// directFields are the headers a direct get adds to a stored message.
func (mset *stream) directFields(m *store.Msg) []string {
	return []string{hdrStream, mset.cfg.Name, hdrSubject, m.Subject, hdrSequence, strconv.FormatUint(m.Seq, 10),
		hdrTimeStamp, timeString(m.Time)}
}

// directMulti answers multi_last: the last message at or before the
// up-to bound of every subject matching the filters, in sequence order.
func (mset *stream) directMulti(req *msgGetRequest, send func(hdr, data []byte)) {
	st := mset.store.State()
	upTo := req.UpToSeq
	if req.UpToTime != nil {
		upTo = mset.seqFromTime(req.UpToTime.UnixNano())
		if upTo <= st.FirstSeq {
			send(dgNoResults, nil)
			return
		}
		upTo--
	}
	if upTo == 0 {
		upTo = st.LastSeq
	}
	msgs, tooMany := mset.lastPerSubject(req.MultiLastFor, upTo)
	if tooMany {
		send(dgTooMany, nil)
		return
	}
	if len(msgs) == 0 {
		send(dgNoResults, nil)
		return
	}
	budget := mset.maxBytes(req)
	var last uint64
	sent := 0
	for i, m := range msgs {
		np := uint64(len(msgs) - i - 1)
		fields := append(mset.directFields(m), hdrNumPending, strconv.FormatUint(np, 10),
			hdrLastSequence, strconv.FormatUint(last, 10))
		send(appendFields(m.Header, fields...), m.Data)
		last = m.Seq
		sent++
		budget -= len(m.Subject) + len(m.Header) + len(m.Data)
		if budget <= 0 || (req.Batch > 0 && sent >= req.Batch) {
			break
		}
	}
	np := uint64(len(msgs) - sent)
	send(appendFields([]byte("NATS/1.0 204 EOB\r\n\r\n"), hdrNumPending, strconv.FormatUint(np, 10),
		hdrLastSequence, strconv.FormatUint(last, 10), hdrUpToSequence, strconv.FormatUint(upTo, 10)), nil)
}

// lastPerSubject finds the last message at or before upTo of each
// subject matching filters, sorted by sequence; tooMany when more than
// DirectMultiMax subjects match.
func (mset *stream) lastPerSubject(filters []string, upTo uint64) (msgs []*store.Msg, tooMany bool) {
	seen := map[string]bool{}
	var subjects []string
	for _, f := range filters {
		for s := range mset.store.Subjects(f) {
			if !seen[s] {
				seen[s] = true
				subjects = append(subjects, s)
			}
		}
	}
	if len(subjects) > DirectMultiMax {
		return nil, true
	}
	slices.Sort(subjects)
	for _, s := range subjects {
		if m := mset.lastAtOrBefore(s, upTo); m != nil {
			msgs = append(msgs, m)
		}
	}
	sortMsgs(msgs)
	return msgs, false
}

// lastAtOrBefore is subject's last message with a sequence <= upTo.
func (mset *stream) lastAtOrBefore(subj string, upTo uint64) *store.Msg {
	m, err := mset.store.LoadLast(subj)
	if err != nil {
		return nil
	}
	if m.Seq <= upTo {
		return m
	}
	var best *store.Msg
	for seq := mset.store.SubjectState(subj).First; ; {
		n, err := mset.store.LoadNext(subj, seq)
		if err != nil || n.Seq > upTo {
			return best
		}
		best, seq = n, n.Seq+1
	}
}
