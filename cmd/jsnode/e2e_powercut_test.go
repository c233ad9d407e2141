package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"jsnode/cmd/jsnode/internal/powerfs"
)

// A power-cut round: where the power goes, relative to the stream's
// life. Each phase runs the server on the previous phase's durable
// image (the first on an empty disk) and ends with a cut.
type pcRound struct {
	name      string
	create    bool      // create the stream in the first phase
	createCut int       // n > 0: cut at the n-th fsync after the create request is sent
	phases    []pcPhase // publishing, each phase ended by a cut
	// jsnodeOnly: a round that says nothing about a server that loses
	// its streams anyway.
	jsnodeOnly bool
}

type pcPhase struct {
	workers int // concurrent publishers (0: cut with no publishing)
	acks    int // cut once this many publishes of the phase are acknowledged
	// cutAtSync n > 0: the cut comes at the n-th fsync after power-on
	// instead, if earlier: during recovery, start-up or publishing.
	cutAtSync int
}

func pcRounds() []pcRound {
	rounds := []pcRound{
		{name: "at-start", phases: []pcPhase{{}}},
		{name: "after-create", create: true, phases: []pcPhase{{}}},
	}
	// Between each two steps of the stream create's own fsyncs.
	for n := 1; n <= 6; n++ {
		rounds = append(rounds, pcRound{name: fmt.Sprintf("create-fsync-%d", n), create: true, createCut: n, phases: []pcPhase{{}}})
	}
	rounds = append(rounds,
		pcRound{name: "early-publish", create: true, phases: []pcPhase{{workers: 4, acks: 20}}},
		pcRound{name: "heavy-load", create: true, phases: []pcPhase{{workers: 16, acks: heavyAcks()}}},
		pcRound{name: "three-cuts", create: true, phases: []pcPhase{{workers: 8, acks: 300}, {workers: 8, acks: 300}, {workers: 8, acks: 300}}},
	)
	// A second cut at the n-th fsync after the restart: inside recovery,
	// or among the first publishes on the recovered store.
	for _, n := range restartCutSyncs() {
		rounds = append(rounds, pcRound{name: fmt.Sprintf("restart-cut-fsync-%d", n), create: true, jsnodeOnly: true,
			phases: []pcPhase{{workers: 8, acks: 200}, {workers: 8, acks: 200, cutAtSync: n}, {workers: 4, acks: 50}}})
	}
	return rounds
}

// pcLong is the long form (JSNODE_POWERCUT_LONG=1): more load, more cut
// points; the short form keeps the test near 30 s for make test.
var pcLong = os.Getenv("JSNODE_POWERCUT_LONG") != ""

func heavyAcks() int {
	if pcLong {
		return 30000
	}
	return 3000
}

func restartCutSyncs() []int {
	if pcLong {
		return []int{1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 20, 30, 50, 100, 200}
	}
	return []int{1, 2, 4, 8, 30}
}

// TestE2EPowerCut runs the server on powerfs, a FUSE file system that
// keeps only what was fsynced (in two modes: strictly what POSIX
// promises, and with every fsync also committing all directory entries,
// as a journaling file system does), cuts the power in each round, restarts on
// what a real disk would hold, and checks that every acknowledged
// message is at its sequence with its bytes, the acknowledged stream
// exists, and retries of every tried id are deduplicated. jsnode must
// lose nothing; nats-server (from .tools, when installed) runs the same
// rounds with its defaults (-js -sd: acks before the fsync) and with
// sync_interval: always, and its losses are only logged, for comparison.
func TestE2EPowerCut(t *testing.T) {
	mountPowerOrSkip(t, powerfs.Image{}, powerfs.POSIX) // skip at once where FUSE is unavailable
	servers := []pcServer{{name: "jsnode", bin: buildJsnode(t), args: jsArgs, strict: true}}
	if _, err := os.Stat(natsServerBin); err == nil {
		servers = append(servers,
			pcServer{name: "nats-server", bin: natsServerBin, args: jsArgs},
			pcServer{name: "nats-server-sync-always", bin: natsServerBin, args: syncAlwaysArgs})
	} else {
		t.Logf("power-cut: %s absent (make bench installs it): nats-server half skipped", natsServerBin)
	}
	for _, srv := range servers {
		for _, mode := range []powerfs.Mode{powerfs.POSIX, powerfs.Journal} {
			t.Run(srv.name+"/"+mode.String(), func(t *testing.T) {
				for _, round := range pcRounds() {
					if round.jsnodeOnly && !srv.strict {
						continue
					}
					t.Run(round.name, func(t *testing.T) { runPowerCut(t, srv, mode, round) })
				}
			})
		}
	}
}

func runPowerCut(t *testing.T, srv pcServer, mode powerfs.Mode, round pcRound) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	load := &pcLoad{acked: map[string]uint64{}}
	var r pcResult
	var img powerfs.Image
	var outs []string
	for i, ph := range round.phases {
		var out string
		img, out = powerCutPhase(t, ctx, srv, mode, round, i, ph, img, load, &r)
		outs = append(outs, out)
	}
	out := restartAndCheck(t, ctx, srv, mode, img, load, &r)
	outs = append(outs, out)
	t.Logf("%s %s %s: last image %d files, %d bytes; %v", srv.name, mode, round.name, len(img.Files), img.Bytes(), r)
	wantStream := round.create && (round.createCut == 0 || r.createAcked)
	bad := !r.started || r.streamLost > 0 || (wantStream && !r.stream) || len(r.lost) > 0 || len(r.wrongRetry) > 0 || r.dups != 0 || r.scanErr != nil
	if bad && srv.strict {
		t.Errorf("%s lost acknowledged state on a power cut: %v\nlost: %.20q\nbad retries: %.20q\nlast image: %s\noutput of each run:\n%s",
			srv.name, r, r.lost, r.wrongRetry, imagePaths(img), strings.Join(outs, "\n----\n"))
	}
}

// powerCutPhase mounts img, runs the server on it, creates the stream
// (first phase) or checks it survived (later phases), publishes and cuts
// the power; it returns the durable image and the server's output.
func powerCutPhase(t *testing.T, ctx context.Context, srv pcServer, mode powerfs.Mode, round pcRound, phase int, ph pcPhase,
	img powerfs.Image, load *pcLoad, r *pcResult) (powerfs.Image, string) {
	mt := mountPowerOrSkip(t, img, mode)
	var died <-chan struct{}
	if ph.cutAtSync > 0 {
		died = mt.Model.CutAtSync(ph.cutAtSync)
	}
	port := freeTCPPort(t)
	p, ok := srv.startUnless(t, mt.Dir, port, died)
	cutNow := func() (powerfs.Image, string) {
		cut := mt.Cut()
		p.kill()
		return cut, p.out.String()
	}
	if !ok && closed(died) {
		return cutNow() // the power went during start-up
	}
	if !ok {
		t.Fatalf("%s did not start on powerfs (phase %d):\n%s", srv.name, phase, p.out)
	}
	conns := jsConns(t, fmt.Sprintf("nats://127.0.0.1:%d", port), 2)
	switch {
	case phase == 0 && round.createCut > 0:
		r.createAcked = createThenCut(ctx, mt, p, conns[0], round.createCut)
		return mt.Cut(), p.out.String()
	case phase == 0 && round.create:
		r.createAcked = createStream(ctx, t, conns[0])
	case round.create:
		_, err := conns[0].Stream(ctx, "PC")
		switch {
		case closed(died):
			// the power went during recovery: a stream that could not be
			// opened is not lost, the next phase looks again
			return cutNow()
		case errors.Is(err, jetstream.ErrStreamNotFound):
			r.streamLost++
			createStream(ctx, t, conns[0]) // so a server that lost it can go on
		}
	}
	var stop func()
	if ph.workers > 0 {
		before := load.ackedCount()
		stop = load.publish(conns, phase, ph.workers).Wait
		waitFor(t, fmt.Sprintf("%d acks", ph.acks), func() bool { return load.ackedCount()-before >= ph.acks || closed(died) })
	}
	img, out := cutNow()
	if stop != nil {
		stop()
	}
	return img, out
}

func pcStreamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{Name: "PC", Subjects: []string{"pc.>"}, Storage: jetstream.FileStorage}
}

func createStream(ctx context.Context, t *testing.T, js jetstream.JetStream) bool {
	if _, err := js.CreateStream(ctx, pcStreamConfig()); err != nil {
		t.Fatalf("create stream: %v", err)
	}
	return true
}

// createThenCut sends the stream create with a cut armed at the n-th
// fsync from now, and reports whether the create was acknowledged. If
// the create needs fewer fsyncs, the cut comes right after its ack.
func createThenCut(ctx context.Context, mt *powerfs.Mounted, p *pcProc, js jetstream.JetStream, n int) bool {
	died := mt.Model.CutAtSync(n)
	created := make(chan bool, 1)
	go func() {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		_, err := js.CreateStream(cctx, pcStreamConfig())
		created <- err == nil
	}()
	select {
	case <-died:
		mt.Cut()
		p.kill()
		return <-created // an ack after the failed fsync would be a bug
	case ok := <-created:
		mt.Cut()
		p.kill()
		return ok
	}
}

// restartAndCheck mounts the last image, restarts the server on it and
// checks the load's acknowledged messages into r.
func restartAndCheck(t *testing.T, ctx context.Context, srv pcServer, mode powerfs.Mode, img powerfs.Image, load *pcLoad, r *pcResult) string {
	mt := mountPowerOrSkip(t, img, mode)
	port := freeTCPPort(t)
	p, ok := srv.start(t, mt.Dir, port)
	r.started, r.acked = ok, len(load.acked)
	if !ok {
		return p.out.String()
	}
	js := jsConns(t, fmt.Sprintf("nats://127.0.0.1:%d", port), 1)[0]
	// reading back and retrying every id takes a while in the long form
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	load.check(cctx, js, r)
	p.kill()
	return p.out.String()
}

// imagePaths lists an image for a failure message.
func imagePaths(img powerfs.Image) string {
	var ps []string
	for d := range img.Dirs {
		ps = append(ps, d+"/")
	}
	for f, b := range img.Files {
		ps = append(ps, fmt.Sprintf("%s (%d B)", f, len(b)))
	}
	slices.Sort(ps)
	return strings.Join(ps, ", ")
}
