package sim

// check refuses layouts whose outcome the checks could not predict.
func (lay *accountsLayout) check() error {
	if err := lay.checkQueues(); err != nil {
		return err
	}
	if err := lay.checkStreams(); err != nil {
		return err
	}
	if err := lay.checkRequests(); err != nil {
		return err
	}
	// Replies travel on _INBOX subjects in the requester's account and
	// on _R_ subjects in the exporter's.
	for _, c := range append(append([]roleClient(nil), lay.subs...), lay.responders...) {
		if subjectsOverlap(c.subject, "_INBOX.*.*") || subjectsOverlap(c.subject, "_R_.*.*") {
			return posError(c.pos, "%s: %q would receive the replies to requests", c.where, c.subject)
		}
	}
	return nil
}

// checkQueues: each queue name belongs to one group, in one account (the
// server merges same-named groups whose subjects overlap).
func (lay *accountsLayout) checkQueues() error {
	owner := map[string]roleClient{}
	for _, c := range append(append([]roleClient(nil), lay.subs...), lay.responders...) {
		if c.queue == "" {
			continue
		}
		first, seen := owner[c.queue]
		switch {
		case !seen:
			owner[c.queue] = c
		case first.where != c.where:
			return posError(c.pos, "%s: queue %q is also %s's; give each group its own", c.where, c.queue, first.where)
		case first.account != c.account:
			return posError(c.pos, "%s: queue %q has users in accounts %s and %s; a queue group lives in one account",
				c.where, c.queue, first.account, c.account)
		}
	}
	return nil
}

// checkStreams: a message reaches a subscription at most once, and never
// a responder.
func (lay *accountsLayout) checkStreams() error {
	for _, p := range lay.pubs {
		ds := lay.graph.deliveries(p.account, p.subject)
		for _, s := range lay.subs {
			if n := countReaching(ds, s.account, s.subject); n > 1 {
				return posError(s.pos, "%s: %s's messages on %s (account %s) would reach %q in account %s %d times; the checks expect at most once",
					s.where, p.where, p.subject, p.account, s.subject, s.account, n)
			}
		}
		for _, r := range lay.responders {
			if countReaching(ds, r.account, r.subject) > 0 {
				return posError(p.pos, "%s: messages on %s (account %s) would reach %s", p.where, p.subject, p.account, r.where)
			}
		}
	}
	return nil
}

// checkRequests: a request reaches at most one responder group, and no
// subscriber.
func (lay *accountsLayout) checkRequests() error {
	for _, q := range lay.requesters {
		ds := lay.graph.requestDeliveries(q.account, q.subject)
		var group *roleClient
		for i, r := range lay.responders {
			if countReaching(ds, r.account, r.subject) == 0 {
				continue
			}
			if group != nil && group.queue != r.queue {
				return posError(q.pos, "%s: requests on %s (account %s) would reach both %s and %s", q.where, q.subject, q.account, group.where, r.where)
			}
			group = &lay.responders[i]
		}
		for _, s := range lay.subs {
			if countReaching(ds, s.account, s.subject) > 0 {
				return posError(q.pos, "%s: requests on %s (account %s) would reach %s", q.where, q.subject, q.account, s.where)
			}
		}
	}
	return nil
}

// countReaching counts the deliveries a subscription in acc on pattern
// gets.
func countReaching(ds []delivery, acc, pattern string) int {
	n := 0
	for _, d := range ds {
		if d.account == acc && matchSubject(pattern, d.subject) {
			n++
		}
	}
	return n
}
