package jetstream

import (
	"strings"
)

// apiError is the error object of a JetStream API response or PubAck:
// an HTTP-like code, nats-server's error code and its description.
type apiError struct {
	Code        int    `json:"code"`
	ErrCode     uint16 `json:"err_code,omitempty"`
	Description string `json:"description,omitempty"`
}

func (e *apiError) Error() string { return e.Description }

// with returns a copy of e with each {name} placeholder of its
// description replaced: with("err", "boom") fills {err}.
func (e apiError) with(pairs ...string) *apiError {
	d := e.Description
	for i := 0; i+1 < len(pairs); i += 2 {
		d = strings.ReplaceAll(d, "{"+pairs[i]+"}", pairs[i+1])
	}
	e.Description = d
	return &e
}

// ptr returns a copy of an error without placeholders.
func (e apiError) ptr() *apiError { return &e }

// invalidConfig is errStreamInvalidConfig with its reason.
func invalidConfig(reason string) *apiError { return errStreamInvalidConfig.with("err", reason) }

// pedanticErr is errPedantic with its reason.
func pedanticErr(reason string) *apiError { return errPedantic.with("err", reason) }
