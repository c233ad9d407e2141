package config

import (
	"testing"

	"jsnode/node/conf"
	"jsnode/node/server"
)

const goodUserNkey = "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4"

// The semantic mistakes nats-server finds while reading a file come with
// file:line:col, and with its texts.
func TestSemanticErrorsHavePositions(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"duplicate user", "authorization {\n users: [\n  {user: a, password: b}\n  {user: a, password: c}\n ]\n}",
			`s.conf:4:3: Duplicate user "a" detected`},
		{"duplicate nkey", "authorization { users: [ {nkey: " + goodUserNkey + "}, {nkey: " + goodUserNkey + "} ] }",
			`s.conf:1:92: Duplicate nkey "` + goodUserNkey + `" detected`},
		{"user of an account again", "accounts { A: { users: [ {user: a, password: b} ] } }\nauthorization { users: [ {user: a, password: c} ] }",
			`s.conf:2:26: Duplicate user "a" detected`},
		{"token and users", "authorization {\n token: x\n users: [ {user: a, password: b} ]\n}",
			`s.conf:1:15: Can not have a token and a users array`},
		{"user and token", "authorization { user: a, password: b, token: c }",
			`s.conf:1:15: Cannot have a user/pass and token`},
		{"user and users", "authorization { user: a, password: b, users: [ {user: c, password: d} ] }",
			`s.conf:1:15: Can not have a single user/pass and a users array`},
		{"bad publish subject", "authorization { users: [ {user: a, password: b, permissions: {publish: \"a..b\"}} ] }",
			`s.conf:1:72: subject "a..b" is not a valid subject`},
		{"bad subscribe deny", "authorization {\n permissions: { subscribe: { deny: [\"ok\", \"bad..x\"] } }\n}",
			`s.conf:2:43: subject "bad..x" is not a valid subject`},
		{"bad nkey", "authorization { users: [ {nkey: UBAD} ] }",
			`s.conf:1:27: Not a valid public nkey for a user`},
		{"nkey with password", "authorization { users: [ {nkey: " + goodUserNkey + ", password: x} ] }",
			`s.conf:1:26: Nkey users do not take usernames or passwords`},
		{"user without name", "authorization { users: [ {password: x} ] }",
			`s.conf:1:26: User entry requires a user`},
		{"lame duck too short", "lame_duck_duration: \"8s\"",
			`s.conf:1:21: invalid lame_duck_duration of 8s, minimum is 30 seconds`},
		{"lame duck grace negative", "lame_duck_grace_period: \"-1s\"",
			`s.conf:1:25: invalid lame_duck_grace_period, needs to be positive`},
		{"write_timeout value", "write_timeout: sometimes",
			`s.conf:1:16: write_timeout must be 'default', 'close' or 'retry'`},
		{"write_timeout retry", "write_timeout: retry",
			`s.conf:1:1: "write_timeout: retry" is not supported by jsnode yet`},
	}
	for _, c := range cases {
		var o server.Options
		err := LoadString("s.conf", c.text, conf.Options{}, &o, &Process{})
		if err == nil || err.Error() != c.want {
			t.Errorf("%s:\n got %v\nwant %s", c.name, err, c.want)
		}
	}
}

func TestLameDuckDurationAccepted(t *testing.T) {
	var o server.Options
	if err := LoadString("s.conf", "lame_duck_duration: 30s\nlame_duck_grace_period: 0s", conf.Options{}, &o, &Process{}); err != nil {
		t.Fatal(err)
	}
	if o.LameDuckDuration.Seconds() != 30 {
		t.Fatalf("lame_duck_duration = %v", o.LameDuckDuration)
	}
}

// The tuning keys land in the options they tune.
func TestTuningKeysStored(t *testing.T) {
	text := `max_traced_msg_len: 64
trace_headers: true
connect_error_reports: 10
reconnect_error_reports: 5
no_sublist_cache: true
no_fast_producer_stall: true
write_timeout: close
allow_non_tls: true
logtime_utc: true
prof_port: 6060
prof_block_rate: 3
cluster { port: 6222, write_timeout: default }
`
	var o server.Options
	var p Process
	if err := LoadString("s.conf", text, conf.Options{}, &o, &p); err != nil {
		t.Fatal(err)
	}
	if o.MaxTracedMsgLen != 64 || !o.TraceHeaders || !o.Trace || o.ConnectErrorReports != 10 ||
		o.ReconnectErrorReports != 5 || !o.NoSublistCache || !o.NoFastProducerStall {
		t.Errorf("options %+v", o)
	}
	if !p.LogtimeUTC || p.ProfPort != 6060 || p.ProfBlockRate != 3 {
		t.Errorf("process %+v", p)
	}
}
