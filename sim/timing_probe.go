package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"jsnode/node/server"
)

// The timing probes: bare protocol connections, each on a host of its
// own (connection resets never pick them), that exercise a node's client
// timers and measure them from the outside. On every node the probes can
// trust (never reloaded: a reload may change these very settings):
//
//   - an auth probe, where the node requires authentication, connects and
//     never sends CONNECT; the node must answer -ERR 'Authentication
//     Timeout' and close authorization.timeout after accepting it (and
//     any PING it sends first must follow ping_interval after the
//     accept);
//   - a ping probe logs in and then only answers PINGs: the first PING
//     must follow CONNECT by the first-PING delay, each later one the
//     previous by ping_interval;
//   - a stale probe logs in and never answers: after ping_max PINGs, each
//     ping_interval after the one before, the next keep-alive must close
//     it with -ERR 'Stale Connection'.
//
// Every connection ends (closed by the node, or by the probe once it has
// seen enough) and the probe dials again, so each run measures each timer
// many times. An observation cut short (a crash, a lame-duck close) is
// simply dropped; a timer that never fires is caught by a deadline.

// probeHostPrefix names the probes' hosts; node names may not start with it.
const probeHostPrefix = "timing-probe-"

// Probe pacing.
const (
	// probeRedial is the pause between a probe's connections.
	probeRedial = 100 * time.Millisecond
	// probePingsPerConn is how many PINGs a ping probe answers on one
	// connection before it starts over (a new connection measures the
	// first PING after CONNECT again).
	probePingsPerConn = 3
	// probeLongInterval: with a longer ping interval a ping probe leaves
	// after the first PING, as the next one would come too late to count.
	probeLongInterval = 5 * time.Second
	// probeDeadlineMargin is how long past the end of a window a probe
	// waits before calling a timer missing: a close the node sent
	// meanwhile (a lame-duck close) is still in flight for up to one
	// latency.
	probeDeadlineMargin = maxScenarioLatency
	// probeStreamSalt derives the probes' random stream from the seed, so
	// that creating their hosts does not shift the master stream.
	probeStreamSalt = 0x74696d696e67 // "timing"
)

// serverFirstPingMax and serverFirstPingJitter mirror the server's first
// PING after CONNECT (node/server timers.go): min(ping_interval, 2s),
// plus up to a fifth of it at random.
const (
	serverFirstPingMax    = 2 * time.Second
	serverFirstPingJitter = 5
)

// buggifyPingLateSite is the server's BUGGIFY site that legally delays a
// client's keep-alive timer by up to a tenth of ping_interval
// (server.sitePingLate); while it is active in a run the late side of
// the interval windows allows that much.
const buggifyPingLateSite = "server.ping.late"

// Texts of the -ERRs the probes wait for.
const (
	errAuthTimeout     = "Authentication Timeout"
	errStaleConnection = "Stale Connection"
)

// probeKind is what a probe does on each connection.
type probeKind int

const (
	probeAuth  probeKind = iota // never sends CONNECT
	probePing                   // logs in, answers every PING
	probeStale                  // logs in, answers nothing
)

func (k probeKind) String() string { return [...]string{"auth", "ping", "stale"}[k] }

// check is the timing check the kind's main observation belongs to.
func (k probeKind) check() string {
	return [...]string{checkAuthTimeout, checkPingInterval, checkStaleConnection}[k]
}

// nodeTimers are a node's client timer settings, defaults applied, and
// the CONNECT line a probe logs in with.
type nodeTimers struct {
	pingInterval time.Duration
	maxPingsOut  int
	authTimeout  time.Duration // 0: the node requires no authentication
	connect      []byte        // nil: no credentials a probe can use
}

func nodeTimersOf(o server.Options, wl *Workload, host string) nodeTimers {
	t := nodeTimers{pingInterval: o.PingInterval, maxPingsOut: o.MaxPingsOut}
	if t.pingInterval <= 0 {
		t.pingInterval = server.DefaultPingInterval
	}
	if t.maxPingsOut <= 0 {
		t.maxPingsOut = server.DefaultMaxPingsOut
	}
	if o.Auth.Required() {
		t.authTimeout = o.Auth.Timeout
		if t.authTimeout <= 0 {
			t.authTimeout = server.DefaultAuthTimeout
		}
	}
	if user, pass, token, ok := probeCredentials(&o, wl); ok {
		js, _ := json.Marshal(connectJSON{Lang: "sim", Version: "0.1", Protocol: 1, Name: host, User: user, Pass: pass, Token: token})
		t.connect = append(append([]byte("CONNECT "), js...), "\r\n"...)
	}
	return t
}

// probeCredentials picks a login: none without authentication, else the
// workload's clients', else the node's token, single user or first user
// with a plain-text password.
func probeCredentials(o *server.Options, wl *Workload) (user, pass, token string, ok bool) {
	a := &o.Auth
	switch {
	case !a.Required():
		return "", "", "", true
	case wl.User != "" || wl.Token != "":
		return wl.User, wl.Pass, wl.Token, true
	case a.Token != "":
		return "", "", a.Token, true
	case a.Username != "":
		return a.Username, a.Password, "", true
	}
	for _, u := range a.Users {
		if !strings.HasPrefix(u.Password, "$2") {
			return u.Username, u.Password, "", true
		}
	}
	return "", "", "", false
}

// staleFits reports whether a stale probe's connection ends well within
// the fault phase: the first PING, ping_max more intervals, and the close.
func (t nodeTimers) staleFits(sc *Scenario) bool {
	return serverFirstPingMax+time.Duration(t.maxPingsOut+1)*t.pingInterval <= sc.Duration/2
}

// probedNodes are the nodes the probes measure: those no reload touches.
func probedNodes(sc *Scenario) []NodeSpec {
	var out []NodeSpec
	for _, ns := range sc.Topology.Nodes {
		if !slices.ContainsFunc(sc.Faults.Reloads, func(rs ReloadSpec) bool { return rs.Node == ns.Name }) {
			out = append(out, ns)
		}
	}
	return out
}

// probeKinds lists the probes node ns gets in sc, for the checks on.
func probeKinds(sc *Scenario, ns NodeSpec, on func(string) bool) []probeKind {
	t := nodeTimersOf(ns.Options, &sc.Workload, "")
	var kinds []probeKind
	if t.authTimeout > 0 && on(checkAuthTimeout) {
		kinds = append(kinds, probeAuth)
	}
	if t.connect != nil && on(checkPingInterval) {
		kinds = append(kinds, probePing)
	}
	if t.connect != nil && t.staleFits(sc) && on(checkStaleConnection) {
		kinds = append(kinds, probeStale)
	}
	return kinds
}

// probesApply reports whether some probed node of sc gets a probe of kind.
func probesApply(kind probeKind) func(*Scenario) bool {
	return func(sc *Scenario) bool {
		for _, ns := range probedNodes(sc) {
			if slices.Contains(probeKinds(sc, ns, func(string) bool { return true }), kind) {
				return true
			}
		}
		return false
	}
}

// timingProbes is the workload part that runs a run's probes and
// collects their violations.
type timingProbes struct {
	r        *run
	net      netSpan
	pingLate bool // buggifyPingLateSite is active in this run
	rng      *rand.Rand
	probes   []*probe
	errs     []error
	counts   map[string]int // violations per check
	observed map[string]int // observations per check
}

// newTimingProbes returns the run's probes, or nil if no timing check of
// the client timers is on or none applies.
func newTimingProbes(r *run) *timingProbes {
	w := r.w
	seed := w.Seed()
	tp := &timingProbes{r: r, net: netSpanOf(w.opts), counts: map[string]int{}, observed: map[string]int{},
		pingLate: !w.opts.NoBuggify && w.buggify.siteActive(buggifyPingLateSite),
		rng:      rand.New(rand.NewPCG(seed^probeStreamSalt, seed+probeStreamSalt))}
	for _, ns := range probedNodes(r.sc) {
		n := r.node(ns.Name)
		for _, k := range probeKinds(r.sc, ns, r.checks.on) {
			name := probeHostPrefix + ns.Name + "-" + k.String()
			p := &probe{tp: tp, kind: k, node: n, host: w.hostFrom(name, tp.rng), t: nodeTimersOf(ns.Options, &r.sc.Workload, name)}
			tp.probes = append(tp.probes, p)
		}
	}
	if len(tp.probes) == 0 {
		return nil
	}
	return tp
}

func (tp *timingProbes) start(*run) {
	for _, p := range tp.probes {
		p.dial()
	}
}

// The probes keep measuring through the liveness phase and never hold
// it up.
func (tp *timingProbes) stop()           {}
func (tp *timingProbes) ready() bool     { return true }
func (tp *timingProbes) final()          {}
func (tp *timingProbes) finalDone() bool { return true }

// check reports the violations, and a check that observed nothing: the
// probes exist to observe.
func (tp *timingProbes) check(stats map[string]int) error {
	errs := tp.errs
	for _, k := range []probeKind{probeAuth, probePing, probeStale} {
		name := k.check()
		if !tp.hasKind(k) {
			continue
		}
		stats[name] = tp.observed[name]
		if tp.observed[name] == 0 {
			errs = append(errs, violationf(name, "timing probe: the %s probes observed nothing", k))
		}
	}
	return errors.Join(errs...)
}

func (tp *timingProbes) hasKind(k probeKind) bool {
	return slices.ContainsFunc(tp.probes, func(p *probe) bool { return p.kind == k })
}

// observe counts one observation for check and reports d against win.
func (tp *timingProbes) observe(check, node, what string, d time.Duration, win timerWindow) {
	now := tp.r.w.Elapsed()
	if tp.r.w.Host(node).pausedWithin(now-d, now) {
		return // a paused node's timers fire late, legitimately
	}
	tp.observed[check]++
	if verdict := win.judge(d); verdict != "" {
		tp.violate(check, "%s: %s %s", node, what, verdict)
	}
}

// violate records a violation of check (at most timingViolationsMax).
func (tp *timingProbes) violate(check, format string, args ...any) {
	if !tp.r.checks.on(check) || tp.counts[check] >= timingViolationsMax {
		return
	}
	tp.counts[check]++
	msg := fmt.Sprintf("timing probe: t=%v: ", tp.r.w.Elapsed()) + fmt.Sprintf(format, args...)
	tp.r.w.Note("violation", check+": "+msg)
	tp.errs = append(tp.errs, violationf(check, "%s", msg))
}

// Windows of the node's timers as a probe sees them.

// firstPing: from CONNECT written to the first PING read, a round trip.
func (tp *timingProbes) firstPing(t nodeTimers) timerWindow {
	f := min(t.pingInterval, serverFirstPingMax)
	lo, hi := tp.net.roundTrip()
	return driftWindow(f, f+f/serverFirstPingJitter, tp.maxPPM()).shifted(lo, hi)
}

// interval: between two keep-alive timers' messages; the first after an
// accept (exact) or any later one (which BUGGIFY may delay).
func (tp *timingProbes) interval(t nodeTimers, rearmed bool) timerWindow {
	late := time.Duration(0)
	if rearmed && tp.pingLate {
		late = t.pingInterval / 10
	}
	lo, hi := tp.net.between()
	return driftWindow(t.pingInterval, t.pingInterval+late, tp.maxPPM()).shifted(lo, hi)
}

// auth: from the dial's completion to the -ERR.
func (tp *timingProbes) auth(t nodeTimers) timerWindow {
	lo, hi := tp.net.between()
	return driftWindow(t.authTimeout, t.authTimeout, tp.maxPPM()).shifted(lo, hi)
}

func (tp *timingProbes) maxPPM() int64 { return tp.r.sc.Faults.MaxDriftPPM }
