package raftgroup

import (
	"jsnode/node/raft"
	"jsnode/node/server"
)

// The transport: every member subscribes to its own subject,
// MemberSubject(group, id) = "$NRG.<group>.<16 hex digits of its ID>",
// and a message for member m is published there, encoded with raft's
// codec (raft.AppendMessage / raft.Unmarshal), with no reply subject and
// no headers. The server routes it like any message: directly when the
// member is local, as RMSG over the route to the member's server
// otherwise, following the RS+ interest that member's subscription
// created. Delivery is best effort (a message with no interest anywhere
// is dropped), which Raft tolerates like packet loss.

// send publishes each message to its member's subject. A message that
// cannot be encoded within MaxMessageBytes is dropped and counted.
func (g *Group) send(msgs []raft.Message) {
	for _, m := range msgs {
		b, err := raft.AppendMessage(g.sendBuf[:0], m)
		if err != nil || len(b) > g.cfg.MaxMessageBytes {
			g.stats.MsgsDropped++
			continue
		}
		g.sendBuf = b
		g.stats.MsgsSent++
		g.cfg.Messenger.Publish(g.subject(m.To), "", nil, b)
	}
}

// subject returns (and caches) member id's subject.
func (g *Group) subject(id raft.ID) string {
	s, ok := g.subjects[id]
	if !ok {
		s = MemberSubject(g.cfg.Group, id)
		g.subjects[id] = s
	}
	return s
}

// receive is the handler of this member's subject. Oversized, malformed
// and misaddressed messages, and messages raft refuses, are dropped and
// counted; none of them can panic the node.
func (g *Group) receive(in *server.Msg) {
	b := in.Data
	if g.stopped {
		return
	}
	if len(b) > g.cfg.MaxMessageBytes {
		g.stats.MsgsDropped++
		return
	}
	m, err := raft.Unmarshal(b)
	if err != nil || m.To != g.id {
		g.stats.MsgsDropped++
		return
	}
	g.stats.MsgsReceived++
	if err := g.rn.Step(m); err != nil {
		if g.rn.Err() != nil {
			g.fail(g.rn.Err())
			return
		}
		g.stats.MsgsDropped++
	}
	g.process()
}
