package proto

import "testing"

func TestEncoders(t *testing.T) {
	b := func(s string) []byte { return []byte(s) }
	cases := []struct {
		got, want string
	}{
		{string(AppendMsg(nil, b("foo"), b("1"), nil, b("hello"))), "MSG foo 1 5\r\nhello\r\n"},
		{string(AppendMsg(b("x"), b("foo"), b("1"), b("r"), nil)), "xMSG foo 1 r 0\r\n\r\n"},
		{string(AppendHMsg(nil, b("foo"), b("1"), b("r"), 12, b("NATS/1.0\r\n\r\nhi"))), "HMSG foo 1 r 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"},
		{string(AppendMsgLine(nil, b("foo"), b("22"), nil, 1024)), "MSG foo 22 1024\r\n"},
		{string(AppendHMsgLine(nil, b("foo"), b("22"), b("r"), 12, 30)), "HMSG foo 22 r 12 30\r\n"},
		{string(AppendPub(nil, b("foo"), nil, b("hi"))), "PUB foo 2\r\nhi\r\n"},
		{string(AppendPub(nil, b("foo"), b("r"), nil)), "PUB foo r 0\r\n\r\n"},
		{string(AppendHPub(nil, b("foo"), b("r"), 12, b("NATS/1.0\r\n\r\n"))), "HPUB foo r 12 12\r\nNATS/1.0\r\n\r\n\r\n"},
		{string(AppendSub(nil, b("foo.*"), nil, b("1"))), "SUB foo.* 1\r\n"},
		{string(AppendSub(nil, b("foo"), b("q"), b("1"))), "SUB foo q 1\r\n"},
		{string(AppendUnsub(nil, b("1"), 0)), "UNSUB 1\r\n"},
		{string(AppendUnsub(nil, b("1"), 5)), "UNSUB 1 5\r\n"},
		{string(AppendInfo(nil, b(`{"a":1}`))), "INFO {\"a\":1}\r\n"},
		{string(AppendConnect(nil, b(`{}`))), "CONNECT {}\r\n"},
		{string(AppendErr(nil, "Unknown Protocol Operation")), "-ERR 'Unknown Protocol Operation'\r\n"},
		{string(PingLine) + string(PongLine) + string(OKLine), "PING\r\nPONG\r\n+OK\r\n"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestEncodersDoNotAllocateWithRoom(t *testing.T) {
	dst := make([]byte, 0, 4096)
	subject, sid, reply, payload := []byte("foo.bar"), []byte("1"), []byte("_INBOX.abc"), make([]byte, 128)
	allocs := testing.AllocsPerRun(100, func() {
		d := AppendMsg(dst[:0], subject, sid, reply, payload)
		d = AppendHMsg(d, subject, sid, reply, 12, payload)
		d = AppendPub(d, subject, reply, payload)
		d = AppendHPub(d, subject, reply, 12, payload)
		d = AppendSub(d, subject, reply, sid)
		d = AppendUnsub(d, sid, 10)
		d = AppendErr(d, "x")
		_ = AppendInfo(d, payload)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations", allocs)
	}
}
