package store

import "jsnode/node/store/internal/msgindex"

// The helpers below let both stores (this package and filestore) turn the
// shared index's answers into the interface's types. They are exported
// only for filestore; callers of a Store never need them.

// Expiry is the absolute expiry of a message stored at ts with ttl (0:
// none).
func Expiry(ts, ttl int64) int64 {
	if ttl <= 0 {
		return 0
	}
	return ts + ttl
}

// StatusErr is the error of a load of a sequence holding no message.
func StatusErr(st msgindex.Status) error {
	if st == msgindex.Deleted {
		return ErrDeleted
	}
	return ErrNotFound
}

// StateOf builds a State from the index summary and the lost list.
func StateOf(s msgindex.Summary, lost *Lost) State {
	return State{
		Msgs: s.Msgs, Bytes: s.Bytes, FirstSeq: s.FirstSeq, FirstTime: s.FirstTime,
		LastSeq: s.LastSeq, LastTime: s.LastTime, NumSubjects: s.NumSubjects,
		NumDeleted: s.NumDeleted, Lost: lost,
	}
}

// SubjectsOf is Subjects over an index.
func SubjectsOf[P any](x *msgindex.Index[P], filter string) map[string]SubjectState {
	out := map[string]SubjectState{}
	x.Subjects(filter, func(name string, c msgindex.Counts) { out[name] = SubjectState(c) })
	return out
}
