package sim

import (
	"errors"
	"fmt"
	"slices"
)

// Every invariant a scenario can name in `checks [...]` (scenarioChecks)
// reports its violations as a checkError carrying that name. A run checks
// only what its scenario names: the parts skip disabled checks (checkSet.on)
// and selectChecks drops what slipped through. Errors no check owns (setup
// failures, a part whose own machinery broke, messages that could not
// have been sent) always count.

// checkError is a violation of the named check.
type checkError struct {
	name string
	err  error
}

func (e *checkError) Error() string { return e.err.Error() }
func (e *checkError) Unwrap() error { return e.err }

// violation tags err as a violation of check name.
func violation(name string, err error) error { return &checkError{name: name, err: err} }

// asViolation is violation that keeps nil as nil.
func asViolation(name string, err error) error {
	if err == nil {
		return nil
	}
	return violation(name, err)
}

// violationf is violation with a formatted message.
func violationf(name, format string, args ...any) error {
	return violation(name, fmt.Errorf(format, args...))
}

// checkSet is the checks a run performs; a nil set performs all.
type checkSet map[string]bool

func newCheckSet(names []string) checkSet {
	if len(names) == 0 {
		return nil
	}
	s := make(checkSet, len(names))
	for _, n := range names {
		s[n] = true
	}
	return s
}

// on reports whether the run performs check name.
func (s checkSet) on(name string) bool { return s == nil || s[name] }

// selectChecks keeps, from the (possibly joined) error err, every error no
// check owns and every violation of a check in s, prefixing the latter
// with "check <name>: " so reports and the mutation suite can tell which
// check caught a bug.
func (s checkSet) selectChecks(err error) error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var kept []error
		for _, e := range j.Unwrap() {
			if e = s.selectChecks(e); e != nil {
				kept = append(kept, e)
			}
		}
		return errors.Join(kept...)
	}
	var ce *checkError
	if !errors.As(err, &ce) {
		return err
	}
	if !s.on(ce.name) {
		return nil
	}
	return fmt.Errorf("check %s: %w", ce.name, err)
}

// checkNamesOf lists the check names in err, in order, once each.
func checkNamesOf(err error) []string {
	var names []string
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, c := range j.Unwrap() {
				walk(c)
			}
			return
		}
		var ce *checkError
		if errors.As(e, &ce) && !slices.Contains(names, ce.name) {
			names = append(names, ce.name)
		}
	}
	walk(err)
	return names
}
