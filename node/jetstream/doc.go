// Package jetstream is JetStream on one node: the $JS.API surface of each
// account, streams over the stores of node/store, publishing with PubAcks
// that are sent only once the message is durable (group commit through
// the store's WhenDurable), dedupe, expected-state headers and the
// retention limits.
//
// It runs on the server's loop and talks through the server's internal
// messaging: each JetStream account subscribes to its API subjects, each
// stream to its subjects. Start attaches it to a started server; the
// server then asks it for /jsz, the jetstream part of /varz and its
// health, and stops it on shutdown.
package jetstream
