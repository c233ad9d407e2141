package auth

import (
	"cmp"
	"slices"
	"time"
)

// Reply-tracking bounds for allow_responses. A client receiving many
// requests it never answers must not grow the table without limit: past
// maxTrackedReplies, used-up and expired grants are dropped, then, if still
// too many, the oldest ones, down to the limit less 1/replyEvictDivisor of
// it (so eviction, which sorts, runs once per many deliveries).
const (
	maxTrackedReplies = 4096 // nats-server's replyPermLimit
	replyEvictDivisor = 8
)

// replyTracker holds the reply subjects this client may publish to.
type replyTracker struct {
	maxMsgs int           // replies per grant; <= 0 means unlimited
	expires time.Duration // grant lifetime; <= 0 means forever
	grants  map[string]*replyGrant
	seq     uint64 // orders grants by age for eviction
	limit   int    // maxTrackedReplies; tests lower it
}

// replyGrant is one delivered message's reply subject.
type replyGrant struct {
	at   time.Time // when the message was delivered
	used int       // replies published so far
	seq  uint64
}

// newReplyTracker applies nats-server's defaults for zero fields.
func newReplyTracker(rp ResponsePermission) *replyTracker {
	if rp.MaxMsgs == 0 {
		rp.MaxMsgs = DefaultResponseMaxMsgs
	}
	if rp.Expires == 0 {
		rp.Expires = DefaultResponseExpires
	}
	return &replyTracker{
		maxMsgs: rp.MaxMsgs,
		expires: rp.Expires,
		grants:  make(map[string]*replyGrant),
		limit:   maxTrackedReplies,
	}
}

// note grants (or renews) reply at now.
func (t *replyTracker) note(reply string, now time.Time) {
	t.seq++
	t.grants[reply] = &replyGrant{at: now, seq: t.seq}
	if len(t.grants) > t.limit {
		t.prune(now)
	}
}

// use spends one reply on subj if a live grant exists. A grant that is used
// up or expired is removed and refuses.
func (t *replyTracker) use(subj string, now time.Time) bool {
	g := t.grants[subj]
	if g == nil {
		return false
	}
	g.used++
	if (t.maxMsgs > 0 && g.used > t.maxMsgs) || t.expired(g, now) {
		delete(t.grants, subj)
		return false
	}
	return true
}

// expired reports whether g is older than the grant lifetime (a grant
// exactly expires old is still valid, as in nats-server).
func (t *replyTracker) expired(g *replyGrant, now time.Time) bool {
	return t.expires > 0 && now.Sub(g.at) > t.expires
}

// prune drops dead grants, then the oldest live ones if still over limit.
// Deletion by a per-grant predicate gives the same result in any map order;
// eviction sorts by age, so the table stays deterministic.
func (t *replyTracker) prune(now time.Time) {
	for reply, g := range t.grants {
		if (t.maxMsgs > 0 && g.used >= t.maxMsgs) || t.expired(g, now) {
			delete(t.grants, reply)
		}
	}
	if len(t.grants) <= t.limit {
		return
	}
	replies := make([]string, 0, len(t.grants))
	for reply := range t.grants {
		replies = append(replies, reply)
	}
	slices.SortFunc(replies, func(a, b string) int {
		return cmp.Compare(t.grants[a].seq, t.grants[b].seq)
	})
	keep := t.limit - t.limit/replyEvictDivisor
	for _, reply := range replies[:len(replies)-keep] {
		delete(t.grants, reply)
	}
}
