package sim

import (
	"fmt"
	"time"

	"jsnode/node/server"
)

// Configuration reloads as a fault: at At the node's running server is
// given a new configuration (server.Reload, as SIGHUP does in
// production), written in the scenario like a node's config block. What
// a reload changes while traffic flows (routes removed and added, limits,
// ping settings) must keep the workload's invariants; a reload the server
// refuses is a failure of the run, since a scenario only reloads what
// nats-server reloads. The heal at the start of the liveness phase
// reloads the node's original configuration, and a node that crashes
// restarts with its original configuration too (the scenario has no file
// to re-read).

// ReloadSpec is one reload of Node at At with Options.
type ReloadSpec struct {
	Node    string
	At      time.Duration
	Options server.Options
}

// reloadRun is the progress of the run's reloads.
type reloadRun struct {
	done   int // reloads applied
	errors []error
	// changed lists the nodes running a configuration other than
	// their original one, for the heal.
	changed map[*NodeHandle]bool
}

func parseReloads(f *fields, sc *Scenario) error {
	list, err := f.entries("reload", "node", "at", "config")
	if err != nil || len(list) == 0 {
		return err
	}
	if len(list) > maxFaultEntries {
		return f.errorf("reload", "%d entries; at most %d", len(list), maxFaultEntries)
	}
	for _, e := range list {
		if err := e.require("node", "at", "config"); err != nil {
			return err
		}
		var spec ReloadSpec
		if err := firstError([]error{e.str("node", &spec.Node), e.duration("at", &spec.At, 0, sc.Duration)}); err != nil {
			return err
		}
		if sc.node(spec.Node) == nil {
			return e.errorf("node", "no node %q in nodes", spec.Node)
		}
		if spec.At >= sc.Duration {
			return e.errorf("at", "%v is not within the %v fault phase", spec.At, sc.Duration)
		}
		cv, _ := e.get("config")
		if spec.Options, err = parseNodeConfig(e.where+".config", spec.Node, cv); err != nil {
			return err
		}
		sc.Faults.Reloads = append(sc.Faults.Reloads, spec)
	}
	return nil
}

// scheduleReloads arms each reload; a node that is down then is skipped.
func (r *run) scheduleReloads() {
	for _, spec := range r.sc.Faults.Reloads {
		n := r.node(spec.Node)
		r.w.After(spec.At, func() {
			if !n.Alive() || n.Server() == nil {
				r.w.Note("reload-skipped", n.Name())
				return
			}
			r.w.Note("reload", n.Name())
			if err := n.reload(spec.Options); err != nil {
				r.reloads.errors = append(r.reloads.errors, fmt.Errorf("reload %s at %v: %w", n.Name(), spec.At, err))
				return
			}
			r.reloads.done++
			if r.reloads.changed == nil {
				r.reloads.changed = make(map[*NodeHandle]bool)
			}
			r.reloads.changed[n] = true
		})
	}
}

// healReloads gives every node still up with a reloaded configuration
// its original one back.
func (r *run) healReloads() error {
	for _, n := range r.nodes {
		if !r.reloads.changed[n] {
			continue
		}
		delete(r.reloads.changed, n)
		if !n.Alive() || n.Server() == nil {
			continue
		}
		if err := n.reload(n.opts); err != nil {
			return fmt.Errorf("heal: reloading %s's original configuration: %w", n.Name(), err)
		}
	}
	return nil
}

// checkReloads: every reload that ran was accepted, and at least one ran
// (a scenario whose reloads all found their node down tested nothing).
func (r *run) checkReloads() error {
	switch {
	case len(r.reloads.errors) > 0:
		return r.reloads.errors[0]
	case len(r.sc.Faults.Reloads) > 0 && r.reloads.done == 0:
		return fmt.Errorf("reload: none of the %d reloads ran", len(r.sc.Faults.Reloads))
	}
	return nil
}

// reload applies opts to the node's running server; a later restart uses
// the node's original options again.
func (n *NodeHandle) reload(opts server.Options) error {
	if opts.ServerName == "" {
		opts.ServerName = n.host.name
	}
	return n.srv.Reload(&opts)
}
