package proto

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// Generators of valid protocol values.
var (
	tokenGen   = rapid.StringMatching(`[A-Za-z0-9_$\-]{1,8}`)
	sidGen     = rapid.StringMatching(`[0-9]{1,6}`)
	payloadGen = rapid.SliceOfN(rapid.Byte(), 0, 64)
	keyGen     = rapid.StringMatching(`[A-Za-z][A-Za-z0-9\-]{0,11}`)
	valueGen   = rapid.StringMatching(`([!-~]([ !-~]{0,10}[!-~])?)?`)
)

func subjectGen(wildcards bool) *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		n := rapid.IntRange(1, 4).Draw(t, "tokens")
		s := ""
		for i := 0; i < n; i++ {
			tok := tokenGen.Draw(t, "token")
			if wildcards && rapid.IntRange(0, 5).Draw(t, "wild") == 0 {
				tok = "*"
			}
			if i > 0 {
				s += "."
			}
			s += tok
		}
		return s
	})
}

// optional draws either "" or a value from g.
func optional(t *rapid.T, g *rapid.Generator[string], label string) string {
	if rapid.Bool().Draw(t, label+"?") {
		return g.Draw(t, label)
	}
	return ""
}

// headerGen draws a header block and returns it with its parsed form.
func headerGen(t *rapid.T) ([]byte, int, string, [][2]string) {
	status := rapid.SampledFrom([]int{0, 100, 404, 408, 503}).Draw(t, "status")
	desc := ""
	if status != 0 {
		desc = rapid.SampledFrom([]string{"", "Idle Heartbeat", "No Messages"}).Draw(t, "desc")
	}
	var fields [][2]string
	for i := rapid.IntRange(0, 3).Draw(t, "fields"); i > 0; i-- {
		fields = append(fields, [2]string{keyGen.Draw(t, "key"), valueGen.Draw(t, "value")})
	}
	return AppendHeader(nil, status, desc, fields), status, desc, fields
}

// drawClientOp appends one random client→server op to stream and returns the
// event the server parser must report for it.
func drawClientOp(t *rapid.T, stream []byte) ([]byte, string) {
	switch rapid.IntRange(0, 6).Draw(t, "op") {
	case 0:
		subj, reply, payload := subjectGen(false).Draw(t, "subj"), optional(t, subjectGen(false), "reply"), payloadGen.Draw(t, "payload")
		return AppendPub(stream, []byte(subj), []byte(reply), payload), fmt.Sprintf("PUB %q %q %q", subj, reply, payload)
	case 1:
		subj, reply := subjectGen(false).Draw(t, "subj"), optional(t, subjectGen(false), "reply")
		hdr, status, desc, fields := headerGen(t)
		got, gotDesc, gotFields, err := ParseHeader(hdr)
		if err != nil || got != status || gotDesc != desc || fmt.Sprint(gotFields) != fmt.Sprint(fields) {
			t.Fatalf("header %q parsed as %d %q %q %v", hdr, got, gotDesc, gotFields, err)
		}
		msg := append(hdr, payloadGen.Draw(t, "payload")...)
		return AppendHPub(stream, []byte(subj), []byte(reply), len(hdr), msg), fmt.Sprintf("HPUB %q %q %d %q", subj, reply, len(hdr), msg)
	case 2:
		subj, queue, sid := subjectGen(true).Draw(t, "subj"), optional(t, tokenGen, "queue"), sidGen.Draw(t, "sid")
		return AppendSub(stream, []byte(subj), []byte(queue), []byte(sid)), fmt.Sprintf("SUB %q %q %q", subj, queue, sid)
	case 3:
		sid, maxMsgs := sidGen.Draw(t, "sid"), rapid.Int64Range(0, 1000).Draw(t, "max")
		return AppendUnsub(stream, []byte(sid), maxMsgs), fmt.Sprintf("UNSUB %q %d", sid, maxMsgs)
	case 4:
		arg := fmt.Sprintf(`{"verbose":false,"name":%q}`, tokenGen.Draw(t, "name"))
		return AppendConnect(stream, []byte(arg)), fmt.Sprintf("CONNECT %q", arg)
	case 5:
		return append(stream, PingLine...), "PING "
	}
	return append(stream, PongLine...), "PONG "
}

// drawServerOp appends one random server→client op and returns the event the
// client parser must report for it.
func drawServerOp(t *rapid.T, stream []byte) ([]byte, string) {
	switch rapid.IntRange(0, 6).Draw(t, "op") {
	case 0:
		subj, sid, reply, payload := subjectGen(false).Draw(t, "subj"), sidGen.Draw(t, "sid"), optional(t, subjectGen(false), "reply"), payloadGen.Draw(t, "payload")
		return AppendMsg(stream, []byte(subj), []byte(sid), []byte(reply), payload), fmt.Sprintf("MSG %q %q %q -1 %q", subj, sid, reply, payload)
	case 1:
		subj, sid, reply := subjectGen(false).Draw(t, "subj"), sidGen.Draw(t, "sid"), optional(t, subjectGen(false), "reply")
		hdr, _, _, _ := headerGen(t)
		msg := append(hdr, payloadGen.Draw(t, "payload")...)
		return AppendHMsg(stream, []byte(subj), []byte(sid), []byte(reply), len(hdr), msg), fmt.Sprintf("MSG %q %q %q %d %q", subj, sid, reply, len(hdr), msg)
	case 2:
		arg := fmt.Sprintf(`{"server_id":%q,"max_payload":1048576}`, tokenGen.Draw(t, "id"))
		return AppendInfo(stream, []byte(arg)), fmt.Sprintf("INFO %q", arg)
	case 3:
		text := rapid.SampledFrom([]string{"Unknown Protocol Operation", "Stale Connection", "Permissions Violation for Publish to \"a\""}).Draw(t, "text")
		return AppendErr(stream, text), fmt.Sprintf("-ERR %q", text)
	case 4:
		return append(stream, OKLine...), "+OK "
	case 5:
		return append(stream, PingLine...), "PING "
	}
	return append(stream, PongLine...), "PONG "
}

// drawChunks cuts stream at random places.
func drawChunks(t *rapid.T, stream []byte) [][]byte {
	var chunks [][]byte
	for len(stream) > 0 {
		n := min(rapid.IntRange(1, 40).Draw(t, "chunk"), len(stream))
		chunks = append(chunks, clone(stream[:n]))
		stream = stream[n:]
	}
	return chunks
}

func TestRapidServerRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var stream []byte
		var want []string
		for i := rapid.IntRange(1, 12).Draw(t, "ops"); i > 0; i-- {
			var ev string
			stream, ev = drawClientOp(t, stream)
			want = append(want, ev)
		}
		got := parseServer(Limits{}, &serverRecorder{}, drawChunks(t, stream))
		if !got.equal(parseResult{events: want}) {
			t.Fatalf("stream %q:\n got %v\nwant %q", stream, got, want)
		}
	})
}

func TestRapidClientRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var stream []byte
		var want []string
		for i := rapid.IntRange(1, 12).Draw(t, "ops"); i > 0; i-- {
			var ev string
			stream, ev = drawServerOp(t, stream)
			want = append(want, ev)
		}
		got := parseClient(Limits{}, &clientRecorder{}, drawChunks(t, stream))
		if !got.equal(parseResult{events: want}) {
			t.Fatalf("stream %q:\n got %v\nwant %q", stream, got, want)
		}
	})
}
