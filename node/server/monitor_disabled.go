package server

import (
	"errors"

	"jsnode/node/monitor"
)

// The endpoints of features jsnode does not have yet answer what
// nats-server answers when the feature is off.

// errNotLeader is nats-server's answer to /jsz?leader-only=true on a
// server that is not the meta leader (over NATS it stays silent).
var errNotLeader = errors.New("filtered response: not leader")

// Jsz answers /jsz: JetStream's document, or with JetStream off
// "disabled" and zero statistics.
func (s *Server) Jsz(opts *monitor.JszOptions) (*monitor.JSInfo, error) {
	if s.js != nil {
		return s.js.Jsz(opts)
	}
	if opts != nil && opts.LeaderOnly {
		return nil, errNotLeader
	}
	return &monitor.JSInfo{ID: s.id, Now: s.env.Clock.Now().UTC(), Disabled: true}, nil
}

// Leafz answers /leafz with no leaf node connections.
func (s *Server) Leafz(*monitor.LeafzOptions) (*monitor.Leafz, error) {
	return &monitor.Leafz{ID: s.id, Now: s.env.Clock.Now().UTC(), Leafs: []*monitor.LeafInfo{}}, nil
}

// Gatewayz answers /gatewayz with gateways off: empty maps.
func (s *Server) Gatewayz(*monitor.GatewayzOptions) (*monitor.Gatewayz, error) {
	return &monitor.Gatewayz{ID: s.id, Now: s.env.Clock.Now().UTC(),
		OutboundGateways: map[string]*monitor.RemoteGatewayz{},
		InboundGateways:  map[string][]*monitor.RemoteGatewayz{}}, nil
}
