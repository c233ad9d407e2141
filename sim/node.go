package sim

import (
	"fmt"

	"jsnode/node/jetstream"
	"jsnode/node/server"
)

// NodeHandle is a jsnode server running on a sim host.
type NodeHandle struct {
	w    *World
	host *Host
	opts server.Options
	srv  *server.Server
	// js is the node's JetStream when its options enable it (nil
	// otherwise and while the node is down).
	js   *jetstream.JetStream
	addr string
	// onBoot run, in order, after each start of a server on the node
	// (first boot and every restart): services that live on the node.
	onBoot []func(*NodeHandle)
}

var _ server.Logger = (*Logger)(nil)

// StartNode creates host name (if needed), builds a server.Server from
// opts over the host's clock, network, disk, random stream, logger and
// BUGGIFY switch, and starts it.
func (w *World) StartNode(name string, opts *server.Options) (*NodeHandle, error) {
	n := &NodeHandle{w: w, host: w.Host(name)}
	if opts != nil {
		n.opts = *opts
	}
	if n.opts.ServerName == "" {
		n.opts.ServerName = name
	}
	if w.nodes == nil {
		w.nodes = make(map[string]*NodeHandle)
	}
	w.nodes[name] = n
	return n, n.boot()
}

// Node returns the node started on host name, or nil.
func (w *World) Node(name string) *NodeHandle { return w.nodes[name] }

// CrashNode crashes the named node's host (see World.Crash).
func (w *World) CrashNode(name string) {
	if n := w.nodes[name]; n != nil {
		n.Crash()
	}
}

// RestartNode restarts a crashed node with a fresh server over what its
// disk kept.
func (w *World) RestartNode(name string) error {
	n := w.nodes[name]
	if n == nil {
		return fmt.Errorf("sim: no node %q", name)
	}
	return n.Restart()
}

func (n *NodeHandle) boot() error {
	h := n.host
	env := server.Env{
		Clock:   h.Clock(),
		Net:     h.Net(),
		FS:      h.FS(),
		Syncer:  h.Syncer(),
		Rand:    h.Rand(),
		Log:     h.Log(),
		Buggify: h.Buggify,
	}
	opts := n.opts
	srv, err := server.New(&opts, env)
	if err != nil {
		return fmt.Errorf("sim: node %s: %w", h.name, err)
	}
	if err := srv.Start(); err != nil {
		return fmt.Errorf("sim: node %s: start: %w", h.name, err)
	}
	n.srv, n.addr = srv, srv.Addr()
	// JetStream's stream files live on the host disk, so crashes, power
	// loss and disk faults reach them; a Start error fails the boot.
	js, err := jetstream.Start(srv, h.FS())
	if err != nil {
		return fmt.Errorf("sim: node %s: jetstream: %w", h.name, err)
	}
	n.js = js
	for _, f := range n.onBoot {
		f(n)
	}
	return nil
}

// OnBoot registers f to run after every later start of the node's
// server (restarts after crashes and lame-duck shutdowns), with the new
// server in place; services that live on the node (RAFT groups) use it.
func (n *NodeHandle) OnBoot(f func(*NodeHandle)) { n.onBoot = append(n.onBoot, f) }

// Server is the running server (the new one after a restart).
func (n *NodeHandle) Server() *server.Server { return n.srv }

// JetStream is the running server's JetStream, or nil.
func (n *NodeHandle) JetStream() *jetstream.JetStream { return n.js }

// Host is the node's host.
func (n *NodeHandle) Host() *Host { return n.host }

// Name is the host name.
func (n *NodeHandle) Name() string { return n.host.name }

// Addr is the "host:port" clients dial.
// It stays valid while the node is down.
func (n *NodeHandle) Addr() string { return n.addr }

// Alive reports whether the node's host is up.
func (n *NodeHandle) Alive() bool { return n.host.Alive() }

// Crash kills the node mid-flight: see World.Crash.
func (n *NodeHandle) Crash() {
	n.host.crash()
	n.srv, n.js = nil, nil
}

// Restart brings a crashed node back: a new incarnation of the host and a
// fresh server over what the disk kept.
func (n *NodeHandle) Restart() error {
	n.host.restart()
	return n.boot()
}

// Shutdown asks the server to shut down cleanly; done runs on the node.
func (n *NodeHandle) Shutdown(done func()) { n.srv.Shutdown(done) }
