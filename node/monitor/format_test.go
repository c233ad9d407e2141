package monitor

import (
	"testing"
	"time"
)

func TestMyUptime(t *testing.T) {
	const day = 24 * time.Hour
	cases := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{-time.Minute, "0s"},
		{999 * time.Millisecond, "0s"},
		{5 * time.Second, "5s"},
		{time.Minute, "1m0s"},
		{4*time.Minute + 5*time.Second, "4m5s"},
		{time.Hour, "1h0m0s"},
		{3*time.Hour + 4*time.Minute + 5*time.Second, "3h4m5s"},
		{day, "1d0h0m0s"},
		{2*day + 3*time.Hour + 4*time.Minute + 5*time.Second, "2d3h4m5s"},
		{364*day + 23*time.Hour + 59*time.Minute + 59*time.Second, "364d23h59m59s"},
		{365 * day, "1y0d0h0m0s"},
		{367*day + 3*time.Hour + 4*time.Minute + 5*time.Second, "1y2d3h4m5s"},
		{800 * day, "2y70d0h0m0s"},
	}
	for _, tc := range cases {
		if got := MyUptime(tc.d); got != tc.want {
			t.Errorf("MyUptime(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestServerHash(t *testing.T) {
	// Seen on nats-server v2.15.2: the server with this name subscribes
	// to its inbox "$SYS._INBOX.hAeEzcN5.*".
	const name = "NCHO6IPUWKB6ZKU4KM4O5HZWSWQ5D57VV4G43TMSV6HFZNLQNJK6NNLF"
	if got := ServerHash(name); got != "hAeEzcN5" {
		t.Fatalf("ServerHash(%s) = %q, want hAeEzcN5", name, got)
	}
	for _, n := range []string{"", "a", "js1", name} {
		h := ServerHash(n)
		if len(h) != ServerHashLen {
			t.Fatalf("ServerHash(%q) = %q: not %d chars", n, h, ServerHashLen)
		}
		for i := 0; i < len(h); i++ {
			c := h[i]
			if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
				t.Fatalf("ServerHash(%q) = %q: %q is not base 62", n, h, c)
			}
		}
	}
	if ServerHash("js1") == ServerHash("js2") {
		t.Fatal("different names, same hash")
	}
}

func TestRTTString(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{time.Microsecond, "1µs"},
		{1500 * time.Nanosecond, "1µs"},
		{123456 * time.Nanosecond, "123µs"},
		{time.Millisecond + 1234, "1.001234ms"},
		{2 * time.Second, "2s"},
	}
	for _, tc := range cases {
		if got := RTTString(tc.d); got != tc.want {
			t.Errorf("RTTString(%d) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestNormalizeBasePath(t *testing.T) {
	cases := map[string]string{"": "/", "/": "/", "nats": "/nats", "/nats/": "/nats", "a//b/../c": "/a/c"}
	for in, want := range cases {
		if got := NormalizeBasePath(in); got != want {
			t.Errorf("NormalizeBasePath(%q) = %q, want %q", in, got, want)
		}
	}
	if got := JoinBasePath("/nats", VarzPath); got != "/nats/varz" {
		t.Errorf("join: %q", got)
	}
	if got := JoinBasePath("/nats", RootPath); got != "/nats" {
		t.Errorf("join root: %q", got)
	}
}
