// Package redact hides secrets before text reaches a log line or a trace:
// the credentials of a CONNECT (password, token, nkey signature, JWT) and
// the password of a URL. Every log call in the node and the binary that
// may carry such a value goes through here, so there is one place to get
// it right.
package redact

import "strings"

// Marker replaces a secret value in a CONNECT, as nats-server prints it.
const Marker = "[REDACTED]"

// URLPassword replaces the password of a URL; it is what Go's
// url.URL.Redacted (and so nats-server) prints.
const URLPassword = "xxxxx"

// URL hides the password of a URL, "scheme://user:pass@host" or a bare
// "user:pass@host", whether or not the rest of it parses: the text
// between the first ':' of the user info and the last '@' is replaced.
// A string without user info comes back unchanged.
func URL(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return s
	}
	start := 0
	if i := strings.Index(s[:at], "://"); i >= 0 {
		start = i + len("://")
	}
	colon := strings.IndexByte(s[start:at], ':')
	if colon < 0 {
		return s
	}
	return s[:start+colon+1] + URLPassword + s[at:]
}
