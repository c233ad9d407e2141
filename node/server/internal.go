package server

import (
	"errors"
	"strconv"
	"strings"

	"jsnode/node/subject"
)

// Internal messaging: subscriptions and publishes that belong to the
// server itself (RAFT groups, internal services) rather than to a client
// connection. They use the same subscription index and the same routing
// as clients, so an internal subscription is announced to the routes
// (RS+/RS-) like any local one, a message published internally reaches
// internal and client subscriptions on this server directly and those on
// other servers as RMSG, and a routed message reaches internal
// subscriptions here.
//
// Handlers and re-entrancy: a handler runs on the server's loop, in the
// event that delivered its message, but never inside the routing of a
// message. Deliveries to internal subscriptions are queued while a
// message is routed and the queue is run once routing is over (after a
// client's PUB, a routed RMSG or an Account.Publish), in delivery order.
// So a handler may publish (its messages are queued behind the current
// one and handled before the outer call returns), subscribe and
// unsubscribe; a subscription removed before its queued message runs does
// not see it. A handler must not block, and the msg it gets is its own
// copy (a Msg with the header block and the payload).
//
// Every internal subscription belongs to an account. Server services
// (RAFT groups, the system account's requests) live in the system
// account, as in nats-server. $NRG. subjects are internal-only: clients
// may not publish to them (publishAllowed) and client subscriptions (such
// as "SUB >") never receive them.

// internalQueueMax bounds the deliveries to internal handlers queued
// within one event, and how many handlers one run of the queue calls. A
// handler that keeps publishing to itself would otherwise run forever;
// past the bound deliveries are dropped and counted, as a slow
// consumer's would be.
const internalQueueMax = 1 << 16

// internalSIDPrefix starts the sids of internal subscriptions, which no
// client can produce (client sids are the client's own namespace anyway).
const internalSIDPrefix = "$I"

// Errors of internal messaging.
var (
	// ErrBadInternalSubscription means the subject or queue name of an
	// internal subscription is invalid, or the handler is nil.
	ErrBadInternalSubscription = errors.New("server: invalid internal subscription")
	// ErrServerStopped means the server has shut down.
	ErrServerStopped = errors.New("server: stopped")
)

// InternalStats counts internal messaging.
type InternalStats struct {
	// Subscriptions is the number of live internal subscriptions.
	Subscriptions int
	// Published counts internal publishes that were routed.
	Published int64
	// Delivered counts messages handed to internal handlers.
	Delivered int64
	// Dropped counts publishes refused (invalid subject, server not
	// running) and deliveries dropped because the queue was full.
	Dropped int64
}

// internalState is the server's internal messaging state.
type internalState struct {
	queue   []internalMsg
	head    int
	running bool
	stats   InternalStats
}

// Msg is a message delivered to an internal subscription. The handler
// owns it: Header and Data are a private copy.
type Msg struct {
	Subject string
	Reply   string
	// Header is the complete header block ("NATS/1.0..."), or nil.
	Header []byte
	Data   []byte
	// Account is the account the subscription belongs to.
	Account *Account
	// from is the connection the message came in on (a client, a route,
	// or an internal client), for services that answer about the
	// requester.
	from *client
}

// MsgHandler receives internal deliveries.
type MsgHandler func(m *Msg)

// internalMsg is one delivery waiting for its handler.
type internalMsg struct {
	sub *subscription
	msg *Msg
}

// Subscribe subscribes handler to subj (in queue group queue when not
// empty) in account a on behalf of the server. The subscription takes
// part in routing, imports and route interest like a client's. It returns
// the function that removes it (safe to call more than once, also from a
// handler). See the comment at the top of internal.go for when handlers
// run.
func (a *Account) Subscribe(subj, queue string, handler MsgHandler) (unsubscribe func(), err error) {
	return a.subscribeInternal(subj, queue, handler)
}

func (a *Account) subscribeInternal(subj, queue string, handler MsgHandler) (func(), error) {
	return a.subscribeInternalScope(subj, queue, false, handler)
}

// subscribeInternalScope is subscribeInternal; local subscriptions are
// not announced to the routes (only this server's clients reach them).
func (a *Account) subscribeInternalScope(subj, queue string, local bool, handler MsgHandler) (func(), error) {
	s := a.srv
	if handler == nil || !subject.ValidSubscribe(subj) || strings.ContainsAny(queue, " \t\r\n") {
		return nil, ErrBadInternalSubscription
	}
	if s.state == stateShuttingDown || s.state == stateStopped {
		return nil, ErrServerStopped
	}
	c := a.internal
	c.subSeq++
	sid := internalSIDPrefix + strconv.FormatUint(c.subSeq, 10)
	sub := &subscription{client: c, acc: a, subject: strings.Clone(subj), queue: strings.Clone(queue),
		sid: sid, seq: c.subSeq, handler: handler, local: local}
	if err := a.index.Insert(sub.subject, sub.queue, sub); err != nil {
		return nil, errors.Join(ErrBadInternalSubscription, err)
	}
	c.subs[sid] = sub
	s.internal.stats.Subscriptions++
	a.localSubAdded(sub)
	a.addShadows(sub, 0)
	return func() { s.unsubscribeInternal(sub) }, nil
}

func (s *Server) unsubscribeInternal(sub *subscription) {
	if sub.removed {
		return
	}
	s.internal.stats.Subscriptions--
	sub.client.removeSub(sub)
}

// Publish routes a message from the server itself in account a: to
// matching internal and client subscriptions here (imports included) and,
// in a cluster, to the routes with interest. hdr is a complete NATS/1.0
// header block or empty. Nothing is retained: the caller may reuse hdr
// and msg. A publish with an invalid subject or reply, or while the
// server is not running, is dropped and counted (InternalStats.Dropped).
// Handlers of local internal subscriptions have run when it returns,
// unless it was called from a handler (then they run after that handler).
func (a *Account) Publish(subj, reply string, hdr, msg []byte) {
	s := a.srv
	in := &s.internal
	if s.state != stateRunning && s.state != stateLameDuck {
		in.stats.Dropped++
		return
	}
	if !subject.ValidPublish(subj) || (reply != "" && !subject.ValidPublish(reply)) {
		in.stats.Dropped++
		return
	}
	body, hdrLen := msg, 0
	if len(hdr) > 0 {
		body = make([]byte, 0, len(hdr)+len(msg))
		body = append(append(body, hdr...), msg...)
		hdrLen = len(hdr)
	}
	in.stats.Published++
	a.route(a.internal, []byte(subj), []byte(reply), hdrLen, body)
	s.runInternal()
}

// InternalStats returns the internal messaging counters.
func (s *Server) InternalStats() InternalStats { return s.internal.stats }

// queueInternal queues one delivery to an internal subscription (the
// deliver step for subscriptions with a handler). It reports whether the
// message was taken.
func (s *Server) queueInternal(src *client, sub *subscription, subj, reply []byte, hdrLen int, msg []byte) bool {
	in := &s.internal
	if sub.removed {
		return false
	}
	if len(in.queue) >= internalQueueMax { // head resets only when a run ends
		in.stats.Dropped++
		return false
	}
	buf := append([]byte(nil), msg...)
	m := &Msg{Subject: string(subj), Reply: string(reply), Data: buf[hdrLen:], Account: sub.acc, from: src}
	if hdrLen > 0 {
		m.Header = buf[:hdrLen:hdrLen]
	}
	in.queue = append(in.queue, internalMsg{sub: sub, msg: m})
	return true
}

// runInternal runs the queued internal deliveries, unless they are
// already being run further up the stack (a handler publishing), in which
// case that outer call picks up the new ones.
func (s *Server) runInternal() {
	in := &s.internal
	if in.running || in.head == len(in.queue) {
		return
	}
	in.running = true
	for in.head < len(in.queue) {
		m := in.queue[in.head]
		in.queue[in.head] = internalMsg{}
		in.head++
		if m.sub.removed {
			continue
		}
		in.stats.Delivered++
		m.sub.handler(m.msg)
	}
	in.queue, in.head = in.queue[:0], 0
	in.running = false
}

// internalOnly reports subjects that only internal subscriptions receive.
func internalOnly(subj []byte) bool {
	return len(subj) > 0 && subj[0] == '$' && hasPrefix(subj, nrgPrefix)
}
