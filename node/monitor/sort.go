package monitor

import (
	"cmp"
	"slices"
	"time"
)

// SortConnz orders conns by the /connz sort key by, in place: ascending
// for cid, start and reason; from the shortest uptime; descending for
// every other key. now is the time uptimes of open connections are
// measured to. The sort is stable, so connections that tie keep their
// order (callers pass them by cid) and the result never depends on map
// order. An unknown key leaves conns as they are.
func SortConnz(conns []*ConnInfo, by string, now time.Time) {
	less := connLess(SortOpt(by), now)
	if less == nil {
		return
	}
	slices.SortStableFunc(conns, less)
}

// connLess returns the comparison for a sort key, nil for an unknown one.
func connLess(by SortOpt, now time.Time) func(a, b *ConnInfo) int {
	switch by {
	case "", ByCid, ByStart:
		return func(a, b *ConnInfo) int { return cmp.Compare(a.Cid, b.Cid) }
	case ByReason:
		return func(a, b *ConnInfo) int { return cmp.Compare(a.Reason, b.Reason) }
	case ByUptime:
		return func(a, b *ConnInfo) int { return cmp.Compare(uptime(a, now), uptime(b, now)) }
	case BySubs:
		return descending(func(c *ConnInfo) uint32 { return c.NumSubs })
	case ByPending:
		return descending(func(c *ConnInfo) int { return c.Pending })
	case ByOutMsgs:
		return descending(func(c *ConnInfo) int64 { return c.OutMsgs })
	case ByInMsgs:
		return descending(func(c *ConnInfo) int64 { return c.InMsgs })
	case ByOutBytes:
		return descending(func(c *ConnInfo) int64 { return c.OutBytes })
	case ByInBytes:
		return descending(func(c *ConnInfo) int64 { return c.InBytes })
	case ByLast:
		return descending(func(c *ConnInfo) int64 { return c.LastActivity.UnixNano() })
	case ByIdle:
		// The longest idle first: the oldest last activity first.
		return func(a, b *ConnInfo) int { return a.LastActivity.Compare(b.LastActivity) }
	case ByStop:
		return descending(func(c *ConnInfo) int64 { return stopNanos(c) })
	case ByRTT:
		return descending(func(c *ConnInfo) time.Duration { return rttOf(c) })
	}
	return nil
}

// descending orders by key, the largest first.
func descending[K cmp.Ordered](key func(*ConnInfo) K) func(a, b *ConnInfo) int {
	return func(a, b *ConnInfo) int { return cmp.Compare(key(b), key(a)) }
}

// uptime is how long c was (or has been) connected.
func uptime(c *ConnInfo, now time.Time) time.Duration {
	if c.Stop != nil && !c.Stop.IsZero() {
		return c.Stop.Sub(c.Start)
	}
	return now.Sub(c.Start)
}

// stopNanos is c's close time; open connections sort as never stopped.
func stopNanos(c *ConnInfo) int64 {
	if c.Stop == nil {
		return 0
	}
	return c.Stop.UnixNano()
}

// rttOf reads back the RTT string (a Go duration); unknown is 0.
func rttOf(c *ConnInfo) time.Duration {
	d, err := time.ParseDuration(c.RTT)
	if err != nil {
		return 0
	}
	return d
}

// Page returns the [offset, offset+limit) window of n items, clamped to
// [0, n], as nats-server pages /connz and /subsz.
func Page(n, offset, limit int) (lo, hi int) {
	lo = min(max(offset, 0), n)
	hi = lo + min(max(limit, 0), n-lo)
	return lo, hi
}
