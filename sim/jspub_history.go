package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/anishathalye/porcupine"
)

// The js_publish history and its linearizability check: the stream is an
// append-only log, each logical publish one operation from its first
// attempt to its PubAck (retries share the message id, so they are one
// publish), gets by sequence and by last subject read it. A publish
// never acked has an unknown outcome: Return at the end of time, so
// porcupine may place it anywhere after its call (stored) or last (no
// visible effect). With max_msgs_per_subject N, a message is gone once N
// later messages share its subject.

type jsOpKind uint8

const (
	jsPublish jsOpKind = iota
	jsGetSeq
	jsGetLast
)

// jsInput is an operation as called.
type jsInput struct {
	Kind  jsOpKind
	ID    string // publish: the message id
	Subj  string // publish: its subject; last: the subject asked for
	Seq   uint64 // get: the sequence asked for
	Probe bool   // publish of an id acked before (a dedupe probe)
}

// jsOutput is its outcome.
type jsOutput struct {
	Unknown bool   // publish: never acked
	Found   bool   // get, last
	Seq     uint64 // publish: the acked sequence; get, last: the message's
	ID      string // get, last: the id of the message found
}

// jsLog is the model's state: the stream's messages, newest first, as
// an immutable list (states share their past).
type jsLog struct {
	prev *jsLog
	id   string
	subj string
	seq  uint64
	hash uint64
}

func (l *jsLog) last() uint64 {
	if l == nil {
		return 0
	}
	return l.seq
}

func (l *jsLog) append(id, subj string) *jsLog {
	h := l.hashOf()
	for _, c := range []byte(id) {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return &jsLog{prev: l, id: id, subj: subj, seq: l.last() + 1, hash: h * fnvPrime}
}

func (l *jsLog) hashOf() uint64 {
	if l == nil {
		return fnvOffset
	}
	return l.hash
}

// find returns the entry of id, or nil.
func (l *jsLog) find(id string) *jsLog {
	for e := l; e != nil; e = e.prev {
		if e.id == id {
			return e
		}
	}
	return nil
}

// at returns the entry at seq and whether it is still held: fewer than
// maxPer (0: no limit) later entries share its subject.
func (l *jsLog) at(seq uint64, maxPer int) (*jsLog, bool) {
	later := map[string]int{}
	for e := l; e != nil && e.seq >= seq; e = e.prev {
		if e.seq == seq {
			return e, maxPer == 0 || later[e.subj] < maxPer
		}
		later[e.subj]++
	}
	return nil, false
}

// lastOf returns the newest entry on subj, or nil.
func (l *jsLog) lastOf(subj string) *jsLog {
	for e := l; e != nil; e = e.prev {
		if e.subj == subj {
			return e
		}
	}
	return nil
}

// jsStep is the model's step for a stream with max_msgs_per_subject
// maxPer.
func jsStep(maxPer int, state, input, output any) (bool, any) {
	l, in, out := state.(*jsLog), input.(jsInput), output.(jsOutput)
	switch in.Kind {
	case jsPublish:
		if in.Probe {
			e := l.find(in.ID)
			return out.Unknown || e != nil && e.seq == out.Seq, l
		}
		return out.Unknown || out.Seq == l.last()+1, l.append(in.ID, in.Subj)
	case jsGetSeq:
		e, held := l.at(in.Seq, maxPer)
		if !out.Found {
			return !held, l
		}
		return held && e.id == out.ID, l
	default:
		e := l.lastOf(in.Subj)
		if !out.Found {
			return e == nil, l
		}
		return e != nil && e.id == out.ID && e.seq == out.Seq, l
	}
}

func jsModel(maxPer int) porcupine.Model {
	return porcupine.Model{
		Init: func() any { return (*jsLog)(nil) },
		Step: func(state, input, output any) (bool, any) { return jsStep(maxPer, state, input, output) },
		Equal: func(a, b any) bool {
			x, y := a.(*jsLog), b.(*jsLog)
			return x.last() == y.last() && x.hashOf() == y.hashOf()
		},
		Hash:              func(state any) uint64 { return state.(*jsLog).hashOf() },
		DescribeOperation: describeJSOp,
		DescribeState: func(state any) string {
			l := state.(*jsLog)
			if l == nil {
				return "empty"
			}
			return fmt.Sprintf("%d msgs, last %s on %s", l.seq, l.id, l.subj)
		},
	}
}

func describeJSOp(input, output any) string {
	in, out := input.(jsInput), output.(jsOutput)
	res := "not found"
	switch {
	case out.Unknown:
		res = "unknown"
	case in.Kind == jsPublish:
		res = strconv.FormatUint(out.Seq, 10)
	case out.Found:
		res = fmt.Sprintf("%s@%d", out.ID, out.Seq)
	}
	switch in.Kind {
	case jsPublish:
		what := "pub"
		if in.Probe {
			what = "pub-again"
		}
		return fmt.Sprintf("%s(%s, %s) -> %s", what, in.ID, in.Subj, res)
	case jsGetSeq:
		return fmt.Sprintf("get(%d) -> %s", in.Seq, res)
	}
	return fmt.Sprintf("last(%s) -> %s", in.Subj, res)
}

// jsHistory collects the operations of every client.
type jsHistory struct {
	ops    []porcupine.Operation
	nextID int
}

func (h *jsHistory) newClientID() int {
	h.nextID++
	return h.nextID - 1
}

func (h *jsHistory) add(client int, in jsInput, out jsOutput, call, ret time.Duration) {
	h.ops = append(h.ops, porcupine.Operation{ClientId: client, Input: in, Output: out, Call: int64(call), Return: int64(ret)})
}

// addUnknown records a publish never acked.
func (h *jsHistory) addUnknown(client int, in jsInput, call time.Duration) {
	h.ops = append(h.ops, porcupine.Operation{ClientId: client, Input: in, Output: jsOutput{Unknown: true},
		Call: int64(call), Return: endOfTime})
}

// check runs porcupine; on failure it writes the visualization and
// returns its path.
func (h *jsHistory) check(maxPer int, name string, seed uint64, notes []porcupine.Annotation) (porcupine.CheckResult, string, error) {
	m := jsModel(maxPer)
	res := porcupine.CheckOperationsTimeout(m, h.ops, linearizabilityBudget)
	if res == porcupine.Ok {
		return res, "", nil
	}
	_, info := porcupine.CheckOperationsVerbose(m, h.ops, linearizabilityBudget)
	info.AddAnnotations(notes)
	path := filepath.Join(failureDir(), fmt.Sprintf("%s-seed-%d.html", name, seed))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return res, "", err
	}
	return res, path, porcupine.VisualizePath(m, info, path)
}
