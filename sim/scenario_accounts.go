package sim

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"jsnode/node/conf"
)

// Scenario-file support for the accounts workload (workload_accounts.go):
//
//	workload {
//	  accounts {
//	    interval: "50ms", payload_size: 32, final_round: 20
//	    request_interval: "100ms", timeout: "500ms"
//	    publishers  [ { users: [a1, a2], subject: events, count: 3 } ]
//	    subscribers [ { users: [b1], subject: "from_a.events.>" }
//	                  { users: [a1], subject: "events.*", queue: aq } ]
//	    responders  [ { users: [a1], subject: "svc.echo", queue: svc } ]
//	    requesters  [ { users: [b1], subject: echo } ]
//	  }
//	}
//
// Each role is one block or an array of blocks (groups). A group has
// count clients (default: one per node); client k of a group connects to
// node k mod nodes and logs in as users[k mod len(users)], a user of the
// node configs' authorization or accounts blocks with a plain-text
// password, no permissions, bound to its account on every node alike.
// A publisher sends on "<subject>.<n>", n its index among all publishers
// (in file order); subscribers and responders take a subject pattern, the
// members of a queue group share one account and responders are always
// in one (queue, default "responders"); requesters publish on a literal
// subject. interval is needed with publishers, timeout with requesters;
// request_interval defaults to interval.
//
// The account graph is read from the node configs (accountGraph), and the
// layout is refused when the checks could not predict it: a message
// reaching one subscription twice, a request reaching two groups, or
// stream and request traffic reaching each other's clients.

// AccountsSpec is workload.accounts.
type AccountsSpec struct {
	Publishers, Subscribers, Responders, Requesters []RoleSpec
	// Interval is the mean gap between one publisher's messages,
	// RequestInterval between one requester's requests.
	Interval, RequestInterval time.Duration
	Timeout                   time.Duration
	PayloadSize               int
	// FinalRound is how many messages each publisher, and requests each
	// requester, sends in the liveness round.
	FinalRound int
}

// RoleSpec is one group of clients of the accounts workload.
type RoleSpec struct {
	Count   int
	Users   []string
	Subject string
	Queue   string
	pos     conf.Pos
}

// hasSubscriberQueue reports whether some subscribers form a queue group.
func (as *AccountsSpec) hasSubscriberQueue() bool {
	for _, sp := range as.Subscribers {
		if sp.Queue != "" {
			return true
		}
	}
	return false
}

// defaultResponderQueue is the queue group of responders that name none.
const defaultResponderQueue = "responders"

func hasAccounts(sc *Scenario) bool { return sc.Workload.Accounts != nil }

// parseAccountsWorkload reads workload.accounts and checks it against the
// nodes' account graph.
func parseAccountsWorkload(v *conf.Value, sc *Scenario) (*AccountsSpec, error) {
	f, err := blockFields("workload.accounts", v, "interval", "request_interval", "timeout", "payload_size", "final_round",
		"publishers", "subscribers", "responders", "requesters")
	if err != nil {
		return nil, err
	}
	as := &AccountsSpec{FinalRound: defaultFinalRound}
	steps := []error{
		f.duration("interval", &as.Interval, minWorkloadInterval, maxScenarioDuration),
		f.duration("request_interval", &as.RequestInterval, minWorkloadInterval, maxScenarioDuration),
		f.duration("timeout", &as.Timeout, minWorkloadInterval, maxScenarioDuration),
		f.integer("payload_size", &as.PayloadSize, 0, maxPayloadSize),
		f.integer("final_round", &as.FinalRound, 0, maxFinalRound),
	}
	if err := firstError(steps); err != nil {
		return nil, err
	}
	nodes := len(sc.Topology.Nodes)
	roles := []struct {
		key   string
		dst   *[]RoleSpec
		queue bool
	}{{"publishers", &as.Publishers, false}, {"subscribers", &as.Subscribers, true},
		{"responders", &as.Responders, true}, {"requesters", &as.Requesters, false}}
	for _, role := range roles {
		if *role.dst, err = parseRoles(f, role.key, role.queue, nodes); err != nil {
			return nil, err
		}
	}
	for i := range as.Responders {
		if as.Responders[i].Queue == "" {
			as.Responders[i].Queue = defaultResponderQueue
		}
	}
	if err := as.checkTimes(f); err != nil {
		return nil, err
	}
	if _, err := layoutForScenario(as, sc); err != nil {
		return nil, err
	}
	return as, nil
}

// checkTimes requires the intervals the roles need, and defaults
// request_interval.
func (as *AccountsSpec) checkTimes(f *fields) error {
	switch {
	case len(as.Publishers)+len(as.Requesters) == 0:
		return posError(f.m.Pos, "workload.accounts: needs publishers or requesters")
	case len(as.Publishers) > 0 && len(as.Subscribers) == 0:
		return posError(f.m.Pos, "workload.accounts: publishers need subscribers")
	case len(as.Publishers) > 0 && as.Interval == 0:
		return posError(f.m.Pos, "workload.accounts: publishers need an interval")
	case len(as.Requesters) > 0 && as.Timeout == 0:
		return posError(f.m.Pos, "workload.accounts: requesters need a timeout")
	case len(as.Requesters) > 0 && as.RequestInterval == 0 && as.Interval == 0:
		return posError(f.m.Pos, "workload.accounts: requesters need request_interval (or interval)")
	}
	if as.RequestInterval == 0 {
		as.RequestInterval = as.Interval
	}
	return nil
}

// parseRoles reads one role's groups.
func parseRoles(f *fields, key string, queue bool, nodes int) ([]RoleSpec, error) {
	known := []string{"count", "users", "subject"}
	if queue {
		known = append(known, "queue")
	}
	list, err := f.entries(key, known...)
	if err != nil {
		return nil, err
	}
	var out []RoleSpec
	for _, e := range list {
		if err := e.require("users", "subject"); err != nil {
			return nil, err
		}
		sp := RoleSpec{Count: nodes, pos: e.m.Pos}
		if err := firstError([]error{
			e.integer("count", &sp.Count, 1, maxRoleCount),
			e.strList("users", &sp.Users),
			e.str("subject", &sp.Subject),
			e.str("queue", &sp.Queue),
		}); err != nil {
			return nil, err
		}
		if literal := key == "publishers" || key == "requesters"; !validSubject(sp.Subject, !literal) {
			kind := "subscription"
			if literal {
				kind = "literal"
			}
			return nil, e.errorf("subject", "%q is not a valid %s subject", sp.Subject, kind)
		}
		out = append(out, sp)
	}
	return out, nil
}

// strList reads key as a string or an array of non-empty strings.
func (f *fields) strList(key string, dst *[]string) error {
	v, ok := f.get(key)
	if !ok {
		return nil
	}
	items := []*conf.Value{v}
	if v.Kind == conf.KindArray {
		items = v.Array
	}
	var out []string
	for _, item := range items {
		s, err := item.AsString()
		if err != nil {
			return inBlock(f.where+"."+key, err)
		}
		if s == "" {
			return posError(item.Pos, "%s.%s: empty name", f.where, key)
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return posError(v.Pos, "%s.%s: empty", f.where, key)
	}
	*dst = out
	return nil
}

// validSubject: non-empty tokens without blanks; wildcards ('*', and '>'
// last) only when allowed.
func validSubject(s string, wild bool) bool {
	toks := strings.Split(s, ".")
	for i, t := range toks {
		switch {
		case t == "" || strings.ContainsAny(t, " \t\r\n"):
			return false
		case t == "*" || t == ">":
			if !wild || t == ">" && i != len(toks)-1 {
				return false
			}
		}
	}
	return true
}

// layoutForScenario reads the nodes' account graph, which must be the
// same on every node, and lays out the workload's clients on it.
func layoutForScenario(as *AccountsSpec, sc *Scenario) (*accountsLayout, error) {
	nodes := sc.Topology.Nodes
	var g *accountGraph
	for i, ns := range nodes {
		ng, err := newAccountGraph(&ns.Options)
		if err != nil {
			return nil, posError(as.firstPos(), "workload.accounts: node %s: %v", ns.Name, err)
		}
		if i == 0 {
			g = ng
		} else if !reflect.DeepEqual(g, ng) {
			return nil, posError(as.firstPos(), "workload.accounts: node %s's users or accounts differ from node %s's; the checks need one account graph",
				ns.Name, nodes[0].Name)
		}
	}
	lay, err := layoutAccounts(as, g, len(nodes))
	if err != nil {
		return nil, err
	}
	return lay, lay.check()
}

func (as *AccountsSpec) firstPos() conf.Pos {
	for _, groups := range [][]RoleSpec{as.Publishers, as.Subscribers, as.Responders, as.Requesters} {
		if len(groups) > 0 {
			return groups[0].pos
		}
	}
	return conf.Pos{}
}

// accountsLayout is every client of the workload, placed and logged in.
type accountsLayout struct {
	graph                              *accountGraph
	pubs, subs, responders, requesters []roleClient
}

// roleClient is one client of the accounts workload.
type roleClient struct {
	where      string // e.g. "subscribers[1]", for errors
	pos        conf.Pos
	node       int // index into the nodes
	user, pass string
	account    string
	subject    string // a publisher's full subject
	queue      string
}

// layoutAccounts places each group's clients and resolves their users.
func layoutAccounts(as *AccountsSpec, g *accountGraph, nodes int) (*accountsLayout, error) {
	lay := &accountsLayout{graph: g}
	roles := []struct {
		key    string
		groups []RoleSpec
		dst    *[]roleClient
	}{{"publishers", as.Publishers, &lay.pubs}, {"subscribers", as.Subscribers, &lay.subs},
		{"responders", as.Responders, &lay.responders}, {"requesters", as.Requesters, &lay.requesters}}
	for _, role := range roles {
		for gi, sp := range role.groups {
			where := fmt.Sprintf("workload.accounts.%s[%d]", role.key, gi)
			for k := 0; k < sp.Count; k++ {
				rc, err := placeClient(g, sp, where, k, nodes)
				if err != nil {
					return nil, err
				}
				if role.key == "publishers" {
					rc.subject += "." + strconv.Itoa(len(lay.pubs))
				}
				*role.dst = append(*role.dst, rc)
			}
		}
	}
	return lay, nil
}

// placeClient is client k of group sp.
func placeClient(g *accountGraph, sp RoleSpec, where string, k, nodes int) (roleClient, error) {
	name := sp.Users[k%len(sp.Users)]
	u, ok := g.user(name)
	switch {
	case !ok:
		return roleClient{}, posError(sp.pos, "%s: no user %q in the node configs (authorization or accounts users)", where, name)
	case isBcryptHash(u.password):
		return roleClient{}, posError(sp.pos, "%s: user %q has a bcrypt password; the simulated clients need it in plain text", where, name)
	case u.perms:
		return roleClient{}, posError(sp.pos, "%s: user %q has permissions, which the workload's checks do not model", where, name)
	}
	return roleClient{where: where, pos: sp.pos, node: k % nodes, user: name, pass: u.password,
		account: u.account, subject: sp.Subject, queue: sp.Queue}, nil
}

// isBcryptHash spots "$2a$", "$2b$", "$2x$" and "$2y$" hashes.
func isBcryptHash(s string) bool {
	return len(s) > 4 && s[0] == '$' && s[1] == '2' && strings.ContainsRune("abxy", rune(s[2])) && s[3] == '$'
}
