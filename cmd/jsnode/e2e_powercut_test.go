package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"jsnode/cmd/jsnode/internal/powerfs"
)

// A power-cut round: when the power goes, relative to the stream's life.
type pcRound struct {
	name    string
	create  bool // create the stream before the cut
	workers int  // concurrent publishers (0: cut with no publishing)
	acks    int  // cut once this many publishes are acknowledged
}

var pcRounds = []pcRound{
	{name: "at-start"},                   // the server has only just started
	{name: "after-create", create: true}, // the stream-create ack just arrived
	{name: "early-publish", create: true, workers: 4, acks: 20},
	{name: "heavy-load", create: true, workers: 16, acks: 3000},
}

// TestE2EPowerCut runs the server on powerfs, a FUSE file system that
// keeps only what was fsynced, cuts the power in each round, restarts on
// what a real disk would hold, and checks that every acknowledged
// message is at its sequence with its bytes, the stream exists, and
// retries of every tried id are deduplicated. jsnode must lose nothing;
// nats-server with its defaults (-js -sd: acks before the fsync) is run
// the same way and its losses are only logged, for comparison.
func TestE2EPowerCut(t *testing.T) {
	mountPowerOrSkip(t, powerfs.Image{}) // skip early where FUSE is unavailable
	servers := []pcServer{{name: "jsnode", bin: buildJsnode(t), strict: true}}
	if _, err := os.Stat(natsServerBin); err == nil {
		servers = append(servers, pcServer{name: "nats-server", bin: natsServerBin})
	} else {
		t.Logf("power-cut: %s absent (make bench installs it): nats-server half skipped", natsServerBin)
	}
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			for _, round := range pcRounds {
				t.Run(round.name, func(t *testing.T) { runPowerCut(t, srv, round) })
			}
		})
	}
}

func runPowerCut(t *testing.T, srv pcServer, round pcRound) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	load := &pcLoad{acked: map[string]uint64{}}
	img, out := powerCutRound(t, ctx, srv, round, load)
	r, out2 := restartAndCheck(t, ctx, srv, img, load)
	t.Logf("%s %s: cut image %d files, %d bytes %.8q; %v", srv.name, round.name, len(img.Files), img.Bytes(), sortedPaths(img), r)
	if !srv.strict {
		return
	}
	bad := !r.started || (round.create && !r.stream) || len(r.lost) > 0 || len(r.wrongRetry) > 0 || r.dups != 0
	if bad {
		t.Errorf("%s lost acknowledged state on a power cut: %v\nlost: %.20q\nbad retries: %.20q\nimage: %v\nbefore the cut:\n%s\nafter:\n%s",
			srv.name, r, r.lost, r.wrongRetry, sortedPaths(img), out, out2)
	}
}

// powerCutRound starts the server on an empty powerfs, runs the round's
// load and cuts the power; it returns the durable image and the output.
func powerCutRound(t *testing.T, ctx context.Context, srv pcServer, round pcRound, load *pcLoad) (powerfs.Image, string) {
	mt := mountPowerOrSkip(t, powerfs.Image{})
	port := freeTCPPort(t)
	p, ok := srv.start(t, mt.Dir, port)
	if !ok {
		t.Fatalf("%s did not start on powerfs:\n%s", srv.name, p.out)
	}
	conns := jsConns(t, fmt.Sprintf("nats://127.0.0.1:%d", port), 2)
	if round.create {
		cfg := jetstream.StreamConfig{Name: "PC", Subjects: []string{"pc.>"}, Storage: jetstream.FileStorage}
		if _, err := conns[0].CreateStream(ctx, cfg); err != nil {
			t.Fatalf("create stream: %v", err)
		}
	}
	var stop func()
	if round.workers > 0 {
		wg := load.publish(conns, round.workers)
		stop = wg.Wait
		waitFor(t, fmt.Sprintf("%d acks", round.acks), func() bool { return load.ackedCount() >= round.acks })
	}
	img := mt.Cut()
	p.kill()
	if stop != nil {
		stop()
	}
	return img, p.out.String()
}

// restartAndCheck mounts the image, restarts the server on it and checks
// the load's acknowledged messages.
func restartAndCheck(t *testing.T, ctx context.Context, srv pcServer, img powerfs.Image, load *pcLoad) (pcResult, string) {
	mt := mountPowerOrSkip(t, img)
	port := freeTCPPort(t)
	p, ok := srv.start(t, mt.Dir, port)
	r := pcResult{started: ok, acked: len(load.acked)}
	if !ok {
		return r, p.out.String()
	}
	js := jsConns(t, fmt.Sprintf("nats://127.0.0.1:%d", port), 1)[0]
	load.check(ctx, js, &r)
	p.kill()
	return r, p.out.String()
}

func sortedPaths(img powerfs.Image) []string {
	var ps []string
	for d := range img.Dirs {
		ps = append(ps, d+"/")
	}
	for f, b := range img.Files {
		ps = append(ps, fmt.Sprintf("%s (%d)", f, len(b)))
	}
	slices.Sort(ps)
	return ps
}
