package server

// The work budget of one event (ARCHITECTURE.md, execution model, rule 9).
//
// Every event this server handles runs to completion on the one loop, so a
// single event that does unbounded work stalls every other connection, timer
// and PING behind it. Reading is where work multiplies: one read buffer of
// small PUBs to a subject with many subscribers can expand into millions of
// deliveries. So the work done since the event began is counted, and once it
// passes the budget the connection stops parsing after the current op: the
// unparsed rest of its buffer is kept (client.backlog), its reading paused,
// and a new event is queued behind everything already waiting. That event
// starts a fresh budget and parses on. Ops are handled in the order they
// arrived, so order per publisher and per subscription is unchanged.
//
// The unit of work is one delivery (one message queued for one
// subscription, route or internal handler) and the bytes it copies; an op
// is never split, so one message to N subscribers costs N deliveries in one
// slice. Later sources of big work (a JetStream fetch, a purge, a catch-up)
// must take a turn the same way: count into Server.turn and yield once
// turnSpent says so.

const (
	// turnDeliveries is the most deliveries one event starts before its
	// connection yields: at roughly 30-60 ns each about a millisecond.
	turnDeliveries = 4 << 10
	// turnBytes bounds the bytes those deliveries may copy, so big
	// messages yield sooner than small ones.
	turnBytes = 4 << 20
)

// turnTinyMax bounds the budget under the BUGGIFY site siteTurnTiny.
const turnTinyMax = 8

// turn is the work done since the current event began, and its budget.
type turn struct {
	deliveries int
	bytes      int
	limit      int // deliveries allowed: turnDeliveries, or tiny under BUGGIFY
}

// beginTurn starts a fresh budget; connection events call it first.
func (s *Server) beginTurn() {
	s.turn = turn{limit: turnDeliveries}
	if s.env.buggify(siteTurnTiny) {
		s.turn.limit = 1 + s.env.Rand.IntN(turnTinyMax)
	}
}

// spend counts one delivery of n bytes.
func (s *Server) spend(n int) {
	s.turn.deliveries++
	s.turn.bytes += n
}

// turnSpent reports whether the current event has used its budget.
func (s *Server) turnSpent() bool {
	return s.turn.deliveries >= s.turn.limit || s.turn.bytes >= turnBytes
}
