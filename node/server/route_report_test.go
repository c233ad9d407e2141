package server

import (
	"strings"
	"testing"
	"time"
)

// A failed route dial names the address it dialled, in the form of Go's
// net errors that nats-server logs.
func TestRouteDialErrorNamesAddress(t *testing.T) {
	m := newMesh(t)
	m.start("n1", clusterOpts("n1", "n2"))
	m.advance(1500 * time.Millisecond)
	m.expectLog("n1", "[ERR] Error trying to connect to route (attempt 1): dial tcp n2:6222: connect: connection refused")
}

// connect_error_reports: a route that never connected logs the first
// failure and then every Nth as an error, the others as debug.
func TestRouteConnectErrorReports(t *testing.T) {
	m := newMesh(t)
	o := clusterOpts("n1", "n2")
	o.ConnectErrorReports = 3
	m.start("n1", o)
	m.advance(6500 * time.Millisecond)
	levels := routeErrorLevels(m.logs["n1"].lines)
	if len(levels) < 6 {
		t.Fatalf("want >= 6 dial failures, got %v", levels)
	}
	want := []string{"[ERR]", "[DBG]", "[ERR]", "[DBG]", "[DBG]", "[ERR]"}
	for i, w := range want {
		if levels[i] != w {
			t.Fatalf("attempt %d logged at %s, want %s (all: %v)", i+1, levels[i], w, levels)
		}
	}
}

func TestReportConnectErrDefaults(t *testing.T) {
	s := &Server{}
	s.opts.SetDefaults()
	cases := []struct {
		first    bool
		attempts int
		want     bool
	}{
		{true, 1, true}, {true, 2, false}, {true, 3599, false}, {true, 3600, true}, {true, 7200, true},
		{false, 1, true}, {false, 2, true}, {false, 17, true},
	}
	for _, c := range cases {
		if got := s.reportConnectErr(c.first, c.attempts); got != c.want {
			t.Errorf("reportConnectErr(first=%v, %d) = %v, want %v", c.first, c.attempts, got, c.want)
		}
	}
}

// routeErrorLevels lists the level of each "Error trying to connect to
// route" line, in order.
func routeErrorLevels(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, "Error trying to connect to route") {
			out = append(out, l[:5])
		}
	}
	return out
}
