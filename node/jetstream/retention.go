package jetstream

// Retention policies at the stream's level. limits keeps messages until a
// limit removes them. workqueue and interest also remove a message once
// the consumers it was meant for have acknowledged it; that half belongs
// to consumers (a stream has none yet on this server), so here:
//
//   - workqueue keeps every message until a limit removes it, as a work
//     queue with no consumer does: the work waits for a worker;
//   - interest stores only what some consumer is interested in. With no
//     consumer, nothing is: a publish takes the next sequence (acked, and
//     remembered for dedupe) but is not kept, as nats-server skips it.

// interested reports whether some consumer of the stream would take a
// message on subj. Streams have no consumers on this server yet.
func (mset *stream) interested(subj string) bool { return false }

// keepsMsg reports whether a publish on subj is stored or only sequenced.
func (mset *stream) keepsMsg(subj string) bool {
	return mset.cfg.Retention != InterestPolicy || mset.interested(subj)
}

// skipMsg gives a publish nobody is interested in its sequence without
// storing it: the store moves its next sequence past it. The store of an
// interest stream without interest holds nothing (dropUninterested), so
// this is the store's empty-store Compact.
func (mset *stream) skipMsg() (uint64, error) {
	st := mset.store.State()
	if st.Msgs > 0 {
		// an interest stream without consumers keeps nothing; if it
		// does, drop it before moving on (never served to a consumer)
		if _, err := mset.store.Compact(st.LastSeq + 1); err != nil {
			return 0, err
		}
	}
	seq := st.LastSeq + 1
	if _, err := mset.store.Compact(seq + 1); err != nil {
		return 0, err
	}
	return seq, nil
}

// dropUninterested removes what no consumer is interested in, when a
// stream becomes an interest stream: without consumers, everything.
func (mset *stream) dropUninterested() {
	if mset.cfg.Retention != InterestPolicy {
		return
	}
	if st := mset.store.State(); st.Msgs > 0 && !mset.interested(">") {
		_, _ = mset.store.Compact(st.LastSeq + 1)
	}
}
