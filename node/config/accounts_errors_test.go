package config

import (
	"testing"

	"jsnode/node/conf"
	"jsnode/node/server"
)

type errCase struct {
	name, text, want string
}

func checkErrors(t *testing.T, cases []errCase) {
	t.Helper()
	for _, c := range cases {
		var o server.Options
		err := LoadString("e.conf", c.text, conf.Options{}, &o, &Process{})
		switch {
		case err == nil:
			t.Errorf("%s: no error, want %q", c.name, c.want)
		case err.Error() != c.want:
			t.Errorf("%s:\n got %q\nwant %q", c.name, err, c.want)
		}
	}
}

func TestAccountBlockErrors(t *testing.T) {
	checkErrors(t, []errCase{
		{"reserved name", `accounts { "$G": {} }`, `e.conf:1:18: "$G" is a Reserved Account`},
		{"reserved name in list", `accounts: [A, "$G"]`, `e.conf:1:15: "$G" is a Reserved Account`},
		{"duplicate in list", `accounts: [A, B, A]`, `e.conf:1:18: Duplicate Account Entry: A`},
		{"not a map", `accounts { A: 1 }`, `e.conf:1:15: Expected map entries for accounts`},
		{"unknown key", `accounts { A: { bogus: 1 } }`, `e.conf:1:17: unknown field "bogus"`},
		{"jetstream bad value", `accounts { A: { jetstream: maybe } }`,
			`e.conf:1:28: Expected 'enabled' or 'disabled' for string value, got 'maybe'`},
		{"jetstream unknown limit", `accounts { A: { jetstream: { bogus: 1 } } }`,
			`e.conf:1:30: unknown field "bogus"`},
		{"msg_trace", `accounts { A: { msg_trace: "t.x" } }`,
			`e.conf:1:17: "msg_trace" is not supported by jsnode yet`},
		{"trace_dest", `accounts { A: { trace_dest: "t.x" } }`,
			`e.conf:1:17: "trace_dest" is not supported by jsnode yet`},
		{"user key as account nkey", `accounts { A: { nkey: ` + userKey + ` } }`,
			`e.conf:1:23: Not a valid public nkey for an account: "` + userKey + `"`},
		{"limits unknown", `accounts { A: { limits: { max_foo: 1 } } }`, `e.conf:1:27: Unknown field "max_foo" parsing account limits`},
		{"limits not a map", `accounts { A: { limits: 5 } }`, `e.conf:1:25: Expected account limits to be a map/struct, got 5`},
		{"limit not a number", `accounts { A: { limits: { max_conn: x } } }`, `e.conf:1:37: expected an integer, found string "x"`},
		{"duplicate user across accounts", "accounts {\n A: { users: [{user: u, password: p}] }\n B: { users: [{user: u, password: q}] }\n}",
			`e.conf:3:14: Duplicate user "u" detected`},
		{"duplicate of an authorization user", "authorization { users: [{user: u, password: p}] }\naccounts { A: { users: [{user: u, password: q}] } }",
			`e.conf:2:24: Duplicate user "u" detected`},
		{"duplicate nkey", "accounts {\n A: { users: [{nkey: " + userKey + "}] }\n B: { users: [{nkey: " + userKey + "}] }\n}",
			`e.conf:3:14: Duplicate nkey "` + userKey + `" detected`},
		{"user field not supported", `accounts { A: { users: [{user: u, password: p, allowed_connection_types: [STANDARD]}] } }`,
			`e.conf:1:48: "allowed_connection_types" is not supported by jsnode yet`},
		{"system account not a string", `system_account: 5`, `e.conf:1:17: system account name must be a string`},
		{"http not a port", `http: true`, `e.conf:1:7: expected port or host:port, got bool`},
		{"http without port", `http: "8222"`, `e.conf:1:7: could not parse address string "8222"`},
		{"http bad port", `http: "h:x"`, `e.conf:1:7: could not parse port "x"`},
		{"https refused", `https: 8443`, `e.conf:1:1: "https" is not supported by jsnode yet`},
	})
}

func TestExportErrors(t *testing.T) {
	exp := func(entries string) string { return `accounts { A: { exports: [` + entries + `] } }` }
	// The first entry starts at column 27.
	checkErrors(t, []errCase{
		{"not an array", `accounts { A: { exports: {stream: x} } }`, `e.conf:1:26: Exports should be an array, got map[string]interface {}`},
		{"entry not a map", exp(`"x"`), `e.conf:1:27: Export Items should be a map with type entry, got string`},
		{"service after stream", exp(`{stream: a, service: b}`), `e.conf:1:48: Detected service "b" but already saw a stream`},
		{"stream after service", exp(`{service: a, stream: b}`), `e.conf:1:48: Detected stream "b" but already saw a service`},
		{"response on a stream", exp(`{stream: a, response: stream}`), `e.conf:1:49: Detected response directive on non-service`},
		{"response before stream", exp(`{response: stream, stream: a}`), `e.conf:1:38: Detected response directive on non-service`},
		{"threshold on a stream", exp(`{stream: a, threshold: "1s"}`), `e.conf:1:50: Detected response directive on non-service`},
		{"unknown response type", exp(`{service: a, response: bogus}`), `e.conf:1:50: Unknown response type: "bogus"`},
		{"response not a string", exp(`{service: a, response: 1}`), `e.conf:1:50: Expected response type to be string, got int64`},
		{"duplicate response type", exp(`{service: a, response: single, response_type: stream}`), `e.conf:1:73: Duplicate response type definition`},
		{"bad threshold", exp(`{service: a, threshold: "abc"}`), `e.conf:1:51: Expected response threshold to be a parseable time duration, got "abc"`},
		{"threshold not a string", exp(`{service: a, threshold: true}`), `e.conf:1:51: Expected response threshold to be a parseable time duration, got bool`},
		{"duplicate threshold", exp(`{service: a, threshold: "1s", response_time: "2s"}`), `e.conf:1:72: Duplicate response threshold detected`},
		{"stream not a string", exp(`{stream: 5}`), `e.conf:1:36: Expected stream name to be string, got int64`},
		{"service not a string", exp(`{service: [a]}`), `e.conf:1:37: Expected service name to be string, got []interface {}`},
		{"unknown key", exp(`{stream: a, foo: 1}`), `e.conf:1:39: unknown field "foo"`},
		{"latency refused", exp(`{service: a, latency: "lat.x"}`),
			`e.conf:1:40: "latency" is not supported by jsnode yet`},
		{"allow_trace refused", exp(`{service: a, allow_trace: true}`),
			`e.conf:1:40: "allow_trace" is not supported by jsnode yet`},
	})
}

func TestImportErrors(t *testing.T) {
	imp := func(entries string) string {
		return `accounts { A: { exports: [{stream: ">"}, {service: ">"}] }, B: { imports: [` + entries + `] } }`
	}
	// The first entry starts at column 76.
	checkErrors(t, []errCase{
		{"not an array", `accounts { A: { imports: "x" } }`, `e.conf:1:26: Imports should be an array, got string`},
		{"entry not a map", imp(`[1]`), `e.conf:1:76: Import Items should be a map with type entry, got []interface {}`},
		{"stream not a map", imp(`{stream: "a"}`), `e.conf:1:85: Stream entry should be an account map, got string`},
		{"service not a map", imp(`{service: 1}`), `e.conf:1:86: Service entry should be an account map, got int64`},
		{"no subject", imp(`{stream: {account: A}}`), `e.conf:1:85: Expect an account name and a subject`},
		{"no account", imp(`{service: {subject: x}}`), `e.conf:1:86: Expect an account name and a subject`},
		{"unknown source key", imp(`{stream: {account: A, subject: x, bogus: 1}}`), `e.conf:1:110: unknown field "bogus"`},
		{"service after stream", imp(`{stream: {account: A, subject: x}, service: {account: A, subject: y}}`),
			`e.conf:1:120: Detected service but already saw a stream`},
		{"stream after service", imp(`{service: {account: A, subject: x}, stream: {account: A, subject: y}}`),
			`e.conf:1:120: Detected stream but already saw a service`},
		{"prefix and to", imp(`{stream: {account: A, subject: x}, prefix: p, to: y}`), `e.conf:1:126: Stream import can not have a 'prefix' and a 'to' property`},
		{"to and prefix", imp(`{to: y, stream: {account: A, subject: x}, prefix: p}`), `e.conf:1:81: Stream import can not have a 'prefix' and a 'to' property`},
		{"duplicate service local subject", imp(`{service: {account: A, subject: x}}, {service: {account: A, subject: y}, to: x}`),
			`e.conf:1:113: Duplicate service import subject "x", previously used in import for account "A", subject "x"`},
		{"share not a bool", imp(`{service: {account: A, subject: x}, share: 1}`), `e.conf:1:119: expected a boolean, found int "1"`},
		{"unknown key", imp(`{stream: {account: A, subject: x}, foo: 1}`), `e.conf:1:111: unknown field "foo"`},
		{"allow_trace refused", imp(`{stream: {account: A, subject: x}, allow_trace: true}`),
			`e.conf:1:111: "allow_trace" is not supported by jsnode yet`},
	})
}

func TestMappingErrors(t *testing.T) {
	checkErrors(t, []errCase{
		{"invalid source", `mappings { "a..b": c }`, `e.conf:1:12: Subject "a..b" is not a valid subject`},
		{"value type", `mappings { a: 5 }`, `e.conf:1:15: Unknown type int64 for mapping destination`},
		{"entry not a map", `mappings { a: [5] }`, `e.conf:1:16: Expected an entry for the mapping destination`},
		{"unknown entry key", `mappings { a: [{dest: b, weight: 50, foo: 1}] }`, `e.conf:1:43: Unknown field "foo" for mapping destination`},
		{"missing weight", `mappings { a: [{dest: b}] }`, `e.conf:1:16: Missing weight for mapping destination "b"`},
		{"weight too high", `mappings { a: [{dest: b, weight: 101}] }`, `e.conf:1:34: Invalid weight 101 for mapping destination`},
		{"weight negative", `maps { a: {dest: b, weight: "-1%"} }`, `e.conf:1:29: Invalid weight -1 for mapping destination`},
		{"weight not a number", `mappings { a: [{dest: b, weight: "x%"}] }`, `e.conf:1:34: Invalid weight "x" for mapping destination`},
		{"weight type", `mappings { a: [{dest: b, weight: true}] }`, `e.conf:1:34: Unknown entry type for weight of true`},
		{"transform error", `mappings { a: "b.$1" }`,
			`e.conf:1:15: Error adding mapping for "a" to "b.$1" : invalid mapping destination: wildcard index out of range in $1`},
		{"total weight", `mappings { a: [{dest: b, weight: 60}, {dest: c, weight: 60}] }`,
			`e.conf:1:15: Error adding mapping for "a" : total weight needs to be <= 100`},
		{"duplicate destination", `accounts { A: { mappings: { a: [{dest: b, weight: 10}, {dest: b, weight: 20}] } } }`,
			`e.conf:1:32: Error adding mapping for "a" : duplicate entry for "b"`},
		{"not a map", `mappings: [a]`, `e.conf:1:11: expected a map, found array`},
	})
}

// Errors of the load-time pass carry the position of the accounts block,
// as in nats-server; several are reported together.
func TestAccountLoadErrors(t *testing.T) {
	const pos = "e.conf:1:10: "
	checkErrors(t, []errCase{
		{"stream export to unknown account", `accounts { A: { exports: [{stream: x, accounts: [B, Z]}] }, B: {} }`,
			pos + `"Z" account not defined for stream export`},
		{"service export to unknown account", `accounts { A: { exports: [{service: x, accounts: [Z]}] } }`,
			pos + `"Z" account not defined for service export`},
		{"bad token position", `accounts { A: { exports: [{service: "svc.x", account_token_position: 2}] } }`,
			pos + `Error adding service export "svc.x": sublist: invalid subject`},
		{"negative token position", `accounts { A: { exports: [{stream: "s.*", account_token_position: -1}] } }`,
			pos + `Error adding stream export "s.*": sublist: invalid subject`},
		{"stream import from unknown account", `accounts { B: { imports: [{stream: {account: Z, subject: x}}] } }`,
			pos + `"Z" account not defined for stream import`},
		{"service import from unknown account", `accounts { B: { imports: [{service: {account: Z, subject: x}}] } }`,
			pos + `"Z" account not defined for service import`},
		{"import wider than export", `accounts { A: { exports: [{stream: "foo.*"}] }, B: { imports: [{stream: {account: A, subject: "foo.>"}}] } }`,
			pos + `Error adding stream import "foo.>": stream import not authorized`},
		{"not approved", `accounts { A: { exports: [{service: s, accounts: [C]}] }, B: { imports: [{service: {account: A, subject: s}}] }, C: {} }`,
			pos + `Error adding service import "s": service import not authorized`},
		{"token position names another account", `accounts { A: { exports: [{service: "svc.*.info", account_token_position: 2}] }, B: { imports: [{service: {account: A, subject: "svc.C.info"}}] } }`,
			pos + `Error adding service import "svc.C.info": service import not authorized`},
		{"nothing exported", `accounts { A: {}, B: { imports: [{stream: {account: A, subject: x}}] } }`,
			pos + `Error adding stream import "x": stream import not authorized`},
		{"wildcard prefix", `accounts { A: { exports: [{stream: x}] }, B: { imports: [{stream: {account: A, subject: x}, prefix: "p.*"}] } }`,
			pos + `Error adding stream import "x": stream import prefix can not contain wildcard tokens`},
		{"duplicate stream import", `accounts { A: { exports: [{stream: x}] }, B: { imports: [{stream: {account: A, subject: x}, prefix: p}, {stream: {account: A, subject: x}, prefix: q}] } }`,
			pos + `Error adding stream import "x": stream import already exists`},
		{"service cycle", `accounts { A: { exports: [{service: foo}], imports: [{service: {account: B, subject: foo}}] }, B: { exports: [{service: foo}], imports: [{service: {account: A, subject: foo}}] } }`,
			pos + `Error adding service import "foo": import forms a cycle`},
		{"stream cycle", `accounts { A: { exports: [{stream: foo}], imports: [{stream: {account: B, subject: foo}}] }, B: { exports: [{stream: foo}], imports: [{stream: {account: A, subject: foo}}] } }`,
			pos + `Error adding stream import "foo": import forms a cycle`},
		{"stream transform", `accounts { A: { exports: [{stream: "x.*"}] }, B: { imports: [{stream: {account: A, subject: "x.*"}, to: "y.{{partition(2,1)}}"}] } }`,
			pos + `Error adding stream import "x.*": failed to create mapping transform for stream import subject from "x.*" to "y.{{partition(2,1)}}": ` +
				`invalid mapping destination: the only mapping function allowed for import transforms is {{Wildcard()}} in {{partition(2,1)}}`},
		{"service transform", `accounts { A: { exports: [{service: "svc.*"}] }, B: { imports: [{service: {account: A, subject: "svc.*"}, to: local}] } }`,
			pos + `Error adding service import "svc.*": failed to create mapping transform for service import subject from "local" to "svc.*": ` +
				`invalid mapping destination: not using all of the token wildcard(s) in local`},
		{"invalid import subject", `accounts { A: { exports: [{service: ">"}] }, B: { imports: [{service: {account: A, subject: "a..b"}}] } }`,
			pos + `Error adding service import "a..b": sublist: invalid subject`},
		{"token and accounts", `authorization { token: t }` + "\n" + `accounts { A: { users: [{user: a, password: b}] } }`,
			`e.conf:2:10: Can not have a token and accounts`},
		{"single user and accounts", `authorization { user: x, password: y }` + "\n" + `accounts { A: { users: [{user: a, password: b}] } }`,
			`e.conf:2:10: Can not have a single user/pass and accounts`},
		{"two errors", `accounts { A: { exports: [{stream: x, accounts: [Y]}, {service: s, accounts: [Z]}] } }`,
			pos + `"Y" account not defined for stream export` + "\n" + pos + `"Z" account not defined for service export`},
	})
}

// The start-up checks carry no position, as nats-server reports them when
// the server starts rather than while reading the file.
func TestSystemAccountAndNoAuthUserErrors(t *testing.T) {
	checkErrors(t, []errCase{
		{"unknown system account", "accounts: [A]\nsystem_account: NOPE", `error resolving system account: account missing`},
		{"system account without accounts", `system_account: "$SYS"`, `error resolving system account: account missing`},
		{"no_auth_user without users", "no_auth_user: x", `no_auth_user: "x" present, but users/nkeys are not defined`},
		{"no_auth_user unknown", "no_auth_user: x\naccounts { A: { users: [{user: a, password: b}] } }",
			`no_auth_user: "x" not present as user or nkey in authorization block or account configuration`},
	})
}
