package server

import (
	"strconv"
	"strings"

	"jsnode/node/auth"
	"jsnode/node/redact"
	"jsnode/node/subject"
)

// This file is the client's proto.ServerHandler: one method per operation
// a client sends. Slices are valid only during the call. A returned error
// stops the parser; errConnClosed means the connection is already closed.

// Connect handles CONNECT.
func (c *client) Connect(arg []byte) error {
	if c.closing {
		return errConnClosed
	}
	if c.srv.opts.Trace {
		c.tracef("<<- [CONNECT %s]", redact.Connect(arg))
	}
	return c.processConnect(arg)
}

// Pub handles PUB.
func (c *client) Pub(subj, reply, payload []byte) error {
	if c.srv.opts.Trace {
		c.tracef("<<- [PUB %s]", traceArgs(subj, reply, itoa(len(payload))))
		c.tracePayload(traceIn, 0, payload)
	}
	return c.processPub(subj, reply, 0, payload)
}

// HPub handles HPUB. msg is the header block followed by the payload.
func (c *client) HPub(subj, reply []byte, hdrLen int, msg []byte) error {
	if c.srv.opts.Trace {
		c.tracef("<<- [HPUB %s]", traceArgs(subj, reply, itoa(hdrLen), itoa(len(msg))))
		c.tracePayload(traceIn, hdrLen, msg)
	}
	if c.closing {
		return errConnClosed
	}
	if !c.headers {
		c.errorf("%s", logTextHeadersUnsupported)
		c.closeConnection(ProtocolViolation)
		return errConnClosed
	}
	return c.processPub(subj, reply, hdrLen, msg)
}

// Sub handles SUB.
func (c *client) Sub(subj, queue, sid []byte) error {
	if c.srv.opts.Trace {
		c.tracef("<<- [SUB %s]", traceArgs(subj, queue, sid))
	}
	if !c.checkFirstOp() {
		return errConnClosed
	}
	c.activity = true
	subjStr, queueStr, sidStr := string(subj), string(queue), string(sid)
	if c.perms != nil && !c.perms.CanSubscribe(subjStr, queueStr) {
		c.subPermissionViolation(subjStr, queueStr, sidStr)
		return nil
	}
	if max := c.maxSubs(); max > 0 && len(c.subs) >= max {
		c.errorf("%s", errTextMaxSubscriptions)
		c.sendErr(errTextMaxSubscriptions)
		return nil
	}
	if _, dup := c.subs[sidStr]; !dup {
		if !c.addSub(subjStr, queueStr, sidStr) {
			c.sendErr(errTextInvalidSubject)
			return nil
		}
	}
	if c.opts.Verbose {
		c.sendOK()
	}
	return nil
}

// addSub registers a new subscription; false if the subject or queue is
// not valid.
func (c *client) addSub(subj, queue, sid string) bool {
	if !subject.ValidSubscribe(subj) {
		return false
	}
	c.subSeq++
	sub := &subscription{
		client: c, acc: c.acc, subject: subj, queue: queue, sid: sid,
		sidBytes: []byte(sid), seq: c.subSeq,
	}
	if err := c.acc.index.Insert(subj, queue, sub); err != nil {
		return false
	}
	c.subs[sid] = sub
	c.acc.localSubAdded(sub)
	c.acc.addShadows(sub, 0)
	return true
}

// subPermissionViolation answers a denied SUB without closing.
func (c *client) subPermissionViolation(subj, queue, sid string) {
	if queue != "" {
		c.errorf("Subscription Violation - Subject %q, Queue: %q, SID %s", subj, queue, sid)
	} else {
		c.errorf("Subscription Violation - Subject %q, SID %s", subj, sid)
	}
	c.sendErr(subViolationText(subj, queue))
}

// Unsub handles UNSUB; max > 0 defers the removal until max messages
// have been delivered in total.
func (c *client) Unsub(sid []byte, max int64) error {
	if c.srv.opts.Trace {
		if max > 0 {
			c.tracef("<<- [UNSUB %s]", traceArgs(sid, itoa(int(max))))
		} else {
			c.tracef("<<- [UNSUB %s]", sid)
		}
	}
	if !c.checkFirstOp() {
		return errConnClosed
	}
	c.activity = true
	sub := c.subs[string(sid)]
	unsubNow := false
	if sub != nil {
		if max > 0 && max > sub.delivered {
			sub.max = max
		} else {
			sub.max = 0
			unsubNow = true
		}
	}
	if c.opts.Verbose {
		c.sendOK()
	}
	if unsubNow {
		c.removeSub(sub)
	}
	return nil
}

// Ping handles PING: answer PONG, and after the first one send the INFO
// that confirms the connection, as nats-server 2.15 does.
func (c *client) Ping() error {
	if c.srv.opts.Trace {
		c.tracef("<<- [PING]")
	}
	if !c.checkFirstOp() {
		return errConnClosed
	}
	c.write(pongLine)
	c.activity = true
	if !c.connectReceived || c.firstPongSent {
		return nil
	}
	c.firstPongSent = true
	if c.opts.Protocol >= clientProtoInfo {
		info := c.srv.info
		info.ConnectInfo = true
		info.RemoteAccount = c.acc.name
		c.sendInfo(info)
	}
	if c.srv.env.buggify(sitePingExtra) {
		c.sendPing(c.srv.env.monoNow())
	}
	return nil
}

// Pong handles PONG: the client is alive.
func (c *client) Pong() error {
	if c.srv.opts.Trace {
		c.tracef("<<- [PONG]")
	}
	c.pingsOut = 0
	if !c.rttStart.IsZero() {
		c.rtt = c.srv.env.monoNow().Sub(c.rttStart)
	}
	return nil
}

// checkFirstOp enforces CONNECT-first when authentication is required.
// With no_auth_user configured a client may skip CONNECT and becomes that
// user. It returns false when it closed the connection.
func (c *client) checkFirstOp() bool {
	if c.closing {
		return false
	}
	if !c.awaitingAuth() {
		return true
	}
	s := c.srv
	if s.opts.Auth.NoAuthUser != "" {
		if id, ok := s.opts.Auth.Authenticate(auth.Credentials{}, c.nonce); ok {
			c.stopAuthTimer()
			c.connectReceived = true
			if !c.setIdentity(id) {
				return false
			}
			c.connectEvent()
			return true
		}
	}
	c.authViolation()
	return false
}

// traceArgs joins the non-empty arguments of an op for a trace line.
func traceArgs(args ...[]byte) string {
	var b strings.Builder
	for _, a := range args {
		if len(a) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.Write(a)
	}
	return b.String()
}

func itoa(n int) []byte { return strconv.AppendInt(nil, int64(n), 10) }
