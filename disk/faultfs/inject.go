package faultfs

import (
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"sync"

	"jsnode/disk"
)

// Injector decides whether an operation fails. MaybeError is called before
// op runs on path; a non-nil result is returned instead of running it.
// Stateful injectors here are safe for concurrent use, but their choices
// are deterministic only if the calls arrive in a deterministic order.
type Injector interface {
	MaybeError(op Op, path string) error
}

// WriteInjector is an Injector that also wants the size of writes: for
// OpFileWrite and OpFileWriteAt the wrapper calls MaybeWriteError, with n
// the number of bytes to write, instead of MaybeError.
type WriteInjector interface {
	Injector
	MaybeWriteError(op Op, path string, n int) error
}

// ReadCorrupter is an Injector that may also damage what reads return:
// after a Read or ReadAt of the file opened as path delivered p (possibly
// empty), the wrapper calls CorruptRead, which may change p in place.
type ReadCorrupter interface {
	Injector
	CorruptRead(op Op, path string, p []byte)
}

// ShortReader is an Injector that may make sequential reads short, as
// io.Reader allows: before a Read into a buffer of n bytes the wrapper
// calls ShortRead and, if it returns k in [1, n), reads at most k bytes.
// (ReadAt may not be short without an error, so it is left alone.)
type ShortReader interface {
	Injector
	ShortRead(path string, n int) int
}

// InjectorFunc adapts a function to Injector.
type InjectorFunc func(op Op, path string) error

// MaybeError calls f.
func (f InjectorFunc) MaybeError(op Op, path string) error { return f(op, path) }

// Predicate selects operations. A nil Predicate selects every operation.
type Predicate func(op Op, path string) bool

func (p Predicate) match(op Op, path string) bool { return p == nil || p(op, path) }

// PathMatch selects operations on paths matching pattern: a path.Match
// glob if pattern holds any of "*?[", otherwise a plain prefix ("db/"
// selects everything under db). A malformed glob matches nothing.
func PathMatch(pattern string) Predicate {
	if !strings.ContainsAny(pattern, "*?[") {
		return func(_ Op, p string) bool { return strings.HasPrefix(p, pattern) }
	}
	return func(_ Op, p string) bool {
		ok, err := path.Match(pattern, p)
		return ok && err == nil
	}
}

// OnKinds selects the listed operations.
func OnKinds(kinds ...Op) Predicate {
	kinds = slices.Clone(kinds)
	return func(op Op, _ string) bool { return slices.Contains(kinds, op) }
}

// Reads selects operations for which Op.IsRead is true.
func Reads() Predicate { return func(op Op, _ string) bool { return op.IsRead() } }

// Writes selects operations for which Op.IsWrite is true.
func Writes() Predicate { return func(op Op, _ string) bool { return op.IsWrite() } }

// Syncs selects File.Sync and SyncDir.
func Syncs() Predicate { return func(op Op, _ string) bool { return op.IsSync() } }

// And selects operations every one of preds selects.
func And(preds ...Predicate) Predicate {
	return func(op Op, p string) bool {
		for _, pred := range preds {
			if !pred.match(op, p) {
				return false
			}
		}
		return true
	}
}

// Or selects operations any of preds selects.
func Or(preds ...Predicate) Predicate {
	return func(op Op, p string) bool {
		for _, pred := range preds {
			if pred.match(op, p) {
				return true
			}
		}
		return false
	}
}

// Not selects operations pred does not select.
func Not(pred Predicate) Predicate {
	return func(op Op, p string) bool { return !pred.match(op, p) }
}

// ErrorAlways fails every operation pred selects with err.
func ErrorAlways(err error, pred Predicate) Injector {
	return InjectorFunc(func(op Op, p string) error {
		if pred.match(op, p) {
			return err
		}
		return nil
	})
}

// ErrorOnce fails the first operation pred selects with err, then nothing.
func ErrorOnce(err error, pred Predicate) Injector {
	var mu sync.Mutex
	fired := false
	return InjectorFunc(func(op Op, p string) error {
		mu.Lock()
		defer mu.Unlock()
		if fired || !pred.match(op, p) {
			return nil
		}
		fired = true
		return err
	})
}

// randomStream is the second PCG seed word for Random.
const randomStream = 0x6a736e6f64652d66 // "jsnode-f"

// Random fails each operation pred selects with err, independently with
// the given probability, drawing from a PCG generator seeded with seed:
// the same seed and sequence of operations give the same failures.
func Random(seed uint64, probability float64, err error, pred Predicate) Injector {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, randomStream))
	return InjectorFunc(func(op Op, p string) error {
		if !pred.match(op, p) {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		if rng.Float64() < probability {
			return err
		}
		return nil
	})
}

// diskFull fails writes that would take the bytes written past a limit.
type diskFull struct {
	mu    sync.Mutex
	limit int64
	used  int64
}

// DiskFull fails with disk.ErrNoSpace any File.Write or File.WriteAt that
// would take the total bytes written through the wrapper past limitBytes.
// A failing write writes nothing and uses no space; smaller writes that
// still fit succeed. Overwrites count like appends and removing files frees
// nothing: the limit is on bytes written, not on bytes stored.
func DiskFull(limitBytes int64) Injector { return &diskFull{limit: limitBytes} }

// MaybeError injects nothing: only sized writes use space.
func (d *diskFull) MaybeError(Op, string) error { return nil }

// MaybeWriteError reserves n bytes or reports disk.ErrNoSpace.
func (d *diskFull) MaybeWriteError(_ Op, _ string, n int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.used+int64(n) > d.limit {
		return disk.ErrNoSpace
	}
	d.used += int64(n)
	return nil
}

// anyOf returns the first error of its injectors.
type anyOf []Injector

// Any consults injs in order and returns the first error; later injectors
// are not consulted for that operation (so a DiskFull after a failing
// injector reserves nothing).
func Any(injs ...Injector) Injector { return anyOf(slices.Clone(injs)) }

// MaybeError returns the first injector's error.
func (a anyOf) MaybeError(op Op, p string) error {
	for _, inj := range a {
		if err := inj.MaybeError(op, p); err != nil {
			return err
		}
	}
	return nil
}

// MaybeWriteError passes the write size to injectors that want it.
func (a anyOf) MaybeWriteError(op Op, p string, n int) error {
	for _, inj := range a {
		var err error
		if wi, ok := inj.(WriteInjector); ok {
			err = wi.MaybeWriteError(op, p, n)
		} else {
			err = inj.MaybeError(op, p)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
