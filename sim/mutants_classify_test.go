package sim

import (
	"regexp"
	"strings"
	"testing"
)

// checkPrefix is how a check names itself in its error ("check <name>: ").
var checkPrefix = regexp.MustCompile(`check ([a-z0-9-]+): `)

// failureChecks map a phrase of a failure message to the check that
// reports it, for the messages that do not name their check yet; the
// first phrase found, in this order, wins.
var failureChecks = []struct{ phrase, check string }{
	{"nondeterministic", "determinism"},
	{"panic: ", "crash"},
	{"raft invariant: election safety", "raft-election-safety"},
	{"raft invariant: log matching", "raft-log-matching"},
	{"raft invariant: leader completeness", "raft-leader-completeness"},
	{"raft invariant: state machine safety", "raft-state-machine-safety"},
	{"raft invariant: committed entry lost", "raft-committed-never-lost"},
	{"raft invariant", "raft-invariant"},
	{"not linearizable", "linearizable"},
	{"linearizability check undecided", "linearizable-undecided"},
	{"replicas diverge", "replicas-converge"},
	{"group failed", "raft-group-failed"},
	{"queue group", "once-per-queue-group"},
	{"delivered to", "once-per-queue-group"},
	{"delivered twice", "once-per-sub"},
	{"duplicate or reordered", "once-per-sub/order"},
	{"lost seq", "once-per-sub"},
	{"duplicate replies", "no-duplicate-reply"},
	{"completed ", "request-completes-once"},
	{"account graph", "account-graph"},
	{"names account", "account-graph"},
	{", want ", "reply-matches-request"},
	{"want no responders", "service-import-replies"},
	{"never reconnected", "all-clients-reconnected"},
	{"lame", "lame-duck-info-before-close"},
	{"liveness", "liveness"},
	{"final", "liveness"},
}

// classifyFailure names the check behind a failure message (errors
// joined one a line): the first one a line names, else the one the
// wording of a line belongs to (a specific check before liveness), else
// "other"; line is the line it came from.
func classifyFailure(msg string) (check, line string) {
	lines := strings.Split(msg, "\n")
	for _, l := range lines {
		if m := checkPrefix.FindStringSubmatch(l); m != nil {
			return m[1], l
		}
	}
	for _, f := range failureChecks {
		for _, l := range lines {
			if strings.Contains(l, f.phrase) {
				return f.check, l
			}
		}
	}
	return "other", lines[0]
}

func TestClassifyFailure(t *testing.T) {
	for _, tc := range []struct{ msg, want string }{
		{"x: check cluster-once-per-sub: lost seq 3", "cluster-once-per-sub"},
		{"raft invariant: election safety: n1 leads term 3, which n2 already led", "raft-election-safety"},
		{"raft_kv: history of 20 operations is not linearizable\nraft_kv: history visualization: a.html", "linearizable"},
		{"pubsub: subscriber 1 (c1 foo): from publisher 0: seq 4 arrived after seq 4 (duplicate or reordered)", "once-per-sub/order"},
		{"cluster: queue group q: seq 7 from publisher 1 delivered to 2 members", "once-per-queue-group"},
		{`reqrep: requester 0 (c2, account $G, svc): request 5 (sent at 1s, final=false): got "r1-5" from requester 1 (account $G, subject svc) on _INBOX.x, want _INBOX.y`, "reply-matches-request"},
		{"panic: index out of range", "crash"},
		{"nondeterministic: trace hash a then b", "determinism"},
		{"liveness: final round did not complete", "liveness"},
		{"liveness: final round did not complete\ncluster: subscriber 2 (n2c1, account $G, foo.>): from publisher 1: lost seq 9 from publisher 1 on n2", "once-per-sub"},
		{"something new", "other"},
	} {
		if got, _ := classifyFailure(tc.msg); got != tc.want {
			t.Errorf("classifyFailure(%q) = %q, want %q", tc.msg, got, tc.want)
		}
	}
}
