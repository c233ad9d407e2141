package main

import (
	"net/url"

	"jsnode/node/monitor"
	"jsnode/node/server"
)

// One answerFunc per JSON endpoint: parse the query with node/monitor,
// then ask the server on its loop.

func varzAnswer(url.Values) (func(*server.Server) (any, error), error) {
	return func(s *server.Server) (any, error) { return s.Varz(), nil }, nil
}

func connzAnswer(q url.Values) (func(*server.Server) (any, error), error) {
	o, err := monitor.ParseConnzQuery(q)
	return func(s *server.Server) (any, error) { return s.Connz(o) }, err
}

func routezAnswer(q url.Values) (func(*server.Server) (any, error), error) {
	o, err := monitor.ParseRoutezQuery(q)
	return func(s *server.Server) (any, error) { return s.Routez(o) }, err
}

func subszAnswer(q url.Values) (func(*server.Server) (any, error), error) {
	o, err := monitor.ParseSubszQuery(q)
	return func(s *server.Server) (any, error) { return s.Subsz(o) }, err
}

func accountzAnswer(q url.Values) (func(*server.Server) (any, error), error) {
	o, err := monitor.ParseAccountzQuery(q)
	return func(s *server.Server) (any, error) { return s.Accountz(o) }, err
}

func accstatzAnswer(q url.Values) (func(*server.Server) (any, error), error) {
	o, err := monitor.ParseAccStatzQuery(q)
	return func(s *server.Server) (any, error) { return s.Accstatz(o) }, err
}

func jszAnswer(q url.Values) (func(*server.Server) (any, error), error) {
	o, err := monitor.ParseJszQuery(q)
	return func(s *server.Server) (any, error) { return s.Jsz(o) }, err
}

func leafzAnswer(q url.Values) (func(*server.Server) (any, error), error) {
	o, err := monitor.ParseLeafzQuery(q)
	return func(s *server.Server) (any, error) { return s.Leafz(o) }, err
}

func gatewayzAnswer(q url.Values) (func(*server.Server) (any, error), error) {
	o, err := monitor.ParseGatewayzQuery(q)
	return func(s *server.Server) (any, error) { return s.Gatewayz(o) }, err
}
