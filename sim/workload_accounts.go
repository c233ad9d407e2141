package sim

import (
	"errors"
	"fmt"
)

// accountsWorkload is the accounts { } workload (scenario_accounts.go):
// clients on every node, each logged in as its own user and so bound to
// that user's account, publishing and subscribing (clusterTraffic) and
// sending requests to queue groups of responders (reqrep). The account
// graph read from the node configs decides what must reach whom, and on
// which subject; both parts share one record of the route tables.
type accountsWorkload struct {
	spec     AccountsSpec
	streams  *clusterTraffic
	services *reqrep
	// err is set when the layout fails (a Scenario built in Go, not
	// loaded from a file): the workload then does nothing and reports it.
	err error
}

func newAccountsWorkload(spec AccountsSpec) *accountsWorkload { return &accountsWorkload{spec: spec} }

// start lays the clients out as the loader checked, then starts the
// traffic and the route sampling.
func (aw *accountsWorkload) start(r *run) {
	lay, err := layoutForScenario(&aw.spec, r.sc)
	if err != nil {
		aw.err = err
		return
	}
	sp := aw.spec
	aw.streams = newClusterTraffic("accounts", streamTiming{interval: sp.Interval, payloadSize: sp.PayloadSize, finalRound: sp.FinalRound}, lay.graph)
	aw.services = newRequestTraffic("accounts", "accounts-", requestTiming{interval: sp.RequestInterval, timeout: sp.Timeout, finalRound: sp.FinalRound}, lay.graph)
	routes := newRouteTracker(r)
	aw.streams.attach(r, routes)
	aw.services.attach(r, routes)
	base := r.sc.Workload.clientOptions()
	client := func(rc roleClient) *Client {
		opts := base
		opts.User, opts.Pass, opts.Token = rc.user, rc.pass, ""
		return r.addNodeClient(r.nodes[rc.node], opts)
	}
	for _, rc := range lay.pubs {
		aw.streams.addPublisher(client(rc), rc.account, rc.subject)
	}
	for _, rc := range lay.subs {
		aw.streams.addSubscriber(client(rc), rc.account, rc.subject, rc.queue)
	}
	for _, rc := range lay.responders {
		aw.services.addResponder(client(rc), rc.account, rc.subject, rc.queue)
	}
	for _, rc := range lay.requesters {
		aw.services.addRequester(client(rc), rc.account, rc.subject)
	}
	aw.streams.begin()
	aw.services.begin()
	routes.sample()
}

func (aw *accountsWorkload) stop() {
	if aw.err == nil {
		aw.streams.stop()
		aw.services.stop()
	}
}

func (aw *accountsWorkload) ready() bool {
	return aw.err != nil || aw.streams.ready() && aw.services.ready()
}

func (aw *accountsWorkload) final() {
	if aw.err == nil {
		aw.streams.final()
		aw.services.final()
	}
}

func (aw *accountsWorkload) finalDone() bool {
	return aw.err != nil || aw.streams.finalDone() && aw.services.finalDone()
}

func (aw *accountsWorkload) check(stats map[string]int) error {
	switch {
	case aw.err != nil:
		return fmt.Errorf("accounts: %w", aw.err)
	case aw.streams == nil:
		return nil // the run failed before the workload started
	}
	return errors.Join(aw.streams.check(stats), aw.services.check(stats))
}
