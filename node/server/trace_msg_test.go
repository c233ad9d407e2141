package server

import (
	"strings"
	"testing"
)

// payloadTraces are the MSG_PAYLOAD lines of the log, without the
// connection prefix.
func payloadTraces(l *recLog) []string {
	var out []string
	for _, line := range l.lines {
		if i := strings.LastIndex(line, " - "); i >= 0 && strings.Contains(line, "MSG_PAYLOAD") {
			out = append(out, line[i+3:])
		}
	}
	return out
}

func TestTracePayloads(t *testing.T) {
	cases := []struct {
		name string
		opts Options
		want []string
	}{
		{"whole", Options{Trace: true}, []string{
			`<<- MSG_PAYLOAD: ["hello \"world\""]`, `->> MSG_PAYLOAD: ["hello \"world\""]`,
			`<<- MSG_PAYLOAD: ["A: b\r\n\r\nbody"]`, `->> MSG_PAYLOAD: ["A: b\r\n\r\nbody"]`,
		}},
		{"max_traced_msg_len", Options{Trace: true, MaxTracedMsgLen: 5}, []string{
			`<<- MSG_PAYLOAD: ["hello..."]`, `->> MSG_PAYLOAD: ["hello..."]`,
			`<<- MSG_PAYLOAD: ["A: b\r..."]`, `->> MSG_PAYLOAD: ["A: b\r..."]`,
		}},
		{"trace_headers", Options{Trace: true, TraceHeaders: true}, []string{
			`<<- MSG_PAYLOAD: ["A: b"]`, `->> MSG_PAYLOAD: ["A: b"]`,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, &c.opts)
			p := w.connect("")
			p.send("SUB foo 1\r\nPUB foo 13\r\nhello \"world\"\r\nHPUB foo 8 12\r\nA: b\r\n\r\nbody\r\nPUB foo 0\r\n\r\nPING\r\n")
			if out := p.output(); !strings.HasSuffix(out, "PONG\r\n") {
				t.Fatalf("output %q", out)
			}
			got := payloadTraces(w.log)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Fatalf("traces:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// Without trace nothing is formatted at all.
func TestNoPayloadTraceWhenOff(t *testing.T) {
	w := newWorld(t, &Options{MaxTracedMsgLen: 5})
	p := w.connect("")
	p.send("SUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n")
	p.output()
	if got := payloadTraces(w.log); len(got) != 0 {
		t.Fatalf("traces without trace on: %q", got)
	}
}
