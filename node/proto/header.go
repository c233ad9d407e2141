package proto

import (
	"bytes"
	"errors"
	"strconv"
)

// Header block constants (nats-server's hdrLine).
const (
	headerVersion = "NATS/1.0"
	statusDigits  = 3
)

// ErrBadHeader is returned by ParseHeader for a block that is not a
// well-formed NATS/1.0 header.
var ErrBadHeader = errors.New("proto: malformed NATS/1.0 header block")

// ParseHeader parses a header block: "NATS/1.0[ <status>[ <description>]]\r\n",
// then "Key: Value\r\n" lines, then an empty line; hdr must end right after
// it. Status is 0 when absent. Fields keep their order, their keys' case and
// any duplicates; values are trimmed of surrounding blanks.
func ParseHeader(hdr []byte) (status int, description string, fields [][2]string, err error) {
	first, rest, ok := cutLine(hdr)
	if !ok || !bytes.HasPrefix(first, []byte(headerVersion)) {
		return 0, "", nil, ErrBadHeader
	}
	status, description, err = parseStatusLine(first[len(headerVersion):])
	if err != nil {
		return 0, "", nil, err
	}
	for {
		line, next, ok := cutLine(rest)
		if !ok {
			return 0, "", nil, ErrBadHeader
		}
		rest = next
		if len(line) == 0 {
			break
		}
		key, value, ok := splitField(line)
		if !ok {
			return 0, "", nil, ErrBadHeader
		}
		fields = append(fields, [2]string{string(key), string(value)})
	}
	if len(rest) != 0 {
		return 0, "", nil, ErrBadHeader
	}
	return status, description, fields, nil
}

// parseStatusLine parses what follows "NATS/1.0" on the first line.
func parseStatusLine(s []byte) (int, string, error) {
	s = bytes.Trim(s, " \t")
	if len(s) == 0 {
		return 0, "", nil
	}
	if len(s) < statusDigits {
		return 0, "", ErrBadHeader
	}
	code := parseSize(s[:statusDigits])
	if code < 0 || (len(s) > statusDigits && !isBlank(s[statusDigits])) {
		return 0, "", ErrBadHeader
	}
	return code, string(bytes.Trim(s[statusDigits:], " \t")), nil
}

// cutLine splits b at the first CRLF.
func cutLine(b []byte) (line, rest []byte, ok bool) {
	i := bytes.Index(b, []byte("\r\n"))
	if i < 0 {
		return nil, nil, false
	}
	return b[:i], b[i+2:], true
}

// splitField splits "Key: Value"; the key must be non-empty and blank-free.
func splitField(line []byte) (key, value []byte, ok bool) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 || bytes.ContainsAny(line[:i], " \t") {
		return nil, nil, false
	}
	return line[:i], bytes.Trim(line[i+1:], " \t"), true
}

// AppendHeader appends a header block: the version line with the status
// (omitted when 0, written as 3 digits) and description, each field as
// "Key: Value", and the closing empty line.
func AppendHeader(dst []byte, status int, description string, fields [][2]string) []byte {
	dst = append(dst, headerVersion...)
	if status > 0 {
		dst = append(dst, ' ')
		for d := 100; d > 1 && status < d; d /= 10 {
			dst = append(dst, '0')
		}
		dst = strconv.AppendInt(dst, int64(status), 10)
		if description != "" {
			dst = append(dst, ' ')
			dst = append(dst, description...)
		}
	}
	dst = append(dst, '\r', '\n')
	for _, f := range fields {
		dst = append(dst, f[0]...)
		dst = append(dst, ':', ' ')
		dst = append(dst, f[1]...)
		dst = append(dst, '\r', '\n')
	}
	return append(dst, '\r', '\n')
}

// HeaderValue returns the value of the first field whose key is exactly key
// (case-sensitive, as nats-server's own lookups are).
func HeaderValue(hdr []byte, key string) (string, bool) {
	v, ok := HeaderValueBytes(hdr, key)
	if !ok {
		return "", false
	}
	return string(v), true
}

// HeaderValueBytes is HeaderValue without allocating: the value is a
// sub-slice of hdr.
func HeaderValueBytes(hdr []byte, key string) ([]byte, bool) {
	_, rest, ok := cutLine(hdr)
	if !ok {
		return nil, false
	}
	for {
		line, next, ok := cutLine(rest)
		if !ok || len(line) == 0 {
			return nil, false
		}
		rest = next
		i := bytes.IndexByte(line, ':')
		if i == len(key) && string(line[:i]) == key {
			return bytes.Trim(line[i+1:], " \t"), true
		}
	}
}
