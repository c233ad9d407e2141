package sim

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"jsnode/net"
)

// mapOrderKeys is how many keys the planted node ranges over: with 16 or
// more, two runs almost never see the same order.
const mapOrderKeys = 32

// toyMapNode answers each connection by writing the keys of a map in
// iteration order (when sorted is false): a planted determinism bug.
type toyMapNode struct {
	conn   net.Conn
	sorted bool
}

func (n *toyMapNode) Data([]byte) {
	m := make(map[string]int, mapOrderKeys)
	for i := 0; i < mapOrderKeys; i++ {
		m["key"+strconv.Itoa(i)] = i
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	if n.sorted {
		slices.Sort(keys)
	}
	for _, k := range keys {
		n.conn.Write([]byte(k + ";"))
	}
}
func (n *toyMapNode) Drained()     {}
func (n *toyMapNode) Closed(error) {}

// runToyMap runs one world with the toy node and a client poking it.
func runToyMap(t *testing.T, seed uint64, sorted bool) string {
	w := NewWorld(seed, DefaultOptions())
	_, err := w.Host("toy").Net().Listen(":1", func(c net.Conn) net.Handler {
		return &toyMapNode{conn: c, sorted: sorted}
	})
	if err != nil {
		t.Fatal(err)
	}
	cli := &recorder{}
	w.Host("c").Net().Dial("toy:1", func(c net.Conn) net.Handler {
		c.Write([]byte("go"))
		return cli
	}, func(err error) { t.Fatal(err) })
	w.RunFor(time.Second)
	if cli.data.Len() == 0 {
		t.Fatal("toy node sent nothing")
	}
	return w.TraceHash()
}

// TestDoubleRunCatchesMapOrder: the double run used by TestScenarios must
// flag a node whose output follows map iteration order, and must not flag
// the same node once it sorts its keys.
func TestDoubleRunCatchesMapOrder(t *testing.T) {
	const attempts = 5
	caught := false
	for i := uint64(0); i < attempts && !caught; i++ {
		caught = runToyMap(t, 1+i, false) != runToyMap(t, 1+i, false)
	}
	if !caught {
		t.Fatalf("map-order dependence not detected in %d double runs", attempts)
	}
	for seed := uint64(1); seed <= attempts; seed++ {
		if a, b := runToyMap(t, seed, true), runToyMap(t, seed, true); a != b {
			t.Fatalf("seed %d: sorted node gave different hashes %s %s", seed, a, b)
		}
	}
}

// TestScenarioReplayIsExact: the same seed replays the same hash and
// statistics; another seed differs.
func TestScenarioReplayIsExact(t *testing.T) {
	sc := requestReply()
	sc.Duration = 3 * time.Second
	a, errA := RunScenario(sc, 42, nil)
	b, errB := RunScenario(sc, 42, nil)
	c, _ := RunScenario(sc, 43, nil)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if a.TraceHash != b.TraceHash || a.Events != b.Events || a.Stats["answered"] != b.Stats["answered"] {
		t.Fatalf("replay differs: %v vs %v", a, b)
	}
	if a.TraceHash == c.TraceHash {
		t.Fatalf("seeds 42 and 43 gave the same hash %s", a.TraceHash)
	}
	if a.Stats["answered"] < 100 {
		t.Fatalf("only %d requests answered in 3s", a.Stats["answered"])
	}
}
