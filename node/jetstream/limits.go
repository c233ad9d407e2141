package jetstream

import (
	"errors"
	"time"

	"jsnode/node/store"
)

// ExpireBatch bounds the messages one expiry event removes; the rest go
// in the next event, so a mass expiry never holds the loop for long.
const ExpireBatch = 4096

// scheduleExpiry arms the stream's timer for its next expiry: the first
// message passing max_age, or the earliest per-message TTL.
func (mset *stream) scheduleExpiry() {
	if mset.stopped {
		return
	}
	next := mset.store.NextExpiry()
	if at := mset.nextAgeOut(); at != 0 && (next == 0 || at < next) {
		next = at
	}
	if next == 0 || (mset.expiry != nil && mset.expiryAt == next) {
		return
	}
	if mset.expiry != nil {
		mset.expiry.Stop()
	}
	mset.expiryAt = next
	d := time.Duration(next - mset.js().now().UnixNano())
	mset.expiry = mset.js().clock.AfterFunc(max(d, 0), mset.expire)
}

// expire removes what has passed max_age or its TTL, at most
// ExpireBatch messages per event, then re-arms the timer.
func (mset *stream) expire() {
	if mset.stopped {
		return
	}
	mset.expiry, mset.expiryAt = nil, 0
	now := mset.js().now().UnixNano()
	budget := ExpireBatch
	for _, seq := range mset.store.Expired(now, budget) {
		if ok, _ := mset.store.Remove(seq, false); ok {
			budget--
		}
	}
	if age := int64(mset.cfg.MaxAge); age > 0 {
		budget = mset.expireAged(now-age, budget)
	}
	mset.account()
	if budget <= 0 {
		mset.expiry = mset.js().clock.AfterFunc(0, mset.expire)
		return
	}
	mset.scheduleExpiry()
}

// nextAgeOut is when max_age next removes a message (Unix ns; 0: none).
func (mset *stream) nextAgeOut() int64 {
	age := int64(mset.cfg.MaxAge)
	st := mset.store.State()
	switch {
	case age <= 0 || st.Msgs == 0 || mset.ageFrom > st.LastSeq:
		return 0
	case !mset.cfg.AllowMsgTTL || mset.ageFrom <= st.FirstSeq && mset.ageNext == 0:
		return st.FirstTime + age
	case mset.ageNext > 0:
		return mset.ageNext + age
	}
	return mset.js().now().UnixNano() // not known: look now
}

// expireAged removes, oldest first and within budget, the messages
// stored at or before cut, sparing those published with Nats-TTL: never.
// It returns the budget left.
func (mset *stream) expireAged(cut int64, budget int) int {
	s := mset.store
	for ; budget > 0; budget-- {
		st := s.State()
		if st.Msgs == 0 {
			break
		}
		if !mset.cfg.AllowMsgTTL {
			// no message can be exempt: the first one's time says
			if st.FirstTime > cut || !mset.expireByAge(st.FirstSeq) {
				break
			}
			continue
		}
		m, err := s.LoadNext(">", max(mset.ageFrom, st.FirstSeq))
		if errors.Is(err, store.ErrNotFound) {
			mset.ageFrom, mset.ageNext = st.LastSeq+1, 0 // all exempt
			break
		}
		if err != nil {
			// a damaged record: looked at again one max_age later
			mset.ageNext = cut + int64(mset.cfg.MaxAge)
			break
		}
		if m.Time > cut {
			mset.ageNext = m.Time
			break
		}
		if neverExpires(m.Header) {
			mset.ageFrom, mset.ageNext = m.Seq+1, 0
			continue
		}
		if !mset.expireByAge(m.Seq) {
			break
		}
	}
	return budget
}

// neverExpires reports whether a message was published with Nats-TTL:
// never, which exempts it from max_age.
func neverExpires(hdr []byte) bool {
	if len(hdr) == 0 {
		return false
	}
	ttl, ok := parseTTL(header(hdr, hdrTTL))
	return ok && ttl < 0
}

// expireByAge removes the message at seq, which passed max_age. With
// subject_delete_marker_ttl, the last message of a subject is replaced
// by a delete marker instead (Nats-Marker-Reason: MaxAge, a Nats-TTL of
// the marker TTL, and a subject rollup that removes the message), so
// watchers learn the subject is gone. It reports whether it removed one.
func (mset *stream) expireByAge(seq uint64) bool {
	ttl := mset.cfg.SubjectDeleteMarkerTTL
	if ttl > 0 {
		m, err := mset.store.Load(seq)
		if err == nil && header(m.Header, hdrMarkerReason) == "" && mset.store.SubjectState(m.Subject).Msgs == 1 {
			marker := appendFields(nil, hdrMarkerReason, markerReasonMaxAge, hdrTTL, ttl.String(),
				hdrRollup, rollupSubject)
			if _, _, e := mset.storeMsg(m.Subject, marker, nil); e == nil {
				return true
			}
		}
	}
	ok, _ := mset.store.Remove(seq, false)
	return ok
}

// checkUsage refuses a message of size bytes that would take the server
// or the account past its storage limits.
func (jsa *jsAccount) checkUsage(mset *stream, size uint64) *apiError {
	js, k := jsa.js, mset.kind()
	serverMax, accountMax := js.opts.MaxStore, jsa.limits.MaxStore
	if k == store.Memory {
		serverMax, accountMax = js.opts.MaxMemory, jsa.limits.MaxMemory
	}
	if js.used[k]+size > uint64(serverMax) {
		return errInsufficientResources.ptr()
	}
	if accountMax >= 0 && jsa.used[k]+size > uint64(accountMax) {
		return errAccountResourcesExceeded.ptr()
	}
	return nil
}

// account brings the account's and the server's byte counts up to date
// with the stream's store, after anything that may have added or removed
// messages: usage checks then cost O(1) per publish.
func (mset *stream) account() {
	now := mset.store.State().Bytes
	k := mset.kind()
	jsa, js := mset.jsa, mset.js()
	jsa.used[k] += now - mset.bytes // wraps correctly when bytes fell
	js.used[k] += now - mset.bytes
	mset.bytes = now
}

// unaccount removes the stream's bytes from the counts (it is deleted).
func (mset *stream) unaccount() {
	k := mset.kind()
	mset.jsa.used[k] -= mset.bytes
	mset.js().used[k] -= mset.bytes
	mset.bytes = 0
}
