package server

import (
	"errors"
	"strconv"
)

// The texts of the -ERR lines sent to clients, exactly as nats-server
// sends them (clients match on them, case-insensitively).
const (
	errTextAuthViolation      = "Authorization Violation"
	errTextAuthTimeout        = "Authentication Timeout"
	errTextMaxPayload         = "Maximum Payload Violation"
	errTextInvalidPubSubject  = "Invalid Publish Subject"
	errTextInvalidSubject     = "Invalid Subject"
	errTextStaleConnection    = "Stale Connection"
	errTextMaxConnections     = "maximum connections exceeded"
	errTextMaxSubscriptions   = "maximum subscriptions exceeded"
	errTextBadClientProtocol  = "invalid client protocol"
	errTextNoRespondersNeedsH = "no responders requires headers support"
)

// Log texts that are not -ERR lines.
const (
	logTextAuthError          = "authentication error"
	logTextHeadersUnsupported = "message headers not supported"
)

// Errors from New and Start.
var (
	ErrServerRunning = errors.New("server: already started")
)

// errConnClosed tells the parser to stop: the handler has already answered
// and closed the connection.
var errConnClosed = errors.New("server: connection closed")

// pubViolationText is the -ERR text for a denied publish.
func pubViolationText(subject string) string {
	return "Permissions Violation for Publish to " + strconv.Quote(subject)
}

// replyViolationText is the -ERR text for a publish with a reserved reply.
func replyViolationText(reply string) string {
	return "Permissions Violation for Publish with Reply of " + strconv.Quote(reply)
}

// subViolationText is the -ERR text for a denied subscription, with the
// queue group when there is one.
func subViolationText(subject, queue string) string {
	t := "Permissions Violation for Subscription to " + strconv.Quote(subject)
	if queue != "" {
		t += " using queue " + strconv.Quote(queue)
	}
	return t
}
