package mapping

import (
	"errors"
	"fmt"
)

// The error texts are nats-server's, because they reach operators verbatim
// in config-load failures and API responses.
var (
	// ErrBadSubject reports a source or destination that is not a valid
	// subject, a `*` in a destination, or a `>` in only one of the two.
	ErrBadSubject = errors.New("invalid subject")
	// ErrNoTransforms reports a subject that the source does not match.
	ErrNoTransforms = errors.New("no matching transforms available")
	// ErrInvalidMappingDestination is wrapped by every destination error.
	ErrInvalidMappingDestination = errors.New("invalid mapping destination")
)

var (
	errInvalidTransform = fmt.Errorf("%w: invalid transform", ErrInvalidMappingDestination)
	errNotAllWildcards  = fmt.Errorf("%w: not using all of the token wildcard(s)", ErrInvalidMappingDestination)
	errUnknownFunction  = fmt.Errorf("%w: unknown function", ErrInvalidMappingDestination)
	errIndexOutOfRange  = fmt.Errorf("%w: wildcard index out of range", ErrInvalidMappingDestination)
	errNotEnoughArgs    = fmt.Errorf("%w: not enough arguments passed to the function", ErrInvalidMappingDestination)
	errInvalidArg       = fmt.Errorf("%w: function argument is invalid or in the wrong format", ErrInvalidMappingDestination)
	errTooManyArgs      = fmt.Errorf("%w: too many arguments passed to the function", ErrInvalidMappingDestination)
	errStrictFunction   = fmt.Errorf("%w: the only mapping function allowed for import transforms is {{Wildcard()}}", ErrInvalidMappingDestination)
)

// destinationError names the offending destination token. Its text is
// "<reason> in <token>" even when the token is empty, as nats-server prints it.
type destinationError struct {
	token string
	err   error
}

func (e *destinationError) Error() string { return fmt.Sprintf("%s in %s", e.err, e.token) }

// Unwrap lets errors.Is see both the specific reason and
// ErrInvalidMappingDestination.
func (e *destinationError) Unwrap() error { return e.err }

func destErr(token string, err error) error { return &destinationError{token: token, err: err} }
