package server

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"jsnode/clock"
)

// newStopped builds a server on the fake network without starting it.
func newStopped(t *testing.T, opts *Options) (*Server, *recLog, error) {
	w := &world{t: t, clock: clock.NewManual(time.Unix(1_700_000_000, 0)), log: &recLog{}}
	w.net = &fakeNet{w: w}
	env := Env{Clock: w.clock, Net: w.net, Rand: rand.New(rand.NewPCG(1, 2)), Log: w.log}
	s, err := New(opts, env)
	return s, w.log, err
}

// The banner names jsnode's own version and, on its own line, the
// nats-server level it speaks; clients still see the nats-server version.
func TestBannerVersions(t *testing.T) {
	w := newWorld(t, &Options{})
	w.expectLog("[INF]   Version:  " + Version)
	w.expectLog("[INF]   Protocol: nats-server " + ServerVersion)
	if w.srv.info.Version != ServerVersion {
		t.Fatalf("INFO version %q, want %q", w.srv.info.Version, ServerVersion)
	}
}

// Only -1 means "any port"; another negative port fails at listen with
// nats-server's message.
func TestNegativePortRefused(t *testing.T) {
	s, log, err := newStopped(t, &Options{Port: -5})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	err = s.Start()
	if err == nil || err.Error() != "listen tcp: address -5: invalid port" {
		t.Fatalf("Start: %v", err)
	}
	if !log.has(`[ERR] Error listening on port: 0.0.0.0:-5, "listen tcp: address -5: invalid port"`) {
		t.Fatalf("log:\n%s", strings.Join(log.lines, "\n"))
	}
}

func TestRandomPortAccepted(t *testing.T) {
	w := newWorld(t, &Options{Port: RandomPort})
	if w.srv.state != stateRunning {
		t.Fatal("server with port -1 is not running")
	}
}

// A client or cluster advertise address Go's net.SplitHostPort rejects
// stops the server, with nats-server's texts.
func TestBadAdvertiseRefused(t *testing.T) {
	cases := []struct {
		opts Options
		want string
	}{
		{Options{ClientAdvertise: "::bad::"},
			"Error setting server INFO with ClientAdvertise value of ::bad::, err=address ::bad::: too many colons in address"},
		{Options{Cluster: ClusterOpts{Port: 6222, Advertise: "::bad::"}},
			"Error setting route INFO with Cluster.Advertise value of ::bad::, err=address ::bad::: too many colons in address"},
	}
	for _, c := range cases {
		_, _, err := newStopped(t, &c.opts)
		if err == nil || err.Error() != c.want {
			t.Errorf("New: %v\nwant %s", err, c.want)
		}
	}
	for _, good := range []string{"example.com:4333", "example.com", "[::1]:4222", "10.0.0.1"} {
		if _, _, err := newStopped(t, &Options{ClientAdvertise: good}); err != nil {
			t.Errorf("client advertise %q: %v", good, err)
		}
	}
}
