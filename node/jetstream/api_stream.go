package jetstream

import (
	"slices"
	"strconv"
	"time"

	"jsnode/node/store"
)

// lookup finds the stream the request names.
func (r *apiRequest) lookup() (*stream, *apiError) {
	mset := r.jsa.streams[r.name]
	if mset == nil {
		return nil, errStreamNotFound.ptr()
	}
	return mset, nil
}

// readConfig decodes a create or update request and checks the stream
// name in the subject against the body's.
func (r *apiRequest) readConfig() (*streamConfigRequest, *apiError) {
	var req streamConfigRequest
	if len(r.body) == 0 {
		return nil, errInvalidJSON.with("err", "stream configuration required")
	}
	if e := r.decode(&req); e != nil {
		return nil, e
	}
	if req.Pedantic {
		var strict streamConfigRequest
		if e := r.decodeStrict(&strict); e != nil {
			return nil, pedanticErr(e.Description)
		}
	}
	if req.Name == "" {
		req.Name = r.name
	}
	if req.Name != r.name {
		return nil, errStreamMismatch.ptr()
	}
	return &req, nil
}

// streamCreate answers STREAM.CREATE.<name>.
func (r *apiRequest) streamCreate() any {
	resp := &streamCreateResponse{apiResponse: apiResponse{Type: typeStreamCreate}}
	req, e := r.readConfig()
	if e != nil {
		resp.Error = e
		return resp
	}
	jsa := r.jsa
	cfg, e := jsa.checkConfig(&req.StreamConfig, req.Pedantic)
	if e != nil {
		resp.Error = e
		return resp
	}
	if old := jsa.streams[cfg.Name]; old != nil {
		if !sameConfig(old.cfg, cfg) {
			resp.Error = errStreamNameExist.ptr()
			return resp
		}
		resp.StreamInfo = old.info(false, "", 0)
		return resp
	}
	if e := jsa.checkNewStream(&cfg); e != nil {
		resp.Error = e
		return resp
	}
	setStaticMetadata(&cfg)
	mset, e := jsa.addStream(cfg)
	if e != nil {
		resp.Error = e
		return resp
	}
	resp.StreamInfo, resp.DidCreate = mset.info(false, "", 0), true
	return resp
}

// checkNewStream applies the account and server limits and the subject
// overlap rule to a stream about to be created.
func (jsa *jsAccount) checkNewStream(cfg *StreamConfig) *apiError {
	if l := jsa.limits.MaxStreams; l > 0 && len(jsa.streams) >= l {
		return errMaximumStreamsLimit.ptr()
	}
	if e := jsa.checkOverlap(cfg, ""); e != nil {
		return e
	}
	return jsa.checkReservation(cfg, 0)
}

// checkOverlap refuses subjects another stream (not skip) captures.
func (jsa *jsAccount) checkOverlap(cfg *StreamConfig, skip string) *apiError {
	for _, name := range jsa.streamNames("") {
		if name == skip {
			continue
		}
		other := jsa.streams[name]
		for _, s := range cfg.Subjects {
			if other.captures(s) {
				return errStreamSubjectOverlap.ptr()
			}
		}
	}
	return nil
}

// checkReservation refuses a max_bytes the server or account cannot
// reserve (old is what the stream already reserves, for updates).
func (jsa *jsAccount) checkReservation(cfg *StreamConfig, old int64) *apiError {
	want := max(cfg.MaxBytes, 0) - old
	if want <= 0 {
		return nil
	}
	js := jsa.js
	_, _, resMem, resStore := js.usage()
	u := jsa.usage()
	if cfg.Storage == MemoryStorage {
		if int64(resMem)+want > js.opts.MaxMemory {
			return errMemoryResourcesExceeded.ptr()
		}
		if l := jsa.limits.MaxMemory; l >= 0 && int64(u.ReservedMemory)+want > l {
			return errMemoryResourcesExceeded.ptr()
		}
		return nil
	}
	if int64(resStore)+want > js.opts.MaxStore {
		return errStorageResourcesExceeded.ptr()
	}
	if l := jsa.limits.MaxStore; l >= 0 && int64(u.ReservedStore)+want > l {
		return errStorageResourcesExceeded.ptr()
	}
	return nil
}

// streamUpdate answers STREAM.UPDATE.<name>.
func (r *apiRequest) streamUpdate() any {
	resp := &streamCreateResponse{apiResponse: apiResponse{Type: typeStreamUpdate}}
	req, e := r.readConfig()
	if e != nil {
		resp.Error = e
		return resp
	}
	mset, e := r.lookup()
	if e != nil {
		resp.Error = e
		return resp
	}
	jsa := r.jsa
	cfg, e := jsa.checkUpdate(&mset.cfg, &req.StreamConfig, req.Pedantic)
	if e == nil {
		e = jsa.checkOverlap(&cfg, cfg.Name)
	}
	if e == nil {
		e = jsa.checkReservation(&cfg, max(mset.cfg.MaxBytes, 0))
	}
	if e == nil {
		setStaticMetadata(&cfg)
		e = mset.update(cfg)
	}
	if e != nil {
		resp.Error = e
		return resp
	}
	resp.StreamInfo = mset.info(false, "", 0)
	return resp
}

// update applies a checked config: new subjects, limits and windows.
func (mset *stream) update(cfg StreamConfig) *apiError {
	old := mset.cfg
	mset.cfg = cfg
	if mset.dir != "" {
		if err := mset.jsa.writeMeta(mset); err != nil {
			mset.cfg = old
			return errStreamUpdate.with("err", err.Error())
		}
	}
	mset.unsubscribe()
	if err := mset.start(); err != nil {
		mset.cfg = old
		_ = mset.start()
		return errStreamUpdate.with("err", err.Error())
	}
	if cfg.Compression != old.Compression {
		mset.setCompression()
	}
	mset.dedupe.window = cfg.Duplicates
	mset.dedupe.expire(mset.js().now().UnixNano())
	mset.dropUninterested()
	mset.enforceAllLimits()
	return nil
}

// enforceAllLimits applies lowered limits to every subject.
func (mset *stream) enforceAllLimits() {
	if mset.cfg.MaxMsgsPer > 0 {
		subs := mset.store.Subjects("")
		names := make([]string, 0, len(subs))
		for s, ss := range subs {
			if ss.Msgs > uint64(mset.cfg.MaxMsgsPer) {
				names = append(names, s)
			}
		}
		slices.Sort(names)
		for _, s := range names {
			mset.enforceLimits(s)
		}
	}
	mset.enforceLimits("")
	mset.account()
	mset.scheduleExpiry()
}

// streamInfo answers STREAM.INFO.<name>.
func (r *apiRequest) streamInfo() any {
	resp := &streamInfoResponse{apiResponse: apiResponse{Type: typeStreamInfo}}
	var req streamInfoRequest
	if e := r.decode(&req); e != nil {
		resp.Error = e
		return resp
	}
	mset, e := r.lookup()
	if e != nil {
		resp.Error = e
		return resp
	}
	resp.StreamInfo = mset.info(req.DeletedDetails, req.SubjectsFilter, req.Offset)
	if req.SubjectsFilter != "" {
		resp.apiPaged = apiPaged{Total: len(mset.store.Subjects(req.SubjectsFilter)), Offset: req.Offset,
			Limit: SubjectDetailsMax}
	}
	return resp
}

// info is the stream's StreamInfo; with a filter it lists the matching
// subjects' counts (a page of SubjectDetailsMax from offset).
func (mset *stream) info(deleted bool, filter string, offset int) *StreamInfo {
	js := mset.js()
	st := mset.store.State()
	si := &StreamInfo{Config: withDynamicMetadata(mset.cfg), Created: mset.created, Domain: js.opts.Domain,
		Cluster: &ClusterInfo{Name: js.clusterName, Leader: js.serverName}, TimeStamp: js.now().UTC()}
	si.State = StreamState{Msgs: st.Msgs, Bytes: st.Bytes, FirstSeq: st.FirstSeq, LastSeq: st.LastSeq,
		FirstTime: unixTime(st.FirstTime), LastTime: unixTime(st.LastTime), NumSubjects: st.NumSubjects,
		NumDeleted: st.NumDeleted}
	if st.Lost != nil {
		si.State.Lost = &LostStreamData{Msgs: st.Lost.Msgs, Bytes: st.Lost.Bytes}
	}
	if deleted {
		si.State.Deleted = mset.store.Deleted()
	}
	if filter != "" {
		si.State.Subjects = subjectPage(mset.store.Subjects(filter), offset)
	}
	return si
}

// subjectPage returns SubjectDetailsMax subjects from offset, in
// subject order.
func subjectPage(subs map[string]store.SubjectState, offset int) map[string]uint64 {
	names := make([]string, 0, len(subs))
	for s := range subs {
		names = append(names, s)
	}
	slices.Sort(names)
	if offset > len(names) {
		offset = len(names)
	}
	names = names[max(offset, 0):]
	if len(names) > SubjectDetailsMax {
		names = names[:SubjectDetailsMax]
	}
	out := make(map[string]uint64, len(names))
	for _, s := range names {
		out[s] = subs[s].Msgs
	}
	return out
}

// unixTime is a stored time as JSON shows it (the zero time for 0).
func unixTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// streamDelete answers STREAM.DELETE.<name>.
func (r *apiRequest) streamDelete() any {
	resp := &successResponse{apiResponse: apiResponse{Type: typeStreamDelete}}
	mset, e := r.lookup()
	if e != nil {
		resp.Error = e
		return resp
	}
	delete(r.jsa.streams, mset.cfg.Name)
	if err := mset.stop(true); err != nil {
		resp.Error = errStreamGeneralError.with("err", err.Error())
		return resp
	}
	resp.Success = true
	return resp
}

// streamPurge answers STREAM.PURGE.<name>.
func (r *apiRequest) streamPurge() any {
	resp := &streamPurgeResponse{apiResponse: apiResponse{Type: typeStreamPurge}}
	var req streamPurgeRequest
	if resp.Error = r.readBody(&req, false); resp.Error != nil {
		return resp
	}
	if req.Sequence > 0 && req.Keep > 0 {
		resp.Error = errBadRequest.ptr()
		return resp
	}
	mset, e := r.lookup()
	if e == nil {
		e = mset.refuseChange(mset.cfg.DenyPurge, errStreamPurgeFailed.with("err", "stream purge not permitted"))
	}
	if e != nil {
		resp.Error = e
		return resp
	}
	n, err := mset.purge(&req)
	if err != nil {
		resp.Error = errStreamGeneralError.with("err", err.Error())
		return resp
	}
	resp.Purged, resp.Success = n, true
	return r.whenDurable(mset, resp, func(err error) {
		resp.Purged, resp.Success = 0, false
		resp.Error = errStreamGeneralError.with("err", err.Error())
	})
}

// whenDurable sends resp once everything the request changed in mset's
// store is durable (onErr turns it into the failure if the sync fails)
// and returns nil: the answer comes later. An acknowledged delete or purge
// must survive a power loss as an acknowledged publish does; answered at
// once, its tombstones could still be lost and the messages come back.
// Reads use it too: a message served before its sync and then lost with
// it in a crash would have been seen yet never have existed (a dirty
// read), and a "not found" could rest on a removal a crash undoes. The
// wait is the group commit's, and none when nothing is pending.
func (r *apiRequest) whenDurable(mset *stream, resp any, onErr func(error)) any {
	jsa, reply := r.jsa, r.reply
	mset.store.WhenDurable(func(err error) {
		if err != nil {
			onErr(err)
		}
		jsa.answer(reply, resp)
	})
	return nil
}

// refuseChange is the error for removing messages from mset: a sealed
// stream refuses any, and deny (deny_delete or deny_purge) with denied.
func (mset *stream) refuseChange(deny bool, denied *apiError) *apiError {
	switch {
	case mset.cfg.Sealed:
		return errStreamSealed.ptr()
	case deny:
		return denied
	}
	return nil
}

// purge removes what a purge request names.
func (mset *stream) purge(req *streamPurgeRequest) (uint64, error) {
	s := mset.store
	var n uint64
	var err error
	switch {
	case store.MatchAll(req.Subject) && req.Sequence > 0:
		n, err = s.Compact(req.Sequence)
	case store.MatchAll(req.Subject) && req.Keep > 0:
		st := s.State()
		if st.Msgs <= req.Keep {
			return 0, nil
		}
		n, err = s.Purge("", 0, req.Keep)
	default:
		n, err = s.Purge(req.Subject, req.Sequence, req.Keep)
	}
	mset.account()
	mset.scheduleExpiry()
	return n, err
}

// streamNames answers STREAM.NAMES.
func (r *apiRequest) streamNames() any {
	resp := &streamNamesResponse{apiResponse: apiResponse{Type: typeStreamNames}}
	var req streamNamesRequest
	if e := r.decode(&req); e != nil {
		resp.Error = e
		return resp
	}
	names := r.jsa.streamNames(req.Subject)
	resp.apiPaged = apiPaged{Total: len(names), Offset: req.Offset, Limit: NamesLimit}
	resp.Streams = page(names, req.Offset, NamesLimit)
	return resp
}

// streamList answers STREAM.LIST.
func (r *apiRequest) streamList() any {
	resp := &streamListResponse{apiResponse: apiResponse{Type: typeStreamList}}
	var req streamNamesRequest
	if e := r.decode(&req); e != nil {
		resp.Error = e
		return resp
	}
	names := r.jsa.streamNames(req.Subject)
	resp.apiPaged = apiPaged{Total: len(names), Offset: req.Offset, Limit: ListLimit}
	resp.Streams = []*StreamInfo{}
	for _, name := range page(names, req.Offset, ListLimit) {
		resp.Streams = append(resp.Streams, r.jsa.streams[name].info(false, "", 0))
	}
	return resp
}

// page returns up to limit items from offset.
func page(items []string, offset, limit int) []string {
	offset = min(max(offset, 0), len(items))
	items = items[offset:]
	if len(items) > limit {
		items = items[:limit]
	}
	if items == nil {
		items = []string{}
	}
	return items
}

// msgDelete answers STREAM.MSG.DELETE.<name>.
func (r *apiRequest) msgDelete() any {
	resp := &successResponse{apiResponse: apiResponse{Type: typeMsgDelete}}
	var req msgDeleteRequest
	if resp.Error = r.readBody(&req, true); resp.Error != nil {
		return resp
	}
	mset, e := r.lookup()
	if e == nil {
		e = mset.refuseChange(mset.cfg.DenyDelete, errStreamMsgDeleteFailed.with("err", "message delete not permitted"))
	}
	if e != nil {
		resp.Error = e
		return resp
	}
	removed, err := mset.store.Remove(req.Seq, !req.NoErase)
	switch {
	case err != nil && err != store.ErrNotFound && err != store.ErrDeleted:
		resp.Error = errStreamMsgDeleteFailed.with("err", err.Error())
	case !removed:
		resp.Error = errSequenceNotFound.with("seq", strconv.FormatUint(req.Seq, 10))
	default:
		resp.Success = true
		mset.account()
		mset.scheduleExpiry()
		return r.whenDurable(mset, resp, func(err error) {
			resp.Success, resp.Error = false, errStreamMsgDeleteFailed.with("err", err.Error())
		})
	}
	return resp
}
