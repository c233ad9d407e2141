package auth

import (
	"fmt"
	"strings"

	"jsnode/node/subject"
)

// entry is one compiled permission line. Publish lines are a subject
// pattern; subscribe lines may add a queue group ("foo.> workers"), which
// restricts the line to subscriptions in a matching queue group.
type entry struct {
	pattern string
	queue   string // "" for a plain line
}

// maxEntryFields is "subject queue": a third field is an error.
const maxEntryFields = 2

// parseSubscribeEntry splits a subscribe permission line into subject and
// optional queue, as nats-server does (whitespace separated).
func parseSubscribeEntry(line string) (entry, error) {
	fields := strings.Fields(line)
	switch {
	case len(fields) == 0:
		return entry{}, fmt.Errorf("empty subject")
	case len(fields) > maxEntryFields:
		return entry{}, fmt.Errorf("%q is not of the form \"subject [queue]\"", line)
	case !subject.ValidSubscribe(fields[0]):
		return entry{}, fmt.Errorf("subject %q is not a valid subject", fields[0])
	}
	e := entry{pattern: fields[0]}
	if len(fields) == maxEntryFields {
		e.queue = fields[1]
	}
	return e, nil
}

// parsePublishEntry checks a publish permission line: a subject pattern,
// wildcards allowed, no queue.
func parsePublishEntry(line string) (entry, error) {
	if !subject.ValidSubscribe(line) {
		return entry{}, fmt.Errorf("subject %q is not a valid subject", line)
	}
	return entry{pattern: line}, nil
}

// compileEntries parses lines with parse, dropping invalid ones: Validate
// reports them, so a server that checked its config never has any.
func compileEntries(lines []string, parse func(string) (entry, error)) []entry {
	out := make([]entry, 0, len(lines))
	for _, line := range lines {
		if e, err := parse(line); err == nil {
			out = append(out, e)
		}
	}
	return out
}

// queueMatches reports whether queue is named by one of the queue lines:
// literally, or (for a line whose queue has wildcards, e.g. "v1.*") as a
// subject pattern, as nats-server allows.
func queueMatches(queue string, lines []entry) bool {
	for _, e := range lines {
		if queue == e.queue {
			return true
		}
		if !subject.IsLiteral(e.queue) && subject.ValidSubscribe(queue) && subject.SubsetOf(queue, e.queue) {
			return true
		}
	}
	return false
}

// CheckPublishSubject and CheckSubscribeSubject report, with nats-server's
// text, whether line is a valid publish or subscribe permission line; the
// config reader calls them so the error carries the line's position.
func CheckPublishSubject(line string) error {
	_, err := parsePublishEntry(line)
	return err
}

func CheckSubscribeSubject(line string) error {
	_, err := parseSubscribeEntry(line)
	return err
}
