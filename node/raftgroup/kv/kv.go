// Package kv is a replicated key-value map on a Raft group, served over
// NATS: the state machine the simulator checks with porcupine. It runs
// on the server's loop like everything under node/.
//
// # Subjects
//
// Every member of group g answers requests (EncodeRequest; the reply goes
// to the request's reply subject) on
//
//	$KVSIM.<g>.req             queue group "kv": whichever member gets it
//	$KVSIM.<g>.<member token>  this member (raftgroup.MemberToken)
//
// Puts and CASes go through the log: the leader proposes the request and
// replies once the entry is applied, with the state machine's result; a
// follower replies StatusNotLeader naming the leader (token and server
// name), and the client retries on the leader's own subject. Gets are
// linearizable reads through raft's read index and are served by any
// member. A reply is sent only once the outcome is known (StatusLost and
// StatusUnknown say what became of a proposal whose entry did not make
// it); a client that hears nothing must treat a put or CAS as possibly
// applied.
package kv

import (
	"encoding/binary"
	"errors"
	"hash/fnv"
	"jsnode/node/server"
	"maps"
	"slices"

	"jsnode/node/mutant"
	"jsnode/node/raft"
	"jsnode/node/raftgroup"
)

// SubjectPrefix starts the service's subjects.
const SubjectPrefix = "$KVSIM."

// QueueGroup is the queue group of the shared request subject.
const QueueGroup = "kv"

// RequestSubject is the subject any member of group answers on.
func RequestSubject(group string) string { return SubjectPrefix + group + ".req" }

// MemberSubject is the subject only member token of group answers on.
func MemberSubject(group, token string) string { return SubjectPrefix + group + "." + token }

// Service is one member's replicated map and its request handlers.
type Service struct {
	g      *raftgroup.Group
	msgr   raftgroup.Messenger
	group  string
	data   map[string]string
	unsubs []func()
	stats  Stats
}

// Stats count requests by outcome.
type Stats struct {
	Requests, Malformed, NotLeader, Applied int64
}

// Open opens this server's member of the group described by cfg (its
// StateMachine is set to the service) and subscribes to the request
// subjects through clients (the account the KV's users are in; nil means
// cfg.Messenger).
func Open(cfg raftgroup.Config, clients raftgroup.Messenger) (*Service, error) {
	if clients == nil {
		clients = cfg.Messenger
	}
	s := &Service{msgr: clients, group: cfg.Group, data: make(map[string]string)}
	cfg.StateMachine = s
	g, err := raftgroup.Open(cfg)
	if err != nil {
		return nil, err
	}
	s.g = g
	self := raftgroup.MemberToken(g.Member())
	for _, sub := range []struct{ subject, queue string }{
		{RequestSubject(cfg.Group), QueueGroup}, {MemberSubject(cfg.Group, self), ""},
	} {
		unsub, err := clients.Subscribe(sub.subject, sub.queue, s.handle)
		if err != nil {
			s.Stop()
			return nil, err
		}
		s.unsubs = append(s.unsubs, unsub)
	}
	return s, nil
}

// Stop stops serving and leaves the group.
func (s *Service) Stop() {
	for _, u := range s.unsubs {
		u()
	}
	s.unsubs = nil
	if s.g != nil {
		s.g.Stop()
	}
}

// Group is the service's raft group member.
func (s *Service) Group() *raftgroup.Group { return s.g }

// Stats returns the request counters.
func (s *Service) Stats() Stats { return s.stats }

// handle serves one request.
func (s *Service) handle(m *server.Msg) {
	reply, msg := m.Reply, m.Data
	s.stats.Requests++
	req, err := DecodeRequest(msg)
	if err != nil {
		s.stats.Malformed++
		s.respond(reply, Reply{Status: StatusError, Text: err.Error()})
		return
	}
	if req.Op == OpGet {
		s.get(reply, req.Key)
		return
	}
	err = s.g.Propose(msg, func(result []byte, err error) { s.proposed(reply, result, err) })
	if err != nil {
		s.respond(reply, s.refusal(err))
	}
}

// proposed answers a put or CAS once its proposal's fate is known.
func (s *Service) proposed(reply string, result []byte, err error) {
	switch {
	case err == nil:
		s.msgr.Publish(reply, "", nil, result)
	case errors.Is(err, raftgroup.ErrProposalLost):
		s.respond(reply, Reply{Status: StatusLost, Text: err.Error()})
	default:
		s.respond(reply, Reply{Status: StatusUnknown, Text: err.Error()})
	}
}

// get answers a read once it is linearizable (or at once with a mutant).
func (s *Service) get(reply, key string) {
	if mutant.On(mutant.KVFollowerStaleRead) || mutant.On(mutant.KVStaleLeaseRead) && s.g.IsLeader() {
		s.respond(reply, s.read(key))
		return
	}
	err := s.g.Read(func(err error) {
		if err != nil {
			s.respond(reply, Reply{Status: StatusError, Text: err.Error()})
			return
		}
		s.respond(reply, s.read(key))
	})
	if err != nil {
		s.respond(reply, s.refusal(err))
	}
}

func (s *Service) read(key string) Reply {
	v, ok := s.data[key]
	return Reply{Status: StatusOK, Value: v, Found: ok}
}

// refusal is the reply to a request the group refused at once: it was
// not applied.
func (s *Service) refusal(err error) Reply {
	var nl *raft.NotLeaderError
	if errors.As(err, &nl) {
		s.stats.NotLeader++
		r := Reply{Status: StatusNotLeader, Text: err.Error()}
		if nl.Leader != raft.None {
			r.Leader = raftgroup.MemberToken(nl.Leader)
			r.LeaderName, _ = s.g.MemberName(nl.Leader)
		}
		return r
	}
	return Reply{Status: StatusError, Text: err.Error()}
}

func (s *Service) respond(reply string, r Reply) {
	if reply != "" {
		s.msgr.Publish(reply, "", nil, EncodeReply(r))
	}
}

// Apply applies a put or CAS entry (raftgroup.StateMachine).
func (s *Service) Apply(index uint64, data []byte) []byte {
	s.stats.Applied++
	req, err := DecodeRequest(data)
	if err != nil {
		return EncodeReply(Reply{Status: StatusError, Text: err.Error()})
	}
	cur, found := s.data[req.Key]
	switch req.Op {
	case OpPut:
		s.data[req.Key] = req.Value
	case OpCAS:
		if found == req.OldAbsent || (found && cur != req.Old) {
			return EncodeReply(Reply{Status: StatusMismatch, Value: cur, Found: found})
		}
		s.data[req.Key] = req.Value
	default:
		return EncodeReply(Reply{Status: StatusError, Text: "kv: not a write"})
	}
	return EncodeReply(Reply{Status: StatusOK})
}

// Snapshot encodes the map, keys sorted (raftgroup.StateMachine).
func (s *Service) Snapshot() []byte {
	keys := slices.Sorted(maps.Keys(s.data))
	b := binary.AppendUvarint([]byte{codecVersion}, uint64(len(keys)))
	for _, k := range keys {
		b = appendStrings(b, k, s.data[k])
	}
	return b
}

// Restore replaces the map with a snapshot's (raftgroup.StateMachine).
func (s *Service) Restore(_ uint64, data []byte) error {
	d := decoder{b: data}
	if d.byte() != codecVersion {
		return errMalformed
	}
	n := d.uvarint()
	if n > snapshotPairsMax {
		return errMalformed
	}
	m := make(map[string]string, min(n, 1024))
	for i := uint64(0); i < n && d.err == nil; i++ {
		k := d.str(KeyBytesMax)
		m[k] = d.str(ValueBytesMax)
	}
	if d.err != nil || len(d.b) != 0 {
		return errMalformed
	}
	s.data = m
	return nil
}

// Digest hashes the map (sorted keys), to compare replicas.
func (s *Service) Digest() uint64 {
	h := fnv.New64a()
	for _, k := range slices.Sorted(maps.Keys(s.data)) {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(s.data[k]))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// Len is the number of keys.
func (s *Service) Len() int { return len(s.data) }

// Lookup reads a key from the local state (not linearizable: for tests
// and checkers).
func (s *Service) Lookup(key string) (string, bool) {
	v, ok := s.data[key]
	return v, ok
}
