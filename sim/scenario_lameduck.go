package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"jsnode/net"
	"jsnode/node/proto"
	"jsnode/node/server"
)

// watchHostPrefix names the host of a node's lame-duck watcher; node names
// may not start with it.
const watchHostPrefix = "ldm-watch-"

// lameDuckCloseMargin is how much earlier than the node's grace period the
// watcher may be closed: the node measures the grace on its own drifting
// clock, and the INFO and the close each travel one latency.
func lameDuckCloseMargin(grace time.Duration) time.Duration {
	return grace/(ppmScale/MaxClockDriftPPM) + maxScenarioLatency
}

// lameDuckRun is one lame-duck fault's progress.
type lameDuckRun struct {
	spec     LameDuckSpec
	node     *NodeHandle
	watch    *ldmWatcher
	started  bool // LameDuck was called
	stopped  bool // the server finished shutting down
	rebooted bool // a new server runs on the node
	// startAt and stoppedAt are when LameDuck was called and when the
	// shutdown finished (true virtual time).
	startAt, stoppedAt time.Duration
}

// scheduleLameDucks arms each lame-duck fault: at At the node enters lame
// duck mode; Down after it has shut down, a new server starts on it.
func (r *run) scheduleLameDucks() {
	w := r.w
	for _, ld := range r.lameDucks {
		w.After(ld.spec.At, func() {
			n := ld.node
			if !n.Alive() || n.Server() == nil {
				w.Note("lame-duck-skipped", n.Name())
				return
			}
			ld.started, ld.startAt = true, w.Elapsed()
			w.Note("lame-duck", n.Name())
			n.Server().LameDuck(func() {
				ld.stopped, ld.stoppedAt = true, w.Elapsed()
				w.Note("lame-duck-done", n.Name())
				w.After(ld.spec.Down, func() {
					if r.stoppedByLameDuck(n) {
						if err := r.bootAgain(n); err != nil {
							w.Note("restart-failed", err.Error())
						}
					}
				})
			})
		})
	}
}

// stoppedByLameDuck reports whether a lame-duck shutdown left n without a
// running server.
func (r *run) stoppedByLameDuck(n *NodeHandle) bool {
	for _, ld := range r.lameDucks {
		if ld.node == n && ld.stopped && !ld.rebooted {
			return true
		}
	}
	return false
}

// lameDuckRebooted notes that n runs a new server.
func (r *run) lameDuckRebooted(n *NodeHandle) {
	for _, ld := range r.lameDucks {
		if ld.node == n && ld.stopped {
			ld.rebooted = true
		}
	}
}

// startLameDuckWatchers connects one watcher per lame-duck fault, on a
// host of its own (so connection resets never pick it), and waits for
// their handshakes.
func (r *run) startLameDuckWatchers() error {
	for _, spec := range r.sc.Faults.LameDucks {
		n := r.node(spec.Node)
		if n == nil {
			return fmt.Errorf("lame_duck: no node %q", spec.Node)
		}
		ld := &lameDuckRun{spec: spec, node: n}
		ld.watch = newLDMWatcher(r.w.Host(watchHostPrefix+n.Name()), n.Addr(), &r.sc.Workload)
		r.lameDucks = append(r.lameDucks, ld)
	}
	ready := func() bool {
		for _, ld := range r.lameDucks {
			if !ld.watch.ready {
				return false
			}
		}
		return true
	}
	if !r.w.RunUntil(ready, 10*time.Second) {
		return errors.New("setup: lame-duck watchers did not connect")
	}
	return nil
}

// checkLameDucks: each lame-duck node shut down and came back, and its
// watcher got INFO with "ldm":true and was closed by the node only after
// the grace period.
func (r *run) checkLameDucks() error {
	for _, ld := range r.lameDucks {
		name := ld.node.Name()
		wt := ld.watch
		switch {
		case !ld.started:
			return fmt.Errorf("lame_duck %s: never started", name)
		case !ld.stopped:
			return fmt.Errorf("lame_duck %s: the node never finished shutting down", name)
		case !ld.rebooted:
			return fmt.Errorf("lame_duck %s: the node was not started again", name)
		case !wt.sawLDM:
			return fmt.Errorf("lame_duck %s: watcher never got INFO with \"ldm\":true", name)
		case !wt.closed:
			return fmt.Errorf("lame_duck %s: watcher was never disconnected", name)
		case wt.protoErr != nil:
			return fmt.Errorf("lame_duck %s: watcher: %v", name, wt.protoErr)
		}
		grace := ld.node.opts.LameDuckGracePeriod
		if grace == 0 {
			grace = server.DefaultLameDuckGrace
		}
		if held := wt.closedAt - wt.ldmAt; held < grace-lameDuckCloseMargin(grace) {
			return fmt.Errorf("lame_duck %s: watcher closed %v after the ldm INFO, before the %v grace period", name, held, grace)
		}
	}
	return nil
}

// checkLameDuckTiming (timing-lame-duck): the node keeps its clients
// through the grace period and closes them all within its
// lame_duck_duration, so its shutdown ends within [grace, duration] of
// LameDuck on its own clock, and the watcher's close comes within the
// same window of the ldm INFO, give or take the network.
func (r *run) checkLameDuckTiming() error {
	ppm := r.sc.Faults.MaxDriftPPM
	net := netSpanOf(r.w.opts)
	for _, ld := range r.lameDucks {
		if !ld.stopped || !ld.watch.closed || !ld.watch.sawLDM {
			continue // checkLameDucks reports these
		}
		grace := ld.node.opts.LameDuckGracePeriod
		if grace == 0 {
			grace = server.DefaultLameDuckGrace
		}
		win := driftWindow(grace, lameDuckDuration(ld.node.opts), ppm)
		if v := win.judge(ld.stoppedAt - ld.startAt); v != "" {
			return fmt.Errorf("lame_duck %s: shutdown %s", ld.node.Name(), v)
		}
		wt := ld.watch
		if v := win.shifted(net.between()).judge(wt.closedAt - wt.ldmAt); v != "" {
			return fmt.Errorf("lame_duck %s: watcher closed after the ldm INFO %s", ld.node.Name(), v)
		}
	}
	return nil
}

// ldmWatcher is a bare protocol client that records a node's lame-duck
// INFO. The sim Client follows lame duck as nats.go does (it stays until
// the node closes it, then reconnects) but keeps no record of the INFO.
type ldmWatcher struct {
	host     *Host
	conn     net.Conn
	parser   *proto.ClientParser
	connect  []byte
	gotInfo  bool
	ready    bool // the handshake PONG arrived
	sawLDM   bool
	ldmAt    time.Duration // when the first "ldm":true INFO arrived
	closed   bool
	closedAt time.Duration
	protoErr error
}

var (
	_ net.Handler         = (*ldmWatcher)(nil)
	_ proto.ClientHandler = (*ldmWatcher)(nil)
)

func newLDMWatcher(h *Host, addr string, wl *Workload) *ldmWatcher {
	o := wl.clientOptions()
	js, _ := json.Marshal(connectJSON{
		Lang: "sim", Version: "0.1", Protocol: 1, Name: h.name,
		User: o.User, Pass: o.Pass, Token: o.Token,
	})
	wt := &ldmWatcher{host: h, parser: proto.NewClientParser(proto.Limits{MaxPayload: -1}), connect: proto.AppendConnect(nil, js)}
	h.Net().Dial(addr, func(c net.Conn) net.Handler {
		wt.conn = c
		return wt
	}, func(error) { wt.finish() })
	return wt
}

// finish notes when the connection ended (or the dial failed).
func (wt *ldmWatcher) finish() {
	if !wt.closed {
		wt.closed, wt.closedAt = true, wt.host.w.Elapsed()
	}
}

// Data parses the node's bytes; a protocol error ends the watch.
func (wt *ldmWatcher) Data(b []byte) {
	if wt.closed {
		return
	}
	if err := wt.parser.Feed(b, wt); err != nil {
		wt.protoErr = err
		wt.conn.Close()
		wt.finish()
	}
}

// Drained needs no action.
func (wt *ldmWatcher) Drained() {}

// Closed ends the watch.
func (wt *ldmWatcher) Closed(error) { wt.finish() }

// Info answers the first INFO with CONNECT and PING and notes "ldm".
func (wt *ldmWatcher) Info(arg []byte) error {
	var info infoJSON
	if err := json.Unmarshal(arg, &info); err != nil {
		return err
	}
	if info.LameDuck && !wt.sawLDM {
		wt.sawLDM, wt.ldmAt = true, wt.host.w.Elapsed()
	}
	if !wt.gotInfo {
		wt.gotInfo = true
		wt.conn.Write(wt.connect)
		wt.conn.Write(proto.PingLine)
	}
	return nil
}

// Ping answers the node's keepalive.
func (wt *ldmWatcher) Ping() error {
	wt.conn.Write(proto.PongLine)
	return nil
}

// Pong completes the handshake.
func (wt *ldmWatcher) Pong() error {
	wt.ready = true
	return nil
}

// OK is ignored.
func (wt *ldmWatcher) OK() error { return nil }

// Err records the node's -ERR: the watcher should never get one.
func (wt *ldmWatcher) Err(text []byte) error {
	wt.protoErr = fmt.Errorf("-ERR %s", text)
	return nil
}

// Msg is ignored: the watcher subscribes to nothing.
func (wt *ldmWatcher) Msg(subject, sid, reply []byte, hdrLen int, msg []byte) error { return nil }
