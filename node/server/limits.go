package server

import "time"

// Protocol and behaviour constants, named as nats-server has them where it
// has a name for them.
const (
	// ServerVersion is the nats-server version jsnode speaks as. Clients
	// feature-detect on it, so it tracks the release we are compatible with.
	ServerVersion = "2.15.2"
	// Version is jsnode's own release. It is printed by -v and in the
	// start-up banner, beside the nats-server level it matches; clients
	// never see it (INFO "version" stays ServerVersion).
	Version = "0.1.0"
	// protoVersion is the INFO "proto" field: 1 means the server sends
	// asynchronous INFO updates to clients that declare protocol 1.
	protoVersion = 1
	// clientProtoZero and clientProtoInfo are the CONNECT "protocol"
	// values a client may declare.
	clientProtoZero = 0
	clientProtoInfo = 1

	// firstClientPingInterval caps the delay of the first PING after
	// CONNECT, so a dead client is found early.
	firstClientPingInterval = 2 * time.Second
	// firstPingJitterDivisor spreads the first PING by up to 1/5 of its
	// delay, so clients accepted together are not pinged together.
	firstPingJitterDivisor = 5
	// rttMeasurementInterval is how old an RTT measurement may get before
	// the ping timer sends a PING regardless of client activity.
	rttMeasurementInterval = time.Hour

	// lameDuckMaxCloseInterval caps the pause between two client closes
	// in lame-duck mode: there is no point spreading a handful of clients
	// over the whole duration.
	lameDuckMaxCloseInterval = time.Second
	// lameDuckMinSpread is the spread used when the lame-duck duration
	// minus the grace period is not positive.
	lameDuckMinSpread = time.Second

	// nonceRawLen random bytes become the INFO nonce (base64, no padding).
	nonceRawLen = 11

	// maxWaitersPerConn bounds how many paused producers one slow
	// destination remembers. Past it a producer is not paused for that
	// destination and the slow-consumer rules take over.
	maxWaitersPerConn = 4096
	// stallCheck is how often a paused producer looks at the destinations
	// it waits for. While one of them drains, the pause goes on (that is
	// backpressure: a slow but live reader is never cut off). When none
	// drained for stallStuckChecks looks in a row, they are stuck: the
	// producer reads again and is not paused for them until they drain,
	// so a stuck subscriber costs its publishers, and through them every
	// other subscriber, one stall of about stallCheck*stallStuckChecks,
	// and is then cut off by max_pending or the write deadline, as with
	// nats-server (which stalls a producer 2-10 ms per read). Taking a
	// reader the OS did not schedule for a while for a stuck one costs
	// nothing but memory: it is still only cut at max_pending, and its
	// producers pause for it again once it has drained.
	//
	// A destination that has drained before (its peer is known to read)
	// gets stallReaderChecks: the kernel's socket buffers hide a live
	// reader's progress in steps of up to half the send buffer, which at
	// loopback speeds can take tens of milliseconds; one that never did
	// (a subscriber that never reads) is taken for stuck after
	// stallStuckChecks.
	stallCheck        = 2 * time.Millisecond
	stallStuckChecks  = 3
	stallReaderChecks = 25
	// stallMarksMax bounds how many destinations one paused producer
	// watches for progress; past it the producer is paused without a mark.
	stallMarksMax = 16
	// scratchInitial is the initial capacity of the MSG line scratch
	// buffer; it grows to the longest control line seen.
	scratchInitial = 512
	// inlinePayloadMax is the largest payload copied into the scratch
	// buffer next to its control line, so a small message costs one Write
	// instead of three.
	inlinePayloadMax = 4096
)

// Subject prefixes a client may not publish to, or use as reply subjects:
// they belong to gateways, service imports, JetStream acks and RAFT.
const (
	gwReplyPrefix    = "_GR_."
	oldGWReplyPrefix = "$GR."
	serviceReplyPref = "_R_."
	jsAckPrefix      = "$JS.ACK."
	nrgPrefix        = "$NRG."
)

// ClosedState is why a client connection was closed, with nats-server's
// names (connz "reason", the "Client connection closed" log line).
type ClosedState int

// Reasons a connection closes.
const (
	ClientClosed ClosedState = iota + 1
	AuthenticationTimeout
	AuthenticationViolation
	SlowConsumerPendingBytes
	SlowConsumerWriteDeadline
	WriteError
	ReadError
	ParseError
	StaleConnection
	ProtocolViolation
	BadClientProtocolVersion
	MaxConnectionsExceeded
	MaxPayloadExceeded
	MaxControlLineExceeded
	ServerShutdown
	NoRespondersRequiresHeaders
	MaxAccountConnectionsExceeded
	MissingAccount
	Kicked
)

// String returns nats-server's text for the reason.
func (r ClosedState) String() string {
	switch r {
	case ClientClosed:
		return "Client Closed"
	case AuthenticationTimeout:
		return "Authentication Timeout"
	case AuthenticationViolation:
		return "Authentication Failure"
	case SlowConsumerPendingBytes:
		return "Slow Consumer (Pending Bytes)"
	case SlowConsumerWriteDeadline:
		return "Slow Consumer (Write Deadline)"
	case WriteError:
		return "Write Error"
	case ReadError:
		return "Read Error"
	case ParseError:
		return "Parse Error"
	case StaleConnection:
		return "Stale Connection"
	case ProtocolViolation:
		return "Protocol Violation"
	case BadClientProtocolVersion:
		return "Bad Client Protocol Version"
	case MaxConnectionsExceeded:
		return "Maximum Connections Exceeded"
	case MaxPayloadExceeded:
		return "Maximum Message Payload Exceeded"
	case MaxControlLineExceeded:
		return "Maximum Control Line Exceeded"
	case ServerShutdown:
		return "Server Shutdown"
	case NoRespondersRequiresHeaders:
		return "No Responders Requires Headers"
	case MaxAccountConnectionsExceeded:
		return "Maximum Account Connections Exceeded"
	case MissingAccount:
		return "Missing Account"
	case Kicked:
		return "Kicked"
	}
	return clusterClosedStateString(r)
}
