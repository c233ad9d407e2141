package jetstream

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"jsnode/clock"
	"jsnode/node/mapping"
	"jsnode/node/server"
	"jsnode/node/store"
)

// stream is one stream of an account.
type stream struct {
	jsa       *jsAccount
	cfg       StreamConfig
	created   time.Time
	store     store.Store
	dir       string // the stream's directory (file storage), "" in memory
	unsubs    []func()
	transform *mapping.Transform // subject_transform on ingest, or nil
	republish *mapping.Transform // republish, or nil
	dedupe    *dedupe
	lastMsgID string
	expiry    clock.Timer // the next max_age or TTL expiry
	expiryAt  int64
	// ageFrom: every message below it is exempt from max_age (Nats-TTL:
	// never); ageNext is the time of the first message at or after it
	// (0: not known). They spare max_age a rescan of the exempt ones.
	ageFrom   uint64
	ageNext   int64
	bytes     uint64 // the store's bytes as last counted (account)
	ackPrefix []byte // the PubAck's start, up to "seq":
	ackDomain []byte // ,"domain":"..." when the server has a domain
	stopped   bool
}

// The store errors a discard-new stream answers a publish with.
const (
	errTextMaxMsgs     = "maximum messages exceeded"
	errTextMaxBytes    = "maximum bytes exceeded"
	errTextMaxMsgsPer  = "maximum messages per subject exceeded"
	errTextMsgTooLarge = "message too large"
)

func (mset *stream) kind() store.Kind {
	if mset.cfg.Storage == MemoryStorage {
		return store.Memory
	}
	return store.File
}

func (mset *stream) js() *JetStream { return mset.jsa.js }

// captures reports whether the stream captures some subject matching
// filter.
func (mset *stream) captures(filter string) bool {
	for _, s := range mset.cfg.Subjects {
		if collide(s, filter) {
			return true
		}
	}
	return false
}

// start subscribes the stream to its subjects and builds its transforms.
func (mset *stream) start() error {
	if err := mset.buildTransforms(); err != nil {
		return err
	}
	for _, subj := range mset.cfg.Subjects {
		unsub, err := mset.jsa.acc.Subscribe(subj, "", mset.onMsg)
		if err != nil {
			mset.unsubscribe()
			return err
		}
		mset.unsubs = append(mset.unsubs, unsub)
	}
	if mset.cfg.AllowDirect {
		if err := mset.subscribeDirect(); err != nil {
			mset.unsubscribe()
			return err
		}
	}
	mset.scheduleExpiry()
	return nil
}

// buildTransforms builds the ingest and republish transforms.
func (mset *stream) buildTransforms() error {
	mset.transform, mset.republish = nil, nil
	if t := mset.cfg.SubjectTransform; t != nil {
		src := t.Source
		if src == "" {
			src = ">"
		}
		tr, err := mapping.New(src, t.Destination)
		if err != nil {
			return err
		}
		mset.transform = tr
	}
	if rp := mset.cfg.RePublish; rp != nil {
		tr, err := mapping.NewRepublish(rp.Source, rp.Destination)
		if err != nil {
			return err
		}
		mset.republish = tr
	}
	return nil
}

func (mset *stream) unsubscribe() {
	for _, u := range mset.unsubs {
		u()
	}
	mset.unsubs = nil
}

// stop stops the stream; with remove it also deletes what it stored.
func (mset *stream) stop(remove bool) error {
	if mset.stopped {
		return nil
	}
	mset.stopped = true
	mset.unsubscribe()
	mset.unaccount()
	if mset.expiry != nil {
		mset.expiry.Stop()
	}
	if remove {
		return mset.removeFiles()
	}
	return mset.store.Stop()
}

// onMsg stores a message published to one of the stream's subjects and
// acknowledges it to its reply subject once durable.
func (mset *stream) onMsg(m *server.Msg) {
	if mset.stopped {
		return
	}
	reply := m.Reply
	seq, dup, e := uint64(0), false, batchRefusal(m.Header, reply)
	if e == nil {
		seq, dup, e = mset.storeMsg(m.Subject, m.Header, m.Data)
	}
	if reply == "" || mset.cfg.NoAck {
		return
	}
	acc := mset.jsa.acc
	if e != nil {
		respond(acc, reply, &pubAckResponse{Error: e, PubAck: &PubAck{Stream: mset.cfg.Name}})
		return
	}
	ack := mset.pubAck(seq, dup)
	// A duplicate waits too: its original may not be durable yet.
	mset.store.WhenDurable(func(err error) {
		if err != nil {
			respond(acc, reply, &pubAckResponse{Error: errStreamStoreFailed.with("err", err.Error()),
				PubAck: &PubAck{Stream: mset.cfg.Name}})
			return
		}
		acc.Publish(reply, "", nil, ack)
	})
}

// pubAck encodes a PubAck as encoding/json would, without its cost on
// every publish: {"stream":..,"seq":..[,"domain":..][,"duplicate":true]}.
func (mset *stream) pubAck(seq uint64, dup bool) []byte {
	if mset.ackPrefix == nil {
		name, _ := json.Marshal(mset.cfg.Name)
		mset.ackPrefix = append(append([]byte(`{"stream":`), name...), `,"seq":`...)
		if d := mset.js().opts.Domain; d != "" {
			dom, _ := json.Marshal(d)
			mset.ackDomain = append([]byte(`,"domain":`), dom...)
		}
	}
	b := make([]byte, 0, len(mset.ackPrefix)+len(mset.ackDomain)+40)
	b = strconv.AppendUint(append(b, mset.ackPrefix...), seq, 10)
	b = append(b, mset.ackDomain...)
	if dup {
		b = append(b, `,"duplicate":true`...)
	}
	return append(b, '}')
}

// batchRefusal refuses, by name, an atomic batch publish (Nats-Batch-Id)
// or a fast batch publish (a reply ending in .$FI): jsnode does not have
// them yet, and storing their messages one by one would break their
// all-or-nothing promise.
func batchRefusal(hdr []byte, reply string) *apiError {
	if header(hdr, hdrBatchID) != "" {
		return &apiError{Code: 400, ErrCode: errAtomicPublishDisabled.ErrCode,
			Description: "atomic batch publish is not supported by this server yet"}
	}
	if strings.HasSuffix(reply, ".$FI") {
		return &apiError{Code: 400, ErrCode: errBatchPublishDisabled.ErrCode,
			Description: "fast batch publish is not supported by this server yet"}
	}
	return nil
}

// storeMsg checks a publish against the stream's rules and stores it. It
// returns the sequence (of the original for a duplicate).
func (mset *stream) storeMsg(subj string, hdr, data []byte) (seq uint64, dup bool, e *apiError) {
	cfg := &mset.cfg
	if cfg.Sealed {
		return 0, false, errStreamSealed.ptr()
	}
	if cfg.MaxMsgSize >= 0 && len(hdr)+len(data) > int(cfg.MaxMsgSize) {
		return 0, false, errStreamMessageExceedsMaximum.ptr()
	}
	if len(hdr) > HeadersMax {
		return 0, false, errStreamHeaderExceedsMaximum.ptr()
	}
	now := mset.js().now().UnixNano()
	var ttl int64
	var rollup string
	var msgID string
	if len(hdr) > 0 {
		var err *apiError
		if ttl, rollup, msgID, err = mset.checkHeaders(subj, hdr); err != nil {
			return 0, false, err
		}
		if msgID != "" {
			if seq := mset.dedupe.seen(msgID, now); seq > 0 {
				return seq, true, nil
			}
		}
		if want := header(hdr, hdrExpectedLastMsgID); want != "" && want != mset.lastMsgID {
			return 0, false, errStreamWrongLastMsgID.with("id", mset.lastMsgID)
		}
	}
	if mset.transform != nil {
		if t, err := mset.transform.Apply(subj, mset.js().rand); err == nil {
			subj = t
		}
	}
	if e := mset.checkDiscardNew(subj, hdr, data); e != nil {
		return 0, false, e
	}
	if e := mset.jsa.checkUsage(mset, store.MsgSize(mset.kind(), subj, hdr, data)); e != nil {
		return 0, false, e
	}
	if !mset.keepsMsg(subj) {
		return mset.sequenceOnly(msgID, now)
	}
	var prevSubjLast uint64 // Nats-Last-Sequence of a republish
	if mset.republish != nil {
		prevSubjLast = mset.store.SubjectState(subj).Last
	}
	seq, err := mset.store.Append(subj, hdr, data, now, max(ttl, 0))
	if errors.Is(err, store.ErrTooLarge) {
		return 0, false, errStreamStoreFailed.with("err", errTextMsgTooLarge) // nats-server's text
	}
	if err != nil {
		return 0, false, errStreamStoreFailed.with("err", err.Error())
	}
	if msgID != "" {
		mset.dedupe.add(msgID, seq, now)
		mset.lastMsgID = msgID
	} else {
		mset.lastMsgID = ""
	}
	mset.applyRollup(rollup, subj, seq)
	mset.enforceLimits(subj)
	mset.account()
	mset.republishMsg(subj, hdr, data, seq, now, prevSubjLast)
	mset.scheduleExpiry()
	return seq, false, nil
}

// sequenceOnly answers a publish nobody is interested in: the next
// sequence, remembered for dedupe, with nothing stored.
func (mset *stream) sequenceOnly(msgID string, now int64) (uint64, bool, *apiError) {
	seq, err := mset.skipMsg()
	if err != nil {
		return 0, false, errStreamStoreFailed.with("err", err.Error())
	}
	mset.lastMsgID = msgID
	if msgID != "" {
		mset.dedupe.add(msgID, seq, now)
	}
	return seq, false, nil
}

// checkHeaders applies the publish headers that can refuse a message and
// returns the TTL (ns), rollup and message id they ask for.
func (mset *stream) checkHeaders(subj string, hdr []byte) (ttl int64, rollup, msgID string, e *apiError) {
	cfg := &mset.cfg
	if v, ok := headerUint(hdr, hdrRequiredAPILevel); ok && v > APILevel {
		return 0, "", "", errRequiredApiLevel.ptr()
	} else if !ok && header(hdr, hdrRequiredAPILevel) != "" {
		return 0, "", "", errRequiredApiLevel.ptr()
	}
	if name := header(hdr, hdrExpectedStream); name != "" && name != cfg.Name {
		return 0, "", "", errStreamNotMatch.ptr()
	}
	if v := header(hdr, hdrTTL); v != "" {
		if !cfg.AllowMsgTTL {
			return 0, "", "", errMessageTTLDisabled.ptr()
		}
		t, ok := parseTTL(v)
		if !ok {
			return 0, "", "", errMessageTTLInvalid.ptr()
		}
		ttl = t // "never" (-1): no TTL, and max_age spares it (expireAged)
	}
	if want, ok := headerUint(hdr, hdrExpectedLastSubj); ok {
		on := subj
		if o := header(hdr, hdrExpectedLastSubjOn); o != "" {
			on = o
		}
		var last uint64
		if m, err := mset.store.LoadLast(on); err == nil {
			last = m.Seq
		}
		if last != want {
			return 0, "", "", errStreamWrongLastSequence.with("seq", strconv.FormatUint(last, 10))
		}
	} else if header(hdr, hdrExpectedLastSubjOn) != "" {
		return 0, "", "", errStreamExpectedLastSeqPerSubjectInvalid.ptr()
	}
	if want, ok := headerUint(hdr, hdrExpectedLastSeq); ok {
		if last := mset.store.State().LastSeq; last != want {
			return 0, "", "", errStreamWrongLastSequence.with("seq", strconv.FormatUint(last, 10))
		}
	}
	msgID = header(hdr, hdrMsgID)
	if rollup = header(hdr, hdrRollup); rollup != "" {
		if !cfg.AllowRollup || cfg.DenyPurge {
			return 0, "", "", errStreamRollupFailed.with("err", "rollup not permitted")
		}
		if rollup != rollupSubject && rollup != rollupAll {
			return 0, "", "", errStreamRollupFailed.with("err", "rollup value invalid: "+strconv.Quote(rollup))
		}
	}
	return ttl, rollup, msgID, nil
}

// checkDiscardNew refuses a message a discard-new stream has no room for.
func (mset *stream) checkDiscardNew(subj string, hdr, data []byte) *apiError {
	cfg := &mset.cfg
	if cfg.Discard != DiscardNew {
		return nil
	}
	st := mset.store.State()
	switch {
	case cfg.MaxMsgs > 0 && st.Msgs+1 > uint64(cfg.MaxMsgs):
		return errStreamStoreFailed.with("err", errTextMaxMsgs)
	case cfg.MaxBytes > 0 && st.Bytes+store.MsgSize(mset.kind(), subj, hdr, data) > uint64(cfg.MaxBytes):
		return errStreamStoreFailed.with("err", errTextMaxBytes)
	case cfg.DiscardNewPer && cfg.MaxMsgsPer > 0 && mset.store.SubjectState(subj).Msgs+1 > uint64(cfg.MaxMsgsPer):
		return errStreamStoreFailed.with("err", errTextMaxMsgsPer)
	}
	return nil
}

// applyRollup purges what a rollup message replaces.
func (mset *stream) applyRollup(rollup, subj string, seq uint64) {
	switch rollup {
	case rollupSubject:
		_, _ = mset.store.Purge(subj, seq, 0)
	case rollupAll:
		_, _ = mset.store.Compact(seq)
	}
}

// enforceLimits removes the oldest messages past max_msgs, max_bytes
// and max_msgs_per_subject (subj is the subject just stored).
func (mset *stream) enforceLimits(subj string) {
	cfg := &mset.cfg
	s := mset.store
	if cfg.MaxMsgsPer > 0 {
		for ss := s.SubjectState(subj); ss.Msgs > uint64(cfg.MaxMsgsPer); ss = s.SubjectState(subj) {
			if ok, _ := s.Remove(ss.First, false); !ok {
				break
			}
		}
	}
	for st := s.State(); st.Msgs > 0 && ((cfg.MaxMsgs > 0 && st.Msgs > uint64(cfg.MaxMsgs)) ||
		(cfg.MaxBytes > 0 && st.Bytes > uint64(cfg.MaxBytes))); st = s.State() {
		if ok, _ := s.Remove(st.FirstSeq, false); !ok {
			break
		}
	}
}

// republishMsg republishes a stored message per the republish config.
func (mset *stream) republishMsg(subj string, hdr, data []byte, seq uint64, ts int64, lastSubj uint64) {
	if mset.republish == nil || !mset.republish.Matches(subj) {
		return
	}
	dest, err := mset.republish.Apply(subj, mset.js().rand)
	if err != nil {
		return
	}
	fields := []string{hdrStream, mset.cfg.Name, hdrSubject, subj, hdrSequence, strconv.FormatUint(seq, 10),
		hdrTimeStamp, timeString(ts), hdrLastSequence, strconv.FormatUint(lastSubj, 10)}
	if mset.cfg.RePublish.HeadersOnly {
		fields = append(fields, hdrMsgSize, strconv.Itoa(len(data)))
		data = nil
	}
	mset.jsa.acc.Publish(dest, "", appendFields(hdr, fields...), data)
}
