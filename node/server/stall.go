package server

import "time"

// Bounded stalls of a fast producer, as nats-server applies them.
//
// Backpressure (deliver.go, waitFor) pauses a producer while a destination
// past the high-water mark visibly drains. A destination that does not
// drain stops pausing its producers after a few checks, and is then only
// cut once max_pending behind. Between the two, nats-server slows the
// producer down: every time a message goes to a destination more than half
// of max_pending behind, the producer waits 2 ms (at half) to 5 ms (at
// max_pending or more), at most 10 ms per read buffer. Here that wait is a
// pause of the producer's input (the rest of its buffer waits as a
// backlog, backlog.go), so the loop serves everyone else meanwhile. It is
// what keeps a flood into stuck subscribers from filling memory as fast
// as the loop can copy.
const (
	stallMin        = 2 * time.Millisecond
	stallMax        = 5 * time.Millisecond
	stallPerReadMax = 10 * time.Millisecond
)

// noteStall records, for a delivery from c to dst, the stall the
// destination's backlog calls for; the longest of one op is applied once
// the op is done (applyStall).
func (c *client) noteStall(dst *client) {
	mp := c.srv.opts.MaxPending
	if c.conn == nil || c.route != nil || dst.route != nil || c.srv.opts.NoFastProducerStall || mp <= 0 {
		return
	}
	pb := int64(dst.conn.Buffered())
	if pb <= mp/2 || c.stalledInRead >= stallPerReadMax {
		return
	}
	d := stallMax
	if pb < mp {
		d = stallMin + time.Duration(int64(stallMax-stallMin)*(pb-mp/2)/(mp-mp/2))
	}
	c.stallWant = max(c.stallWant, min(d, stallPerReadMax-c.stalledInRead))
}

// stallPending reports whether the op just handled asked for a stall.
func (c *client) stallPending() bool { return c.stallWant > 0 }

// takeStall returns the stall to apply now and counts it against the
// current read buffer.
func (c *client) takeStall() time.Duration {
	d := c.stallWant
	c.stallWant = 0
	c.stalledInRead += d
	c.stalls++ // connz "stalls"
	c.srv.stalledClients++
	return d
}
