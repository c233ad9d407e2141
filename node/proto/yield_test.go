package proto

import (
	"testing"

	"pgregory.net/rapid"
)

// yieldingRecorder records ops and asks its parser to yield after those
// the test picked.
type yieldingRecorder struct {
	serverRecorder
	p       *ServerParser
	yieldAt map[int]bool // op indexes (0-based) after which to yield
	yields  int          // yields asked for
}

func (r *yieldingRecorder) maybeYield() {
	if r.yieldAt[len(r.events)-1] {
		r.yields++
		r.p.Yield()
	}
}

func (r *yieldingRecorder) Pub(subject, reply, payload []byte) error {
	err := r.serverRecorder.Pub(subject, reply, payload)
	r.maybeYield()
	return err
}

func (r *yieldingRecorder) Ping() error {
	err := r.serverRecorder.Ping()
	r.maybeYield()
	return err
}

// Feeding with FeedSome, and feeding again from where each call stopped,
// yields the same ops as Feed, whatever the chunks and wherever the
// handler yields; each yield stops the call right after the op that asked.
func TestRapidFeedSomeStopsAtYieldsAndLosesNothing(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var stream []byte
		var want []string
		for i := rapid.IntRange(1, 12).Draw(t, "ops"); i > 0; i-- {
			var ev string
			stream, ev = drawClientOp(t, stream)
			want = append(want, ev)
		}
		rec := &yieldingRecorder{yieldAt: map[int]bool{}}
		for i := range want {
			if rapid.Bool().Draw(t, "yield") {
				rec.yieldAt[i] = true
			}
		}
		rec.p = NewServerParser(Limits{})
		for _, chunk := range drawChunks(t, stream) {
			for len(chunk) > 0 {
				yields := rec.yields
				n, err := rec.p.FeedSome(chunk, rec)
				if err != nil {
					t.Fatalf("stream %q: %v", stream, err)
				}
				if n < len(chunk) && rec.yields == yields {
					t.Fatalf("FeedSome stopped at %d of %d bytes without a yield", n, len(chunk))
				}
				if rec.yields > yields && (rec.yields != yields+1 || !rec.yieldAt[len(rec.events)-1]) {
					t.Fatalf("FeedSome went on past the op that yielded")
				}
				chunk = chunk[n:]
			}
		}
		got := parseResult{events: rec.events}
		if !got.equal(parseResult{events: want}) {
			t.Fatalf("stream %q:\n got %v\nwant %q", stream, got, want)
		}
		// Yield outside FeedSome does nothing.
		rec.p.Yield()
		if rec.p.c.yield {
			t.Fatalf("Yield outside a feed left the parser yielding")
		}
	})
}
