package sim

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/anishathalye/porcupine"

	"jsnode/node/raftgroup/kv"
)

// The client-side history of the kv workload and its linearizability
// check with porcupine (a register per key, histories partitioned by key).
//
// Each operation is recorded with virtual-time Call and Return (ns since
// the world's epoch). A put or CAS whose outcome is unknown (an attempt
// timed out, or the service said so) may have been applied at any time
// after its call, or never: it is recorded with Return at the end of time
// (porcupine can then place it anywhere after its call, including after
// everything else, where it has no visible effect), and its client takes
// a fresh ClientId, since its later operations overlap it. Gets that
// fail are dropped: they changed nothing.

// kvInput is an operation as called.
type kvInput struct {
	Op        kv.Op
	Key       string
	Value     string // put, cas: the value written
	Old       string // cas: the value expected
	OldAbsent bool
}

// kvOutput is an operation's outcome.
type kvOutput struct {
	Unknown  bool   // put/cas: may or may not have happened
	Mismatch bool   // cas: refused
	Value    string // get, cas mismatch: the value seen
	Found    bool
}

// kvHistory collects the operations of every client.
type kvHistory struct {
	ops    []porcupine.Operation
	nextID int
}

func (h *kvHistory) newClientID() int {
	id := h.nextID
	h.nextID++
	return id
}

func (h *kvHistory) add(client int, in kvInput, out kvOutput, call, ret time.Duration) {
	h.ops = append(h.ops, porcupine.Operation{ClientId: client, Input: in, Output: out,
		Call: int64(call), Return: int64(ret)})
}

// endOfTime is the Return of operations with an unknown outcome.
const endOfTime = int64(1) << 62

// unknownOp records op, whose outcome is unknown, for client.
func unknownOp(client int, op *kvPending) porcupine.Operation {
	return porcupine.Operation{ClientId: client, Input: op.in, Output: kvOutput{Unknown: true},
		Call: int64(op.call), Return: endOfTime}
}

// kvModel is a register per key: the state is the key's value, "" for
// none (the workload never writes "").
var kvModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		for _, op := range history {
			k := op.Input.(kvInput).Key
			byKey[k] = append(byKey[k], op)
		}
		keys := make([]string, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		out := make([][]porcupine.Operation, len(keys))
		for i, k := range keys {
			out[i] = byKey[k]
		}
		return out
	},
	Init: func() interface{} { return "" },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		s, in, out := state.(string), input.(kvInput), output.(kvOutput)
		switch in.Op {
		case kv.OpPut:
			return true, in.Value
		case kv.OpGet:
			return out.Found == (s != "") && out.Value == s, s
		case kv.OpCAS:
			want := in.Old
			if in.OldAbsent {
				want = ""
			}
			switch {
			case out.Unknown:
				if s == want {
					return true, in.Value
				}
				return true, s
			case out.Mismatch:
				return s != want && out.Found == (s != "") && out.Value == s, s
			}
			return s == want, in.Value
		}
		return false, s
	},
	Hash: func(state interface{}) uint64 {
		h := uint64(fnvOffset)
		for _, c := range []byte(state.(string)) {
			h ^= uint64(c)
			h *= fnvPrime
		}
		return h
	},
	DescribeOperation: func(input, output interface{}) string {
		in, out := input.(kvInput), output.(kvOutput)
		res := describeOutput(in, out)
		switch in.Op {
		case kv.OpPut:
			return fmt.Sprintf("put(%s, %s) -> %s", in.Key, in.Value, res)
		case kv.OpGet:
			return fmt.Sprintf("get(%s) -> %s", in.Key, res)
		}
		old := in.Old
		if in.OldAbsent {
			old = "∅"
		}
		return fmt.Sprintf("cas(%s, %s, %s) -> %s", in.Key, old, in.Value, res)
	},
	DescribeState: func(state interface{}) string {
		if state.(string) == "" {
			return "∅"
		}
		return state.(string)
	},
}

func describeOutput(in kvInput, out kvOutput) string {
	switch {
	case out.Unknown:
		return "unknown"
	case out.Mismatch:
		return "mismatch " + foundValue(out)
	case in.Op == kv.OpGet:
		return foundValue(out)
	}
	return "ok"
}

func foundValue(out kvOutput) string {
	if !out.Found {
		return "∅"
	}
	return out.Value
}

// checkLinearizable runs porcupine over the history. On failure (or when
// asked to) it writes the interactive HTML visualization, with the
// faults and leader changes as annotations, and returns its path.
func (h *kvHistory) checkLinearizable(name string, seed uint64, notes []porcupine.Annotation, always bool) (porcupine.CheckResult, string, error) {
	res := porcupine.CheckOperationsTimeout(kvModel, h.ops, linearizabilityBudget)
	if res == porcupine.Ok && !always {
		return res, "", nil
	}
	_, info := porcupine.CheckOperationsVerbose(kvModel, h.ops, linearizabilityBudget)
	info.AddAnnotations(notes)
	path := filepath.Join(failureDir(), fmt.Sprintf("%s-seed-%d.html", name, seed))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return res, "", err
	}
	return res, path, porcupine.VisualizePath(kvModel, info, path)
}

// failureDir is where failure artefacts go: sim/failures in the source
// tree (git-ignored) when it can be found, else the system's temp dir.
func failureDir() string {
	dir := ScenarioDir()
	if st, err := os.Stat(dir); err == nil && st.IsDir() && filepath.IsAbs(dir) {
		return filepath.Join(filepath.Dir(dir), "sim", "failures")
	}
	return filepath.Join(os.TempDir(), "jsnode-sim-failures")
}

// annotations turns world notes and leader changes into porcupine
// annotations, in time order.
func annotations(notes []worldNote, leaders []raftNote) []porcupine.Annotation {
	var out []porcupine.Annotation
	for _, n := range notes {
		desc := n.kind + " " + n.host
		if n.host == "world" {
			desc = n.kind
		}
		out = append(out, porcupine.Annotation{Tag: "faults", Start: int64(n.at), Description: desc,
			Details: n.detail, BackgroundColor: "#f6d5d5"})
	}
	for _, l := range leaders {
		out = append(out, porcupine.Annotation{Tag: "raft", Start: int64(l.at),
			Description: fmt.Sprintf("%s leads t%d", l.node, l.term), BackgroundColor: "#d5e8f6"})
	}
	slices.SortStableFunc(out, func(a, b porcupine.Annotation) int { return cmp.Compare(a.Start, b.Start) })
	return out
}

// worldNote is a fault or phase note seen through World.OnNote.
type worldNote struct {
	at                 time.Duration
	host, kind, detail string
}
