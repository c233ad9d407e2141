package sim

import (
	"time"

	"jsnode/node/conf"
	"jsnode/node/jetstream"
)

// Scenario-file support for the JetStream publish workload:
//
//	workload {
//	  js_publish { stream: JS, keys: 4, max_msgs_per_subject: 0,
//	               publishers: 3, readers: 2, interval: "20ms",
//	               read_interval: "30ms", timeout: "300ms",
//	               payload_size: 16, final_round: 5 }
//	}
//
// On a single node with JetStream enabled (its config block says
// `jetstream: enabled` or `jetstream { ... }`), a setup client creates
// the file stream `stream` on subjects js.> (STREAM.CREATE, retried until
// it succeeds), then `publishers` clients each publish one message at a
// time on js.k<0..keys-1> with a unique Nats-Msg-Id, its payload derived
// from the id, a think time drawn around `interval` apart; a publish
// without a PubAck within `timeout` (or refused, or cut off by a lost
// connection) is retried with the same id until acked, and now and then
// an acked id is sent again, which must be acked as a duplicate of the
// same sequence. `readers` clients get messages by sequence and the last
// of a subject (STREAM.MSG.GET) every `read_interval`. Once the faults
// heal, each publisher gets `final_round` more messages acked, and every
// sequence of the stream is read back. Required: publishers, interval,
// timeout. Defaults: stream JS, keys 4, readers 1, read_interval as
// interval, payload_size 16, final_round 5, max_msgs_per_subject 0 (no
// limit). The whole run must fit in the stream's 2m duplicate window.

// JSPublishSpec is workload.js_publish.
type JSPublishSpec struct {
	Stream       string
	Keys         int
	MaxMsgsPer   int
	Publishers   int
	Readers      int
	Interval     time.Duration
	ReadInterval time.Duration
	Timeout      time.Duration
	PayloadSize  int
	FinalRound   int
}

// Defaults and bounds of js_publish.
const (
	defaultJSStream      = "JS"
	defaultJSKeys        = 4
	defaultJSPayload     = 16
	defaultJSFinalRound  = 5
	maxJSKeys            = 1000
	jsSubjectPrefix      = "js."
	jsStreamSubjects     = "js.>"
	minJSPayload         = 8
	defaultJSReaderCount = 1
)

func hasJS(sc *Scenario) bool { return sc.Workload.JS != nil }

func parseJSPublish(v *conf.Value) (*JSPublishSpec, error) {
	f, err := blockFields("workload.js_publish", v, "stream", "keys", "max_msgs_per_subject", "publishers", "readers",
		"interval", "read_interval", "timeout", "payload_size", "final_round")
	if err != nil {
		return nil, err
	}
	if err := f.require("publishers", "interval", "timeout"); err != nil {
		return nil, err
	}
	s := &JSPublishSpec{Stream: defaultJSStream, Keys: defaultJSKeys, Readers: defaultJSReaderCount,
		PayloadSize: defaultJSPayload, FinalRound: defaultJSFinalRound}
	steps := []error{
		f.str("stream", &s.Stream),
		f.integer("keys", &s.Keys, 1, maxJSKeys),
		f.integer("max_msgs_per_subject", &s.MaxMsgsPer, 0, maxFinalRound),
		f.integer("publishers", &s.Publishers, 1, maxRoleCount),
		f.integer("readers", &s.Readers, 0, maxRoleCount),
		f.duration("interval", &s.Interval, minWorkloadInterval, maxScenarioDuration),
		f.duration("timeout", &s.Timeout, minWorkloadInterval, maxScenarioDuration),
		f.integer("payload_size", &s.PayloadSize, minJSPayload, maxPayloadSize),
		f.integer("final_round", &s.FinalRound, 0, maxFinalRound),
	}
	if err := firstError(steps); err != nil {
		return nil, err
	}
	s.ReadInterval = s.Interval
	if err := f.duration("read_interval", &s.ReadInterval, minWorkloadInterval, maxScenarioDuration); err != nil {
		return nil, err
	}
	if !validGroupToken(s.Stream) {
		return nil, f.errorf("stream", "%q must be letters, digits, '-' or '_'", s.Stream)
	}
	return s, nil
}

// checkJSTopology: js_publish runs on one node with JetStream, and the
// run fits in the duplicate window (a retry after it would be stored
// again, rightly, and the checks would call that a duplicate).
func checkJSTopology(top *fields, sc *Scenario) error {
	if !hasJS(sc) {
		return nil
	}
	v, _ := top.get("workload")
	switch {
	case len(sc.Topology.Nodes) != 1:
		return posError(v.Pos, "workload.js_publish: runs on exactly one node, not %d", len(sc.Topology.Nodes))
	case !sc.Topology.Nodes[0].Options.JetStream.Enabled:
		return posError(v.Pos, "workload.js_publish: node %s has no jetstream in its config", sc.Topology.Nodes[0].Name)
	case sc.Duration+sc.Liveness+finalRoundGrace >= jetstream.DuplicatesDefault:
		return posError(v.Pos, "workload.js_publish: duration + liveness + %v must stay within the %v duplicate window",
			finalRoundGrace, jetstream.DuplicatesDefault)
	}
	return nil
}
