package server

import (
	"strings"

	"jsnode/node/monitor"
)

// Healthz answers /healthz: after the request checks, nats-server's
// "ready for connections" (the client listener, and the route listener
// when clustered, must be open), then JetStream's own health when it
// runs. StatusCode is the HTTP status to answer with.
func (s *Server) Healthz(opts *monitor.HealthzOptions) *monitor.HealthStatus {
	var o monitor.HealthzOptions
	if opts != nil {
		o = *opts
	}
	h := &monitor.HealthStatus{Status: monitor.HealthOK, StatusCode: 200}
	if msg := o.Validate(); msg != "" {
		healthFail(h, &o, 400, monitor.HealthzErrorBadRequest, msg)
	} else if msg := s.notReady(); msg != "" {
		healthFail(h, &o, 500, monitor.HealthzErrorConn, msg)
	} else if s.js != nil {
		if msg := s.js.Unhealthy(); msg != "" {
			healthFail(h, &o, 503, monitor.HealthzErrorJetStream, msg)
		}
	}
	return h
}

// healthFail records a failed check: in Error, or with details in Errors.
func healthFail(h *monitor.HealthStatus, o *monitor.HealthzOptions, code int, kind monitor.HealthzErrorType, msg string) {
	h.StatusCode, h.Status = code, monitor.HealthError
	if o.Details {
		h.Errors = append(h.Errors, monitor.HealthzError{Type: kind, Error: msg})
		return
	}
	h.Error = msg
}

// notReady is nats-server's readiness error text, "" when ready.
func (s *Server) notReady() string {
	var missing []string
	if s.listener == nil {
		missing = append(missing, "server")
	}
	if s.opts.Cluster.enabled() && (s.cluster == nil || s.cluster.listener == nil) {
		missing = append(missing, "route")
	}
	if len(missing) == 0 {
		return ""
	}
	return "failed to be ready for connections after 1ms: " + strings.Join(missing, ", ")
}
