package monitor

import (
	"encoding/json"
	"fmt"
)

// Health statuses.
const (
	HealthOK          = "ok"
	HealthError       = "error"
	HealthUnavailable = "unavailable"
)

// HealthStatus is the /healthz document. StatusCode is the HTTP status
// the answer deserves; the HTTP layer sends it as the status and clears
// it from the body (over NATS it stays in the body).
type HealthStatus struct {
	Status     string         `json:"status"`
	StatusCode int            `json:"status_code,omitempty"`
	Error      string         `json:"error,omitempty"`
	Errors     []HealthzError `json:"errors,omitempty"`
}

// HealthzError is one failed check (healthz details=true).
type HealthzError struct {
	Type     HealthzErrorType `json:"type"`
	Account  string           `json:"account,omitempty"`
	Stream   string           `json:"stream,omitempty"`
	Consumer string           `json:"consumer,omitempty"`
	Error    string           `json:"error,omitempty"`
}

// HealthzErrorType is what a failed check was about; JSON spells it as
// an upper-case word.
type HealthzErrorType int

// The kinds of failed checks.
const (
	HealthzErrorConn HealthzErrorType = iota
	HealthzErrorBadRequest
	HealthzErrorJetStream
	HealthzErrorAccount
	HealthzErrorStream
	HealthzErrorConsumer
)

var healthzErrorNames = [...]string{"CONNECTION", "BAD_REQUEST", "JETSTREAM", "ACCOUNT", "STREAM", "CONSUMER"}

// String is the JSON spelling ("unknown" outside the known kinds).
func (t HealthzErrorType) String() string {
	if t < 0 || int(t) >= len(healthzErrorNames) {
		return "unknown"
	}
	return healthzErrorNames[t]
}

// MarshalJSON writes the upper-case name.
func (t HealthzErrorType) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.String())
}

// UnmarshalJSON reads the upper-case name.
func (t *HealthzErrorType) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	for i, n := range healthzErrorNames {
		if n == s {
			*t = HealthzErrorType(i)
			return nil
		}
	}
	return fmt.Errorf("unknown healthz error type %q", b)
}
