package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"jsnode/cmd/jsnode/internal/powerfs"
)

// pcRemoval is an acknowledged change that takes state away (or changes
// the config), cut right after its ack: after the restart the change
// must hold, and nothing removed may come back.
type pcRemoval struct {
	name string
	do   func(ctx context.Context, s jetstream.Stream, js jetstream.JetStream) error
	// check returns what is wrong after the restart ("" if nothing).
	check func(ctx context.Context, js jetstream.JetStream) string
}

const pcRemovalMsgs = 50

func pcRemovals() []pcRemoval {
	return []pcRemoval{
		{name: "purge", do: func(ctx context.Context, s jetstream.Stream, _ jetstream.JetStream) error {
			return s.Purge(ctx)
		}, check: func(ctx context.Context, js jetstream.JetStream) string {
			return wantMsgs(ctx, js, nil)
		}},
		{name: "delete-msgs", do: func(ctx context.Context, s jetstream.Stream, _ jetstream.JetStream) error {
			for seq := uint64(10); seq <= 20; seq++ {
				if err := s.DeleteMsg(ctx, seq); err != nil {
					return err
				}
			}
			return nil
		}, check: func(ctx context.Context, js jetstream.JetStream) string {
			var keep []uint64
			for seq := uint64(1); seq <= pcRemovalMsgs; seq++ {
				if seq < 10 || seq > 20 {
					keep = append(keep, seq)
				}
			}
			return wantMsgs(ctx, js, keep)
		}},
		{name: "update", do: func(ctx context.Context, _ jetstream.Stream, js jetstream.JetStream) error {
			cfg := pcStreamConfig()
			cfg.MaxMsgs, cfg.Description = 1000, "updated"
			_, err := js.UpdateStream(ctx, cfg)
			return err
		}, check: func(ctx context.Context, js jetstream.JetStream) string {
			s, err := js.Stream(ctx, "PC")
			if err != nil {
				return "stream gone: " + err.Error()
			}
			if c := s.CachedInfo().Config; c.MaxMsgs != 1000 || c.Description != "updated" {
				return fmt.Sprintf("update lost: max_msgs=%d description=%q", c.MaxMsgs, c.Description)
			}
			return ""
		}},
		{name: "delete-stream", do: func(ctx context.Context, _ jetstream.Stream, js jetstream.JetStream) error {
			return js.DeleteStream(ctx, "PC")
		}, check: func(ctx context.Context, js jetstream.JetStream) string {
			if _, err := js.Stream(ctx, "PC"); !errors.Is(err, jetstream.ErrStreamNotFound) {
				return fmt.Sprintf("deleted stream came back (%v)", err)
			}
			return ""
		}},
	}
}

// wantMsgs checks that the stream holds exactly the sequences keep (of
// the pcRemovalMsgs published) and that the next publish gets a
// sequence after all of them: a sequence is never given out twice.
func wantMsgs(ctx context.Context, js jetstream.JetStream, keep []uint64) string {
	s, err := js.Stream(ctx, "PC")
	if err != nil {
		return "stream gone: " + err.Error()
	}
	kept := map[uint64]bool{}
	for _, seq := range keep {
		kept[seq] = true
	}
	for seq := uint64(1); seq <= pcRemovalMsgs; seq++ {
		_, err := s.GetMsg(ctx, seq)
		if present := err == nil; present != kept[seq] {
			return fmt.Sprintf("seq %d: present=%v, want %v (%v)", seq, present, kept[seq], err)
		}
	}
	ack, err := js.Publish(ctx, "pc.new", []byte("after"))
	if err != nil || ack.Sequence != pcRemovalMsgs+1 {
		return fmt.Sprintf("next publish after the restart: %+v %v, want seq %d", ack, err, pcRemovalMsgs+1)
	}
	return ""
}

// TestE2EPowerCutAfterRemoval publishes to a file stream, makes an
// acknowledged purge, message delete, config update or stream delete,
// cuts the power right after the ack and checks after the restart that
// the change held: no purged or deleted message and no deleted stream
// comes back, no sequence is reused, the update is in force. jsnode
// must pass; nats-server's results are logged.
func TestE2EPowerCutAfterRemoval(t *testing.T) {
	mountPowerOrSkip(t, powerfs.Image{}, powerfs.POSIX)
	servers := []pcServer{{name: "jsnode", bin: buildJsnode(t), args: jsArgs, strict: true}}
	if _, err := os.Stat(natsServerBin); err == nil {
		servers = append(servers,
			pcServer{name: "nats-server", bin: natsServerBin, args: jsArgs},
			pcServer{name: "nats-server-sync-always", bin: natsServerBin, args: syncAlwaysArgs})
	}
	for _, srv := range servers {
		for _, mode := range []powerfs.Mode{powerfs.POSIX, powerfs.Journal} {
			for _, rm := range pcRemovals() {
				t.Run(srv.name+"/"+mode.String()+"/"+rm.name, func(t *testing.T) { runRemovalCut(t, srv, mode, rm) })
			}
		}
	}
}

func runRemovalCut(t *testing.T, srv pcServer, mode powerfs.Mode, rm pcRemoval) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	mt := mountPowerOrSkip(t, powerfs.Image{}, mode)
	port := freeTCPPort(t)
	p, ok := srv.start(t, mt.Dir, port)
	if !ok {
		t.Fatalf("%s did not start:\n%s", srv.name, p.out)
	}
	js := jsConns(t, fmt.Sprintf("nats://127.0.0.1:%d", port), 1)[0]
	s, err := js.CreateStream(ctx, pcStreamConfig())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < pcRemovalMsgs; i++ {
		if _, err := js.Publish(ctx, "pc.x", []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := rm.do(ctx, s, js); err != nil {
		t.Fatalf("%s: %v", rm.name, err)
	}
	img := mt.Cut()
	p.kill()

	mt2 := mountPowerOrSkip(t, img, mode)
	port2 := freeTCPPort(t)
	p2, ok := srv.start(t, mt2.Dir, port2)
	if !ok {
		t.Fatalf("%s did not restart after the cut:\n%s", srv.name, p2.out)
	}
	js2 := jsConns(t, fmt.Sprintf("nats://127.0.0.1:%d", port2), 1)[0]
	problem := rm.check(ctx, js2)
	t.Logf("%s %s %s, cut right after its ack: %s", srv.name, mode, rm.name, orOK(problem))
	if problem != "" && srv.strict {
		t.Errorf("%s: acknowledged %s not durable: %s\nimage: %s\nbefore:\n%s\nafter:\n%s", srv.name, rm.name, problem, imagePaths(img), p.out, p2.out)
	}
}

func orOK(problem string) string {
	if problem == "" {
		return "held"
	}
	return problem
}
