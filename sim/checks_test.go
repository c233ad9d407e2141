package sim

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestSelectChecksKeepsNamedAndUnowned(t *testing.T) {
	lost := fmt.Errorf("pubsub: subscriber 0: %w", violationf("exactly-once-per-sub", "lost seq 3"))
	order := violationf("per-publisher-order", "seq 2 arrived after seq 5")
	setup := errors.New("setup: clients did not connect")
	all := errors.Join(lost, errors.Join(order, setup))

	got := newCheckSet([]string{"exactly-once-per-sub", "liveness"}).selectChecks(all)
	msg := got.Error()
	if !strings.Contains(msg, "check exactly-once-per-sub: pubsub: subscriber 0: lost seq 3") {
		t.Errorf("named violation not kept with its prefix: %q", msg)
	}
	if strings.Contains(msg, "arrived after") {
		t.Errorf("violation of an unnamed check kept: %q", msg)
	}
	if !strings.Contains(msg, "setup: clients did not connect") {
		t.Errorf("unowned error dropped: %q", msg)
	}
	if names := checkNamesOf(all); !slices.Equal(names, []string{"exactly-once-per-sub", "per-publisher-order"}) {
		t.Errorf("checkNamesOf = %v", names)
	}
	if newCheckSet([]string{"liveness"}).selectChecks(errors.Join(lost, order)) != nil {
		t.Error("violations of unnamed checks were kept")
	}
	if got := checkSet(nil).selectChecks(order); got == nil || !strings.HasPrefix(got.Error(), "check per-publisher-order: ") {
		t.Errorf("a nil set must keep every check: %v", got)
	}
}

// A run performs only the checks its scenario names: a wrong reply is
// reported under reply-matches-request, and not at all when the scenario
// leaves that check out.
func TestRequestProblemsFollowTheChecks(t *testing.T) {
	for _, tc := range []struct {
		checks []string
		want   string
	}{
		{[]string{"reply-matches-request", "liveness"}, "check reply-matches-request: "},
		{[]string{"request-completes-once", "liveness"}, ""},
		{nil, "check reply-matches-request: "},
	} {
		r := &run{sc: &Scenario{}, checks: newCheckSet(tc.checks)}
		rr := &reqrep{label: "request_reply", r: r}
		rr.problem("reply-matches-request", "request %q got reply %q", "req 0 1", "req 0 2")
		err := r.checks.selectChecks(rr.check(map[string]int{}))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("checks %v: got %v, want nothing", tc.checks, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("checks %v: got %v, want prefix %q", tc.checks, err, tc.want)
		}
	}
}
