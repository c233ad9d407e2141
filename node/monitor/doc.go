// Package monitor holds the monitoring data model of a node: the JSON
// types of the HTTP endpoints (/varz, /connz, /routez, /subsz, /accountz,
// /accstatz, /healthz, ...) and of the system-account events and
// requests, the parsers of their query strings and request bodies, and
// small helpers (sorting and paging connections, uptime strings, server
// hashes).
//
// Every JSON name and every JSON type equals nats-server's, because
// monitoring tools (the nats CLI, prometheus-nats-exporter) decode these
// documents into nats-server's own Go structs: a number where they expect
// a string, or a missing object, makes them fail or skip the server.
// Durations are integers in nanoseconds unless a field says otherwise,
// times are RFC 3339 strings.
//
// The package is pure: it does no I/O and reads no clock, so the server
// can build these values on its event loop and the HTTP layer in cmd/
// can parse requests without touching the node.
package monitor
