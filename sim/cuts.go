package sim

import "time"

// A host is cut while some link from or to it is blocked (a partition of
// any kind). Bytes written across a cut are held, so a connection that
// breaks during a cut, or soon after its heal, loses what was held since
// the cut began: the checks treat such a session as broken from the start
// of that cut (Client.effectiveDown), and a request whose requester or
// responder was cut may time out without anything breaking
// (Client.CutWithin).

// span is one interval of a host's cuts or pauses; to < 0 while it lasts.
type span struct{ from, to time.Duration }

// end is when s ends, now if it lasts.
func (s span) end(now time.Duration) time.Duration {
	if s.to < 0 {
		return now
	}
	return s.to
}

// overlaps reports whether some span of ss meets [from, to].
func overlaps(ss []span, from, to, now time.Duration) bool {
	for _, s := range ss {
		if s.from <= to && s.end(now) >= from {
			return true
		}
	}
	return false
}

// updateCuts opens or closes each host's cut span after the blocked
// links changed.
func (w *World) updateCuts() {
	cut := make(map[string]bool, len(w.hostOrder))
	for l := range w.blocked {
		cut[l.from], cut[l.to] = true, true
	}
	now := w.Elapsed()
	for _, h := range w.hostOrder {
		open := len(h.cuts) > 0 && h.cuts[len(h.cuts)-1].to < 0
		switch {
		case cut[h.name] && !open:
			h.cuts = append(h.cuts, span{from: now, to: -1})
		case !cut[h.name] && open:
			h.cuts[len(h.cuts)-1].to = now
		}
	}
}

// CutWithin reports whether the client's host was cut at some time in
// [from, to].
func (c *Client) CutWithin(from, to time.Duration) bool {
	return overlaps(c.host.cuts, from, to, c.host.w.Elapsed())
}

// effectiveDown is when session s stopped delivering reliably: the start
// of the cut during which (or within deliverySettle after whose heal) it
// ended, if any, else when it ended.
func (c *Client) effectiveDown(s Session) time.Duration {
	now := c.host.w.Elapsed()
	for _, cut := range c.host.cuts {
		if cut.from <= s.Down && s.Down <= cut.end(now)+deliverySettle {
			return max(cut.from, s.Up)
		}
	}
	return s.Down
}
