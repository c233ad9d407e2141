package proto

import "testing"

// fuzzLimits are small, so short inputs reach the limit paths too, and the
// defaults.
var fuzzLimits = []Limits{{MaxControlLine: 32, MaxPayload: 64}, {}}

// fuzzBufferSlack is what a parser's buffer may hold beyond the limits.
const fuzzBufferSlack = 2

// chunksFromCuts cuts data into chunks whose lengths (1..256) come from cuts,
// cycling; no cuts means one chunk.
func chunksFromCuts(data, cuts []byte) [][]byte {
	if len(cuts) == 0 {
		return [][]byte{clone(data)}
	}
	var chunks [][]byte
	for i := 0; len(data) > 0; i++ {
		n := min(int(cuts[i%len(cuts)])+1, len(data))
		chunks = append(chunks, clone(data[:n]))
		data = data[n:]
	}
	return chunks
}

// checkBound fails if a parser buffer outgrew the limits.
func checkBound(t *testing.T, c *core, lim Limits) {
	if bound := lim.controlLine() + lim.payload() + fuzzBufferSlack; cap(c.buf) > bound {
		t.Fatalf("buffer cap %d exceeds %d", cap(c.buf), bound)
	}
}

func FuzzServerParser(f *testing.F) {
	for _, tc := range serverCases {
		f.Add([]byte(tc.in), []byte{3})
	}
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		for _, lim := range fuzzLimits {
			whole := parseServer(lim, &serverRecorder{}, [][]byte{data})
			if general := parseServerGeneral(lim, [][]byte{data}); !general.equal(whole) {
				t.Fatalf("limits %+v, %q:\n    fast %v\n general %v", lim, data, whole, general)
			}
			p := NewServerParser(lim)
			rec := &serverRecorder{}
			var err error
			for _, c := range chunksFromCuts(data, cuts) {
				if err = p.Feed(c, rec); err != nil {
					break
				}
				checkBound(t, &p.c, lim)
			}
			if got := (parseResult{rec.events, err}); !got.equal(whole) {
				t.Fatalf("limits %+v, %q cut by %v:\n chunked %v\n   whole %v", lim, data, cuts, got, whole)
			}
		}
	})
}

func FuzzClientParser(f *testing.F) {
	for _, tc := range clientCases {
		f.Add([]byte(tc.in), []byte{3})
	}
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		for _, lim := range fuzzLimits {
			whole := parseClient(lim, &clientRecorder{}, [][]byte{data})
			p := NewClientParser(lim)
			rec := &clientRecorder{}
			var err error
			for _, c := range chunksFromCuts(data, cuts) {
				if err = p.Feed(c, rec); err != nil {
					break
				}
				checkBound(t, &p.c, lim)
			}
			if got := (parseResult{rec.events, err}); !got.equal(whole) {
				t.Fatalf("limits %+v, %q cut by %v:\n chunked %v\n   whole %v", lim, data, cuts, got, whole)
			}
		}
	})
}

func FuzzParseHeader(f *testing.F) {
	f.Add([]byte("NATS/1.0 100 Idle Heartbeat\r\nA: b\r\n\r\n"))
	f.Add([]byte("NATS/1.0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, hdr []byte) {
		status, desc, fields, err := ParseHeader(hdr)
		if err != nil {
			return
		}
		// Whatever parses, re-encodes to a block that parses the same.
		again := AppendHeader(nil, status, desc, fields)
		s2, d2, f2, err := ParseHeader(again)
		if err != nil || s2 != status || (status != 0 && d2 != desc) || len(f2) != len(fields) {
			t.Fatalf("%q -> %q -> %d %q %q %v", hdr, again, s2, d2, f2, err)
		}
		for _, kv := range fields {
			if _, ok := HeaderValue(hdr, kv[0]); !ok {
				t.Fatalf("%q: key %q not found", hdr, kv[0])
			}
		}
	})
}
