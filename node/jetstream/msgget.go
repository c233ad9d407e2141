package jetstream

import (
	"errors"
	"time"

	"jsnode/node/store"
)

// msgGet answers STREAM.MSG.GET.<name>: one message by sequence, the
// last for a subject, or the next for a subject from a sequence or time.
func (r *apiRequest) msgGet() any {
	resp := &msgGetResponse{apiResponse: apiResponse{Type: typeMsgGet}}
	var req msgGetRequest
	if resp.Error = r.readBody(&req, true); resp.Error != nil {
		return resp
	}
	if req.Batch > 0 || req.MaxBytes > 0 || len(req.MultiLastFor) > 0 || !validGet(&req) {
		resp.Error = errBadRequest.ptr()
		return resp
	}
	mset, e := r.lookup()
	if e != nil {
		resp.Error = e
		return resp
	}
	m, err := mset.getOne(&req)
	if err != nil {
		resp.Error = getError(err)
	} else {
		resp.Message = &StoredMsg{Subject: m.Subject, Sequence: m.Seq, Data: m.Data, Time: time.Unix(0, m.Time).UTC()}
		if !req.NoHeaders {
			resp.Message.Header = m.Header
		}
	}
	return r.whenDurable(mset, resp, func(err error) {
		resp.Message, resp.Error = nil, errStreamStoreFailed.with("err", err.Error())
	})
}

// validGet reports whether a get request names one way to find its
// message: seq, last_by_subj and start_time exclude each other, and
// next_by_subj goes with seq or start_time.
func validGet(req *msgGetRequest) bool {
	switch {
	case req.Seq > 0 && req.LastFor != "",
		req.Seq == 0 && req.LastFor == "" && req.NextFor == "" && req.StartTime == nil,
		req.Seq > 0 && req.StartTime != nil,
		req.StartTime != nil && req.LastFor != "",
		req.LastFor != "" && req.NextFor != "":
		return false
	}
	return true
}

// getOne finds the message a (single) get request names.
func (mset *stream) getOne(req *msgGetRequest) (*store.Msg, error) {
	seq := req.Seq
	if req.StartTime != nil {
		seq = mset.seqFromTime(req.StartTime.UnixNano())
	}
	switch {
	case seq > 0 && req.NextFor == "":
		return mset.store.Load(seq)
	case req.NextFor != "":
		return mset.store.LoadNext(req.NextFor, seq)
	default:
		return mset.store.LoadLast(req.LastFor)
	}
}

// seqFromTime is the first sequence stored at or after ts (LastSeq+1 if
// none), by binary search over the stored times, which grow with the
// sequence.
func (mset *stream) seqFromTime(ts int64) uint64 {
	st := mset.store.State()
	lo, hi := st.FirstSeq, st.LastSeq+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		m, err := mset.store.LoadNext("", mid)
		if err != nil || m.Seq >= hi {
			hi = mid
			continue
		}
		if m.Time < ts {
			lo = m.Seq + 1
		} else {
			hi = mid
		}
	}
	return max(lo, 1)
}

// getError is the API error of a failed load: "no message found" only
// when there is none (never stored, removed, or lost to damage and
// reported in the stream's state); an I/O error says so, since the
// message may well be there.
func getError(err error) *apiError {
	if isMissing(err) || errors.Is(err, store.ErrCorrupt) {
		return errNoMessageFound.ptr()
	}
	return errStreamStoreFailed.with("err", err.Error())
}

// isMissing reports a store error that means "no such message".
func isMissing(err error) bool {
	return errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrDeleted)
}
