// Package mapping rewrites subjects the way nats-server's subject mappings
// and transforms do: account `mappings {}` entries (weighted, optionally
// cluster-scoped), stream subject transforms, and the strict, reversible
// transforms of stream and service imports.
//
// Everything here is pure and deterministic: the only randomness (weighted
// choice and {{random(n)}}) comes from a Rand the caller hands in, so a
// seeded *math/rand/v2.Rand replays the same choices.
//
// A destination is a subject whose tokens are literals or placeholders:
//
//	$N, {{wildcard(N)}}           the N-th `*` token of the source (1-based)
//	{{partition(P, i, j, ...)}}   FNV-1a of wildcards i, j, ... mod P
//	{{partition(P)}}              FNV-1a of the whole subject mod P
//	{{splitFromLeft(N, pos)}}     token N split in two, pos bytes from the left
//	{{splitFromRight(N, pos)}}    the same, counted from the right
//	{{sliceFromLeft(N, size)}}    token N cut into size-byte tokens
//	{{sliceFromRight(N, size)}}   the same, the short chunk first
//	{{split(N, delim)}}           token N split on delim
//	{{random(N)}}                 a number in [0, N)
//	{{left(N, len)}}, {{right(N, len)}}  (strict parsing only: New rejects them,
//	                              as nats-server's ValidateMapping does)
//
// Usage sketch:
//
//	tr, err := mapping.New("orders.*.*", "shards.{{partition(8,1)}}.$2")
//	out, err := tr.Apply("orders.eu.42", nil) // "shards.<0..7>.42"
//
//	m, err := mapping.NewMapping("svc", []mapping.Dest{{Subject: "svc.v2", Weight: 10}})
//	var t mapping.Table
//	_ = t.Add(m)
//	mapped, changed, dropped := t.Apply([]byte("svc"), rng, "east")
package mapping
