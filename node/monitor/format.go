package monitor

import (
	"crypto/sha256"
	"strconv"
	"time"
)

// MyUptime formats d as nats-server's uptime and idle fields: whole
// seconds, with days and years once they are reached and no zero leading
// units, e.g. "5s", "4m5s", "3h4m5s", "2d3h4m5s", "1y2d3h4m5s" (a year is
// 365 days). Negative durations print as "0s".
func MyUptime(d time.Duration) string {
	secs := int64(max(d, 0) / time.Second)
	mins, hours := secs/60, secs/3600
	days := hours / 24
	years := days / 365
	b := make([]byte, 0, 16)
	unit := func(v int64, u byte) { b = append(strconv.AppendInt(b, v, 10), u) }
	switch {
	case years > 0:
		unit(years, 'y')
		unit(days%365, 'd')
		unit(hours%24, 'h')
		unit(mins%60, 'm')
	case days > 0:
		unit(days, 'd')
		unit(hours%24, 'h')
		unit(mins%60, 'm')
	case hours > 0:
		unit(hours, 'h')
		unit(mins%60, 'm')
	case mins > 0:
		unit(mins, 'm')
	}
	unit(secs%60, 's')
	return string(b)
}

// hashDigits is the base-62 alphabet of server hashes: digits, then
// upper case, then lower case.
const hashDigits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// ServerHashLen is the length of a ServerHash.
const ServerHashLen = 8

// ServerHash is the 8-character id derived from a server name ("shash"):
// the system account's server inboxes and JetStream peer ids use it. Each
// of the first 8 bytes of sha256(name) picks hashDigits[b%62].
func ServerHash(name string) string {
	sum := sha256.Sum256([]byte(name))
	out := make([]byte, ServerHashLen)
	for i := range out {
		out[i] = hashDigits[sum[i]%byte(len(hashDigits))]
	}
	return string(out)
}

// RTTString formats a round-trip time as nats-server does: "0s" when
// unknown, microsecond precision between 1µs and 1ms, nanoseconds
// otherwise.
func RTTString(rtt time.Duration) string {
	if rtt > time.Microsecond && rtt < time.Millisecond {
		rtt = rtt.Truncate(time.Microsecond)
	}
	return rtt.String()
}
