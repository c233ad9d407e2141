package server

import "jsnode/node/monitor"

// TEMPORARY stubs until the monitor branch lands.
func (s *Server) Varz() *monitor.Varz { return &monitor.Varz{ID: s.id, Name: s.info.Name} }
func (s *Server) Connz(o *monitor.ConnzOptions) (*monitor.Connz, error) {
	n := 0
	for _, c := range s.clients {
		if o.Account == "" || c.acc.name == o.Account {
			n++
		}
	}
	return &monitor.Connz{ID: s.id, NumConns: n, Total: n}, nil
}
func (s *Server) Routez(o *monitor.RoutezOptions) (*monitor.Routez, error) {
	return &monitor.Routez{ID: s.id}, nil
}
func (s *Server) Subsz(o *monitor.SubszOptions) (*monitor.Subsz, error) {
	return &monitor.Subsz{ID: s.id}, nil
}
func (s *Server) Healthz(o *monitor.HealthzOptions) *monitor.HealthStatus {
	return &monitor.HealthStatus{Status: "ok"}
}

type procStats struct {
	rss   int64
	cpu   float64
	cores int
}
