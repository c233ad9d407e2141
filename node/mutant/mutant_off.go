//go:build !mutants

package mutant

import "jsnode/clock"

// Enabled reports whether this build can plant mutants (-tags mutants).
const Enabled = false

// On reports whether the named mutant is planted: never, in this build.
func On(string) bool { return false }

// Every reports whether the named mutant is planted and this is the n-th
// call at its site: never, in this build.
func Every(string, int) bool { return false }

// Clock returns c: no timer mutant exists in this build.
func Clock(c clock.Clock) clock.Clock { return c }

// Reset does nothing in this build.
func Reset() {}
