// Package proto parses and encodes the NATS client protocol as nats-server
// speaks it: CONNECT, PUB, HPUB, SUB, UNSUB, PING and PONG from clients;
// INFO, MSG, HMSG, PING, PONG, +OK and -ERR from servers; the route
// protocol between the servers of a cluster (RS+, RS-, RMSG, routed HMSG,
// see route.go); and the NATS/1.0 header block carried by HPUB and HMSG.
//
// The parsers are incremental push parsers: the caller feeds whatever bytes
// a read produced, and the parser calls a handler once for every complete
// operation. An operation may be split across Feed calls at any byte; the
// callbacks are the same however the stream is cut. When an operation lies
// entirely inside the fed slice, the handler receives sub-slices of it (no
// copy); only a split operation is copied into the parser's own buffer, which
// is reused and bounded by the control-line and payload limits.
//
// The server parser takes a fast path for PUB and HPUB ops that lie whole
// in the fed bytes (server_fast.go): one scan instead of the general state
// machine, which still handles every other op, every split op and every
// error, so both give the same callbacks and errors for any input.
//
// The package is pure (no I/O, no clocks, no goroutines) and allocation-free
// on the hot path, so it runs unchanged inside the deterministic simulator
// and under the fuzzer.
//
// Compatibility notes (behaviour taken from nats-server, see REFERENCE.md §1):
//   - Op names are case-insensitive; arguments are separated by any run of
//     spaces and tabs; a line ends at "\n" and one "\r" before it is dropped,
//     so bare-LF lines are accepted.
//   - PING, PONG and +OK ignore anything between the op name and the line end.
//   - The control-line limit applies to the argument text (after the op name
//     and the blanks that follow it), for every op that has an argument,
//     CONNECT included; PING and PONG are never limited.
//   - Argument errors (wrong count, bad sizes) make nats-server close the
//     connection without sending -ERR; such errors here have an empty Text.
package proto
