package sim

import "time"

// A host is cut while some link from or to it is blocked (a partition of
// any kind). Bytes written across a cut are held, so a connection that
// breaks during a cut, or soon after its heal, loses what was held since
// the cut began: the checks treat such a session as broken from the start
// of that cut (Client.effectiveDown), and a request whose requester or
// responder was cut may time out without anything breaking
// (Client.CutWithin).

// cutSpan is one interval during which the host was cut; to < 0 while
// the cut lasts.
type cutSpan struct{ from, to time.Duration }

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
			h.cuts = append(h.cuts, cutSpan{from: now, to: -1})
		case !cut[h.name] && open:
			h.cuts[len(h.cuts)-1].to = now
		}
	}
}

// cutEnd is the end of span, now if it lasts.
func (h *Host) cutEnd(s cutSpan) time.Duration {
	if s.to < 0 {
		return h.w.Elapsed()
	}
	return s.to
}

// CutWithin reports whether the client's host was cut at some time in
// [from, to].
func (c *Client) CutWithin(from, to time.Duration) bool {
	for _, s := range c.host.cuts {
		if s.from <= to && c.host.cutEnd(s) >= from {
			return true
		}
	}
	return false
}

// effectiveDown is when session s stopped delivering reliably: the start
// of the cut during which (or within deliverySettle after whose heal) it
// ended, if any, else when it ended.
func (c *Client) effectiveDown(s Session) time.Duration {
	for _, span := range c.host.cuts {
		if span.from <= s.Down && s.Down <= c.host.cutEnd(span)+deliverySettle {
			return max(span.from, s.Up)
		}
	}
	return s.Down
}
