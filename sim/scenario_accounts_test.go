package sim

import (
	"slices"
	"strings"
	"testing"
)

// accountsScenario is a valid two-node accounts scenario that the tests
// extend or break.
const accountsScenario = `
duration: "5s"
ACC: {
  A: {
    users: [ { user: a, password: pa }, { user: a2, password: pa2 } ]
    exports: [ { stream: "ev.>" }, { service: "svc.echo" } ]
  }
  B: {
    users: [ { user: b, password: pb } ]
    imports: [
      { stream: { account: A, subject: "ev.>" }, prefix: fa }
      { service: { account: A, subject: "svc.echo" }, to: echo }
    ]
  }
  C: { users: [ { user: c, password: pc } ] }
}
nodes [
  { name: n1, config { accounts: $ACC, cluster { name: c, listen: 6222, routes: ["nats-route://n2:6222"] } } }
  { name: n2, config { accounts: $ACC, cluster { name: c, listen: 6222 } } }
]
workload {
  accounts {
    interval: "10ms", timeout: "100ms"
    publishers { users: [a], subject: ev }
    subscribers [
      { users: [b], subject: "fa.ev.*" }
      { users: [a, a2], subject: "ev.>", queue: aq, count: 3 }
    ]
    responders { users: [a], subject: "svc.echo" }
    requesters [ { users: [b], subject: echo }, { users: [c], subject: "svc.echo", count: 1 } ]
  }
}
`

func TestAccountsScenarioLoads(t *testing.T) {
	sc, err := ParseScenario("acc.conf", []byte(accountsScenario), nil)
	if err != nil {
		t.Fatal(err)
	}
	as := sc.Workload.Accounts
	if as == nil || len(as.Publishers) != 1 || len(as.Subscribers) != 2 || len(as.Requesters) != 2 {
		t.Fatalf("accounts workload %+v", as)
	}
	if p := as.Publishers[0]; p.Count != 2 || p.Subject != "ev" || !slices.Equal(p.Users, []string{"a"}) {
		t.Fatalf("publishers %+v: count defaults to one per node", p)
	}
	if as.Responders[0].Queue != defaultResponderQueue || as.RequestInterval != as.Interval || as.FinalRound != defaultFinalRound {
		t.Fatalf("defaults: queue %q, request_interval %v, final_round %d", as.Responders[0].Queue, as.RequestInterval, as.FinalRound)
	}
	want := "request-completes-once,reply-matches-request,no-duplicate-reply," +
		"cluster-once-per-sub,cluster-once-per-queue-group,no-loops,account-graph,service-import-replies," +
		"timing-auth-timeout,timing-ping-interval,liveness"
	if got := strings.Join(sc.Checks, ","); got != want {
		t.Fatalf("default checks %s", got)
	}
	lay, err := layoutForScenario(as, sc)
	if err != nil {
		t.Fatal(err)
	}
	// Client k of a group is on node k mod 2 as user k mod len(users).
	type placed struct {
		node          int
		user, account string
	}
	var got []placed
	for _, c := range lay.subs {
		got = append(got, placed{c.node, c.user, c.account})
	}
	wantSubs := []placed{{0, "b", "B"}, {1, "b", "B"}, {0, "a", "A"}, {1, "a2", "A"}, {0, "a", "A"}}
	if !slices.Equal(got, wantSubs) {
		t.Fatalf("subscribers placed %v, want %v", got, wantSubs)
	}
	if lay.pubs[1].subject != "ev.1" || lay.pubs[1].pass != "pa" {
		t.Fatalf("second publisher %+v", lay.pubs[1])
	}
}

func TestAccountsScenarioErrors(t *testing.T) {
	// edit replaces pairs of old, new texts in the scenario.
	edit := func(pairs ...string) string {
		text := accountsScenario
		for i := 0; i < len(pairs); i += 2 {
			if !strings.Contains(text, pairs[i]) {
				t.Fatalf("test text %q not in the scenario", pairs[i])
			}
			text = strings.Replace(text, pairs[i], pairs[i+1], 1)
		}
		return text
	}
	const sub0, responders = `{ users: [b], subject: "fa.ev.*" }`, `responders { users: [a], subject: "svc.echo" }`
	for _, tc := range []struct{ text, want string }{
		{edit("users: [b], subject: echo", "users: [zed], subject: echo"), `workload.accounts.requesters[0]: no user "zed" in the node configs`},
		{edit("password: pb", `password: "$2a$11$abcdefghijklmnopqrstuuRYGmT0Ma0zLCuNh3fGZzKmZl6G9Hv6G"`), `user "b" has a bcrypt password`},
		{edit("password: pc", `password: pc, permissions: { publish: ">" }`), `user "c" has permissions`},
		{edit(`{ name: n2, config { accounts: $ACC,`, `{ name: n2, config { accounts: { A: { users: [ { user: a, password: pa } ] } },`), "node n2's users or accounts differ from node n1's"},
		{edit(responders, `responders { users: [a], subject: "svc.echo", queue: aq }`), `queue "aq" is also workload.accounts.subscribers[1]'s`},
		{edit("users: [a, a2], subject", "users: [a, b], subject"), `queue "aq" has users in accounts A and B`},
		{edit(sub0, `{ users: [b], subject: "echo" }`), "requests on echo (account B) would reach workload.accounts.subscribers[0]"},
		{edit(sub0, `{ users: [c], subject: "svc.echo" }`), "requests on svc.echo (account C) would reach workload.accounts.subscribers[0]"},
		{edit(sub0, `{ users: [b], subject: "_INBOX.>" }`), `"_INBOX.>" would receive the replies`},
		{edit(responders, `responders [ { users: [a], subject: "svc.echo" }, { users: [a2], subject: "svc.*", queue: other } ]`), "would reach both"},
		{edit("subject: ev }", "subject: svc }", responders, `responders { users: [a], subject: "svc.*" }`), "messages on svc.0 (account A) would reach workload.accounts.responders[0]"},
		{edit(`prefix: fa }`, `prefix: fa }
      { stream: { account: A, subject: "ev.*" }, to: "fa.ev.$1" }`), `would reach "fa.ev.*" in account B 2 times`},
		{edit(`interval: "10ms", timeout: "100ms"`, `timeout: "100ms"`), "publishers need an interval"},
		{edit(`interval: "10ms", timeout: "100ms"`, `interval: "10ms"`), "requesters need a timeout"},
		{edit("publishers { users: [a], subject: ev }", "publishers { users: [a], subject: \"ev.*\" }"), `"ev.*" is not a valid literal subject`},
		{edit("{ users: [c], subject: \"svc.echo\", count: 1 }", "{ users: [c], subject: \"svc.echo\", queue: q }"), `unknown field "queue"`},
	} {
		_, err := ParseScenario("bad.conf", []byte(tc.text), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "bad.conf:") {
			t.Errorf("error %v\n want bad.conf:... %q", err, tc.want)
		}
	}
}
