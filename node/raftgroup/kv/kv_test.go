package kv

import (
	"bytes"
	"jsnode/node/server"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"jsnode/clock"
	"jsnode/disk/memfs"
	"jsnode/node/raftgroup"
)

func TestCodecRoundTripAndBadInput(t *testing.T) {
	reqs := []Request{
		{Op: OpPut, Key: "k", Value: "v"},
		{Op: OpGet, Key: "k"},
		{Op: OpCAS, Key: "k", Old: "a", Value: "b"},
		{Op: OpCAS, Key: "k", OldAbsent: true, Value: "b"},
	}
	for _, r := range reqs {
		got, err := DecodeRequest(EncodeRequest(r))
		if err != nil || got != r {
			t.Fatalf("request %+v round-tripped to %+v, %v", r, got, err)
		}
	}
	rep := Reply{Status: StatusNotLeader, Value: "x", Found: true, Leader: "00ff", LeaderName: "n2", Text: "why"}
	if got, err := DecodeReply(EncodeReply(rep)); err != nil || got != rep {
		t.Fatalf("reply round-tripped to %+v, %v", got, err)
	}
	good := EncodeRequest(reqs[2])
	for i := 0; i < len(good); i++ {
		if _, err := DecodeRequest(good[:i]); err == nil {
			t.Fatalf("truncated request (%d of %d bytes) accepted", i, len(good))
		}
	}
	for _, bad := range [][]byte{nil, {9, 1, 0, 1, 'k', 0, 0}, {1, 7, 0, 1, 'k', 0, 0}, {1, 1, 0, 0, 0, 0}, {1, 1, 2, 1, 'k', 0, 0}} {
		if _, err := DecodeRequest(bad); err == nil {
			t.Fatalf("bad request %v accepted", bad)
		}
	}
}

func TestApplySemanticsAndSnapshot(t *testing.T) {
	s := &Service{data: map[string]string{}}
	apply := func(r Request) Reply {
		rep, err := DecodeReply(s.Apply(1, EncodeRequest(r)))
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if r := apply(Request{Op: OpCAS, Key: "a", Old: "x", Value: "y"}); r.Status != StatusMismatch || r.Found {
		t.Fatalf("CAS on a missing key expecting a value: %+v", r)
	}
	if r := apply(Request{Op: OpCAS, Key: "a", OldAbsent: true, Value: "1"}); r.Status != StatusOK {
		t.Fatalf("CAS absent->1: %+v", r)
	}
	if r := apply(Request{Op: OpCAS, Key: "a", OldAbsent: true, Value: "2"}); r.Status != StatusMismatch || r.Value != "1" || !r.Found {
		t.Fatalf("CAS absent on a present key: %+v", r)
	}
	if r := apply(Request{Op: OpCAS, Key: "a", Old: "1", Value: "2"}); r.Status != StatusOK {
		t.Fatalf("CAS 1->2: %+v", r)
	}
	apply(Request{Op: OpPut, Key: "b", Value: "3"})
	snap := s.Snapshot()
	other := &Service{data: map[string]string{"junk": "x"}}
	if err := other.Restore(9, snap); err != nil {
		t.Fatal(err)
	}
	if other.Digest() != s.Digest() || other.Len() != 2 {
		t.Fatalf("restored state differs: %v vs %v", other.data, s.data)
	}
	if err := other.Restore(9, snap[:len(snap)-1]); err == nil {
		t.Fatal("truncated snapshot restored")
	}
}

// The rest runs three members over a tiny in-memory bus.

type bus struct {
	subs  map[string][]busSub
	queue []func()
}

type busSub struct {
	owner, queue string
	h            func(string, string, []byte)
}

type busEnd struct {
	b    *bus
	name string
}

func (e *busEnd) Subscribe(subject, queue string, mh server.MsgHandler) (func(), error) {
	h := func(s, r string, b []byte) { mh(&server.Msg{Subject: s, Reply: r, Data: b}) }
	e.b.subs[subject] = append(e.b.subs[subject], busSub{e.name, queue, h})
	return func() {
		e.b.subs[subject] = slices.DeleteFunc(e.b.subs[subject], func(s busSub) bool { return s.owner == e.name })
	}, nil
}

func (e *busEnd) Publish(subject, reply string, _, msg []byte) {
	msg = bytes.Clone(msg)
	queued := false
	for _, s := range e.b.subs[subject] {
		if s.queue != "" {
			if queued {
				continue
			}
			queued = true
		}
		h := s.h
		e.b.queue = append(e.b.queue, func() { h(subject, reply, msg) })
	}
}

func (b *bus) pump() {
	for len(b.queue) > 0 {
		f := b.queue[0]
		b.queue = b.queue[1:]
		f()
	}
}

func TestServiceOverThreeMembers(t *testing.T) {
	b := &bus{subs: map[string][]busSub{}}
	clk := clock.NewManual(time.Unix(1_700_000_000, 0))
	names := []string{"n1", "n2", "n3"}
	svcs := map[string]*Service{}
	for i, n := range names {
		cfg := raftgroup.Config{Group: "g", Self: n, Peers: names, Messenger: &busEnd{b, n}, Clock: clk,
			Rand: rand.New(rand.NewPCG(uint64(i), 1)), FS: memfs.New(), Tick: 10 * time.Millisecond}
		s, err := Open(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		svcs[n] = s
	}
	run := func(d time.Duration) {
		for ; d > 0; d -= 10 * time.Millisecond {
			clk.Advance(10 * time.Millisecond)
			b.pump()
		}
	}
	run(3 * time.Second)
	var replies []Reply
	client := &busEnd{b, "client"}
	client.Subscribe("inbox", "", func(msg *server.Msg) {
		r, err := DecodeReply(msg.Data)
		if err != nil {
			t.Fatal(err)
		}
		replies = append(replies, r)
	})
	ask := func(subject string, r Request) Reply {
		t.Helper()
		replies = nil
		client.Publish(subject, "inbox", nil, EncodeRequest(r))
		run(200 * time.Millisecond)
		if len(replies) != 1 {
			t.Fatalf("%v on %s: %d replies", r, subject, len(replies))
		}
		return replies[0]
	}
	var leader, follower string
	for _, n := range names {
		if svcs[n].Group().IsLeader() {
			leader = n
		} else {
			follower = n
		}
	}
	token := func(n string) string { return raftgroup.MemberToken(raftgroup.MemberID(n)) }
	r := ask(MemberSubject("g", token(follower)), Request{Op: OpPut, Key: "k", Value: "v1"})
	if r.Status != StatusNotLeader || r.Leader != token(leader) || r.LeaderName != leader {
		t.Fatalf("put on follower: %+v, want not leader naming %s", r, leader)
	}
	if r := ask(MemberSubject("g", r.Leader), Request{Op: OpPut, Key: "k", Value: "v1"}); r.Status != StatusOK {
		t.Fatalf("put on leader: %+v", r)
	}
	if r := ask(MemberSubject("g", token(follower)), Request{Op: OpGet, Key: "k"}); r.Status != StatusOK || r.Value != "v1" || !r.Found {
		t.Fatalf("get on follower: %+v", r)
	}
	if r := ask(MemberSubject("g", token(leader)), Request{Op: OpCAS, Key: "k", Old: "zz", Value: "v2"}); r.Status != StatusMismatch || r.Value != "v1" {
		t.Fatalf("cas mismatch: %+v", r)
	}
	if r := ask(RequestSubject("g"), Request{Op: OpGet, Key: "none"}); r.Status != StatusOK || r.Found {
		t.Fatalf("get missing: %+v", r)
	}
	if r := ask(RequestSubject("g"), Request{Op: OpPut}); r.Status != StatusError {
		t.Fatalf("malformed request: %+v", r)
	}
	for _, n := range names {
		if v, ok := svcs[n].Lookup("k"); !ok || v != "v1" {
			t.Fatalf("%s holds k=%q %v", n, v, ok)
		}
	}
}
