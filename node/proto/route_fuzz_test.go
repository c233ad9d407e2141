package proto

import "testing"

// FuzzRouteParser: however a route stream is cut into reads, the parser
// reports the same ops and the same error, and its buffer stays within
// the limits.
func FuzzRouteParser(f *testing.F) {
	for _, tc := range routeCases {
		f.Add([]byte(tc.in), []byte{3})
	}
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		for _, lim := range fuzzLimits {
			whole := parseRoute(lim, &routeRecorder{}, [][]byte{data})
			p := NewRouteParser(lim)
			rec := &routeRecorder{}
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
