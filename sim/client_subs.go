package sim

import (
	"strings"
	"time"

	"jsnode/clock"
	"jsnode/node/proto"
)

// Sub is a client subscription. It survives reconnects: the client sends
// it again on each new session.
type Sub struct {
	c       *Client
	sid     int64
	Subject string
	Queue   string
	cb      func(Msg)

	max       int64 // auto-unsubscribe after this many messages; 0 = none
	delivered int64
	closed    bool

	confirmedGen int
	confirmedAt  time.Duration
	confirms     []SubConfirm
}

// SubConfirm records that the server had processed a subscription on
// session Gen by world time At.
type SubConfirm struct {
	Gen int
	At  time.Duration
}

// Confirmations lists every confirmation, in order.
func (s *Sub) Confirmations() []SubConfirm { return append([]SubConfirm(nil), s.confirms...) }

// ConfirmedBefore returns the last confirmation at or before t.
func (s *Sub) ConfirmedBefore(t time.Duration) (SubConfirm, bool) {
	for i := len(s.confirms) - 1; i >= 0; i-- {
		if s.confirms[i].At <= t {
			return s.confirms[i], true
		}
	}
	return SubConfirm{}, false
}

// Delivered counts messages handed to the callback.
func (s *Sub) Delivered() int64 { return s.delivered }

// Confirmed reports whether the server has processed this subscription on
// the current session (a PONG followed it).
func (s *Sub) Confirmed() bool {
	return !s.closed && s.c.ready && s.confirmedGen == s.c.gen
}

// ConfirmedAt returns the session generation and world time of the last
// confirmation (gen 0 if never confirmed).
func (s *Sub) ConfirmedAt() (gen int, at time.Duration) { return s.confirmedGen, s.confirmedAt }

func (s *Sub) confirm(gen int) {
	if s.closed || s.c.gen != gen || s.confirmedGen == gen {
		return
	}
	s.confirmedGen, s.confirmedAt = gen, s.c.host.w.Elapsed()
	s.confirms = append(s.confirms, SubConfirm{Gen: gen, At: s.confirmedAt})
}

func (s *Sub) deliver(m Msg) {
	if s.closed {
		s.c.stats.MsgsUnmatched++
		return
	}
	s.delivered++
	if s.max > 0 && s.delivered >= s.max {
		s.c.removeSub(s)
	}
	s.cb(m)
}

// Subscribe registers cb for subject (in queue group queue if non-empty).
// The SUB is sent now if connected, else on the next session.
func (c *Client) Subscribe(subject, queue string, cb func(Msg)) *Sub {
	c.nextSID++
	s := &Sub{c: c, sid: c.nextSID, Subject: subject, Queue: queue, cb: cb}
	c.subs[s.sid] = s
	c.subList = append(c.subList, s)
	if c.Connected() {
		c.sendSub(s)
		gen := c.gen
		_ = c.Flush(func() { s.confirm(gen) })
	}
	return s
}

// Unsubscribe removes s now (max <= 0) or after max messages in total.
func (c *Client) Unsubscribe(s *Sub, max int64) {
	if s.closed {
		return
	}
	if max > 0 && s.delivered < max {
		s.max = max
		_ = c.write(proto.AppendUnsub(nil, []byte(itoa(s.sid)), max-s.delivered))
		return
	}
	c.removeSub(s)
	_ = c.write(proto.AppendUnsub(nil, []byte(itoa(s.sid)), 0))
}

func (c *Client) removeSub(s *Sub) {
	s.closed = true
	delete(c.subs, s.sid)
	for i, x := range c.subList {
		if x == s {
			c.subList = append(c.subList[:i], c.subList[i+1:]...)
			break
		}
	}
}

// sendSub sends SUB (and the remaining auto-unsubscribe count).
func (c *Client) sendSub(s *Sub) {
	sid := []byte(itoa(s.sid))
	_ = c.write(proto.AppendSub(nil, []byte(s.Subject), []byte(s.Queue), sid))
	if s.max > 0 {
		_ = c.write(proto.AppendUnsub(nil, sid, s.max-s.delivered))
	}
}

// request is one outstanding Request.
type request struct {
	cb    func(Msg, error)
	timer clock.Timer
}

// Request publishes data to subject with a unique inbox reply and calls cb
// exactly once: with the first reply, ErrNoResponders, or ErrTimeout. It
// returns ErrNotConnected (and never calls cb) between sessions.
func (c *Client) Request(subject string, data []byte, timeout time.Duration, cb func(Msg, error)) error {
	return c.HRequest(subject, nil, data, timeout, cb)
}

// HRequest is Request with a NATS/1.0 header block (nil: none, as PUB).
func (c *Client) HRequest(subject string, header, data []byte, timeout time.Duration, cb func(Msg, error)) error {
	if !c.Connected() {
		return ErrNotConnected
	}
	if c.respSub == nil {
		c.respSub = c.Subscribe(c.inbox+"*", "", c.handleReply)
	}
	c.nextReq++
	token := itoa(int64(c.nextReq))
	r := &request{cb: cb}
	c.requests[token] = r
	r.timer = c.host.Clock().AfterFunc(timeout, func() {
		if c.requests[token] == r {
			delete(c.requests, token)
			c.answered[token] = true
			cb(Msg{}, ErrTimeout)
		}
	})
	if header != nil {
		return c.HPublish(subject, c.inbox+token, header, data)
	}
	return c.Publish(subject, c.inbox+token, data)
}

// handleReply completes the request named by the inbox token.
func (c *Client) handleReply(m Msg) {
	token := strings.TrimPrefix(m.Subject, c.inbox)
	r := c.requests[token]
	if r == nil {
		if c.answered[token] && !c.replied[token] {
			c.stats.RepliesLate++
		} else {
			c.stats.RepliesDup++
		}
		c.replied[token] = true
		return
	}
	delete(c.requests, token)
	c.answered[token] = true
	c.replied[token] = true
	r.timer.Stop()
	if m.Header != nil {
		if status, _, _, err := proto.ParseHeader(m.Header); err == nil && status == noRespondersStatus {
			r.cb(m, ErrNoResponders)
			return
		}
	}
	r.cb(m, nil)
}

// PendingRequests counts requests neither answered nor timed out.
func (c *Client) PendingRequests() int { return len(c.requests) }
