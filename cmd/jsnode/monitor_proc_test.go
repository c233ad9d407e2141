package main

import (
	"testing"
	"time"
)

func TestParseStatTicks(t *testing.T) {
	// A command name with spaces and parentheses must not shift the fields.
	stat := []byte("4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 500 0 0 0 123 45 0 0 20 0 9 0 1000 0 0\n")
	ticks, err := parseStatTicks(stat)
	if err != nil || ticks != 168 {
		t.Fatalf("ticks %d err %v, want 123+45", ticks, err)
	}
	for _, bad := range []string{"", "4242 cmd S 1", "4242 (cmd) S 1 2 3"} {
		if _, err := parseStatTicks([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCPUPercent(t *testing.T) {
	t0 := time.Unix(1000, 0)
	prev := procSample{at: t0, cpuTicks: 1000}
	cases := []struct {
		d     time.Duration
		ticks int64
		want  float64
	}{
		{time.Second, 1050, 50},      // half a core
		{2 * time.Second, 1300, 150}, // one and a half cores
		{time.Second, 1000, 0},       // idle
		{time.Second, 1033, 33},      // rounded to 0.1
		{3 * time.Second, 1001, 0.3}, // 0.01 s over 3 s
		{0, 1100, 0},                 // no time passed
	}
	for _, tc := range cases {
		got := cpuPercent(prev, procSample{at: t0.Add(tc.d), cpuTicks: tc.ticks})
		if got != tc.want {
			t.Errorf("%d ticks over %v: %v%%, want %v%%", tc.ticks-1000, tc.d, got, tc.want)
		}
	}
}

func TestReadProcSample(t *testing.T) {
	s, err := readProcSample()
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if s.rss <= 0 || s.cpuTicks < 0 {
		t.Fatalf("sample %+v", s)
	}
}
