package auth

import (
	"time"

	"jsnode/node/subject"
)

// Cache bounds. The server asks CanPublish on every PUB and DeliverDenied
// on every delivery, so decisions are memoized per subject; a full cache
// is emptied (cheap at these sizes, and no map-order dependence).
const (
	maxPublishCacheSize = 128 // nats-server's maxPermCacheSize
	maxDenyCacheSize    = 256 // nats-server's maxDenyPermCacheSize
)

// Checker is one connection's compiled permissions, with decision caches
// and allow_responses state. It is not safe for concurrent use (it lives
// on the connection's event loop). A nil *Checker allows everything.
type Checker struct {
	publish   *publishRules   // nil: every publish allowed
	subscribe *subscribeRules // nil: every subscription allowed
	responses *replyTracker   // nil: no allow_responses

	publishCache      map[string]bool // static publish decision by subject
	denyCache         map[string]bool // DeliverDenied by subject
	publishCacheLimit int             // maxPublishCacheSize; tests lower it
	denyCacheLimit    int             // maxDenyCacheSize; tests lower it
}

// publishRules are compiled publish permissions. allowAll is set when the
// allow list is empty and allow_responses is off: everything not denied.
type publishRules struct {
	allowAll bool
	allow    []entry
	deny     []entry
}

// subscribeRules are compiled subscribe permissions, split into plain
// lines and "subject queue" lines.
type subscribeRules struct {
	allowAll    bool
	allow       []entry
	allowQueues []entry
	deny        []entry
	denyQueues  []entry
}

// NewChecker compiles p. It returns nil (allow everything) for nil p.
//
// As in nats-server, allow_responses (p.Response) without a publish allow
// list turns the implicit "allow everything" off: the client may then
// publish only replies to messages it received (and anything a publish
// allow line names, if there are any).
func NewChecker(p *Permissions) *Checker {
	if p == nil {
		return nil
	}
	k := &Checker{
		publishCache:      make(map[string]bool),
		denyCache:         make(map[string]bool),
		publishCacheLimit: maxPublishCacheSize,
		denyCacheLimit:    maxDenyCacheSize,
	}
	if p.Publish != nil || p.Response != nil {
		k.publish = compilePublish(p.Publish, p.Response != nil)
	}
	if p.Subscribe != nil {
		k.subscribe = compileSubscribe(p.Subscribe)
	}
	if p.Response != nil {
		k.responses = newReplyTracker(*p.Response)
	}
	return k
}

func compilePublish(sp *SubjectPermission, responsesOnly bool) *publishRules {
	r := &publishRules{}
	if sp != nil {
		r.allow = compileEntries(sp.Allow, parsePublishEntry)
		r.deny = compileEntries(sp.Deny, parsePublishEntry)
	}
	r.allowAll = (sp == nil || len(sp.Allow) == 0) && !responsesOnly
	return r
}

func compileSubscribe(sp *SubjectPermission) *subscribeRules {
	r := &subscribeRules{allowAll: len(sp.Allow) == 0}
	for _, e := range compileEntries(sp.Allow, parseSubscribeEntry) {
		if e.queue == "" {
			r.allow = append(r.allow, e)
		} else {
			r.allowQueues = append(r.allowQueues, e)
		}
	}
	for _, e := range compileEntries(sp.Deny, parseSubscribeEntry) {
		if e.queue == "" {
			r.deny = append(r.deny, e)
		} else {
			r.denyQueues = append(r.denyQueues, e)
		}
	}
	return r
}

// CanPublish reports whether the client may publish to the literal subject
// at now. A subject the publish rules refuse is still allowed if it is the
// reply subject of a message delivered to this client (NoteReply) within
// the allow_responses bounds; such a publish uses up one of its replies.
func (k *Checker) CanPublish(subj string, now time.Time) bool {
	if k == nil || k.publish == nil {
		return true
	}
	if k.publishAllowed(subj) {
		return true
	}
	return k.responses != nil && k.responses.use(subj, now)
}

// publishAllowed is the static (cached) publish decision.
func (k *Checker) publishAllowed(subj string) bool {
	if allowed, ok := k.publishCache[subj]; ok {
		return allowed
	}
	r := k.publish
	allowed := (r.allowAll || matchesAny(r.allow, subj)) && !matchesAny(r.deny, subj)
	if len(k.publishCache) >= k.publishCacheLimit {
		clear(k.publishCache)
	}
	k.publishCache[subj] = allowed
	return allowed
}

// matchesAny reports whether some line's pattern matches the literal subj.
func matchesAny(lines []entry, subj string) bool {
	for _, e := range lines {
		if subject.Match(e.pattern, subj) {
			return true
		}
	}
	return false
}

// CanSubscribe reports whether the client may subscribe to sub (which may
// have wildcards) in queue group queue ("" for none).
//
// Allow: a wildcard subscription needs an allow line covering all of it
// ("foo.*" is allowed by "foo.*" and "foo.>", not by "foo.bar"; unlike
// nats-server's sublist lookup, "foo.>" is not allowed by "foo.*"). Plain
// lines allow any queue; when "subject queue" lines cover a queued
// subscription, its queue must be one they name (as in nats-server).
//
// Deny: a subscription is refused when a deny line matches its subject the
// way nats-server's sublist does (a deny "foo.*" refuses "foo.*", "foo.bar"
// and "foo.>"). One that merely overlaps a deny ("foo.*" against deny
// "foo.bar") is allowed, and DeliverDenied filters its messages. A queued
// subscription is also refused when a "subject queue" deny line matching
// its subject names its queue (nats-server lets such a line override a
// matching plain deny line; here both refuse).
func (k *Checker) CanSubscribe(sub, queue string) bool {
	if k == nil || k.subscribe == nil {
		return true
	}
	r := k.subscribe
	allowed := r.allowAll || coversAny(r.allow, sub)
	if queue != "" && !r.allowAll {
		if lines := covering(r.allowQueues, sub); len(lines) > 0 {
			allowed = queueMatches(queue, lines)
		}
	}
	if !allowed || matchesAny(r.deny, sub) {
		return false
	}
	if queue != "" {
		if lines := matching(r.denyQueues, sub); len(lines) > 0 && queueMatches(queue, lines) {
			return false
		}
	}
	return true
}

// coversAny reports whether some line's pattern matches every subject sub
// can match.
func coversAny(lines []entry, sub string) bool {
	for _, e := range lines {
		if subject.SubsetOf(sub, e.pattern) {
			return true
		}
	}
	return false
}

// covering returns the lines whose pattern covers all of sub.
func covering(lines []entry, sub string) []entry {
	var out []entry
	for _, e := range lines {
		if subject.SubsetOf(sub, e.pattern) {
			out = append(out, e)
		}
	}
	return out
}

// matching returns the lines whose pattern matches sub's tokens.
func matching(lines []entry, sub string) []entry {
	var out []entry
	for _, e := range lines {
		if subject.Match(e.pattern, sub) {
			out = append(out, e)
		}
	}
	return out
}

// DeliverDenied reports whether a message on the literal subject must not
// be delivered to this client because a plain subscribe deny line matches
// it. Only wildcard subscriptions that overlap a deny can see such
// messages (any other denied subscription was refused), so the server may
// ask for every delivery; nats-server filters the same way.
func (k *Checker) DeliverDenied(subj string) bool {
	if k == nil || k.subscribe == nil || len(k.subscribe.deny) == 0 {
		return false
	}
	if denied, ok := k.denyCache[subj]; ok {
		return denied
	}
	denied := matchesAny(k.subscribe.deny, subj)
	if len(k.denyCache) >= k.denyCacheLimit {
		clear(k.denyCache)
	}
	k.denyCache[subj] = denied
	return denied
}

// NoteReply records that a message with reply subject reply was delivered
// to this client at now, so that with allow_responses the client may
// publish to it (see CanPublish). Without allow_responses it does nothing.
func (k *Checker) NoteReply(reply string, now time.Time) {
	if k == nil || k.responses == nil || reply == "" {
		return
	}
	k.responses.note(reply, now)
}
