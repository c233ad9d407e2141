package proto

import (
	"reflect"
	"testing"
)

func TestParseHeader(t *testing.T) {
	cases := []struct {
		in     string
		status int
		desc   string
		fields [][2]string
	}{
		{"NATS/1.0\r\n\r\n", 0, "", nil},
		{"NATS/1.0 503\r\n\r\n", 503, "", nil},
		{"NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 5\r\n\r\n", 100, "Idle Heartbeat", [][2]string{{"Nats-Last-Consumer", "5"}}},
		{"NATS/1.0\r\nA: 1\r\nb:2\r\nA:  3 \r\n\r\n", 0, "", [][2]string{{"A", "1"}, {"b", "2"}, {"A", "3"}}},
		{"NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 1\r\nNats-Pending-Bytes: 0\r\n\r\n", 408, "Request Timeout",
			[][2]string{{"Nats-Pending-Messages", "1"}, {"Nats-Pending-Bytes", "0"}}},
		{"NATS/1.0\r\nEmpty:\r\n\r\n", 0, "", [][2]string{{"Empty", ""}}},
	}
	for _, c := range cases {
		status, desc, fields, err := ParseHeader([]byte(c.in))
		if err != nil || status != c.status || desc != c.desc || !reflect.DeepEqual(fields, c.fields) {
			t.Errorf("%q: got %d %q %q %v", c.in, status, desc, fields, err)
		}
		// AppendHeader writes the canonical form, which parses back the same.
		again := AppendHeader(nil, status, desc, fields)
		s2, d2, f2, err := ParseHeader(again)
		if err != nil || s2 != status || d2 != desc || !reflect.DeepEqual(f2, fields) {
			t.Errorf("%q: round trip %q gave %d %q %q %v", c.in, again, s2, d2, f2, err)
		}
	}
}

func TestParseHeaderRejects(t *testing.T) {
	for _, in := range []string{
		"", "NATS/1.0", "NATS/1.0\r\n", "NATS/2.0\r\n\r\n", "HTTP/1.0\r\n\r\n",
		"NATS/1.0 50\r\n\r\n", "NATS/1.0 5x3\r\n\r\n", "NATS/1.0 5034\r\n\r\n",
		"NATS/1.0\r\nno colon\r\n\r\n", "NATS/1.0\r\n: v\r\n\r\n", "NATS/1.0\r\nA B: v\r\n\r\n",
		"NATS/1.0\r\nA: 1\r\n", "NATS/1.0\r\n\r\nextra",
	} {
		if _, _, _, err := ParseHeader([]byte(in)); err != ErrBadHeader {
			t.Errorf("%q: err %v", in, err)
		}
	}
}

func TestAppendHeader(t *testing.T) {
	cases := []struct {
		status int
		desc   string
		fields [][2]string
		want   string
	}{
		{0, "", nil, "NATS/1.0\r\n\r\n"},
		{503, "", nil, "NATS/1.0 503\r\n\r\n"},
		{404, "No Messages", nil, "NATS/1.0 404 No Messages\r\n\r\n"},
		{5, "", nil, "NATS/1.0 005\r\n\r\n"},
		{0, "ignored without status", [][2]string{{"Nats-Subject", "a.b"}}, "NATS/1.0\r\nNats-Subject: a.b\r\n\r\n"},
	}
	for _, c := range cases {
		if got := string(AppendHeader(nil, c.status, c.desc, c.fields)); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
	if n := len(AppendHeader(nil, 0, "", nil)); n != 12 {
		t.Errorf("empty header is %d bytes, want 12", n)
	}
}

func TestHeaderValue(t *testing.T) {
	hdr := []byte("NATS/1.0 503\r\nNats-Msg-Id: abc \r\nnats-msg-id: lower\r\nNats-Msg-Id: second\r\nX:\r\n\r\n")
	cases := []struct {
		key   string
		value string
		ok    bool
	}{
		{"Nats-Msg-Id", "abc", true},
		{"nats-msg-id", "lower", true},
		{"NATS-MSG-ID", "", false},
		{"Nats-Msg", "", false},
		{"X", "", true},
		{"Missing", "", false},
	}
	for _, c := range cases {
		v, ok := HeaderValue(hdr, c.key)
		if v != c.value || ok != c.ok {
			t.Errorf("%q: got %q %v", c.key, v, ok)
		}
	}
	if _, ok := HeaderValue([]byte("garbage"), "X"); ok {
		t.Errorf("found a value in garbage")
	}
	allocs := testing.AllocsPerRun(100, func() { HeaderValueBytes(hdr, "X") })
	if allocs != 0 {
		t.Errorf("HeaderValueBytes allocates %v", allocs)
	}
}
