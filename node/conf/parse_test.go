package conf

import (
	"strings"
	"testing"
)

func TestParseTestdataFiles(t *testing.T) {
	env := envMap(map[string]string{"SYS_PASS": "hunter2", "FROM_ENV": "1k"})
	tests := []struct {
		file string
		want string
	}{
		{"testdata/server.conf", `{port=4222 host="localhost" server_name="n1" max_payload=1048576 ` +
			`max_pending=65536 write_deadline="10s" ping_interval="2m" debug=false trace=false ` +
			`authorization={timeout=f:0.5 users=[` +
			`{user="a" password="b" permissions={publish={allow=["x.>"]} subscribe=["y"]}} ` +
			`{user="svc" password="s3cr#t;pw" permissions={publish={deny=["admin.>" "$SYS.>"]}}}]} ` +
			`cluster={name="c" listen="0.0.0.0:6222" routes=["nats-route://h1:6222" "nats-route://h2:6222"]} ` +
			`jetstream={store_dir="/data" max_mem=1000000000 max_file=10737418240} ` +
			`accounts={APP={jetstream="enabled" users=[{user="app1" password="pw1"} {user="app2" password="pw2"}]} ` +
			`SYS={users=[{user="sys" password="hunter2"}]}} system_account="SYS"}`},
		{"testdata/separators.conf", `{a=1 b=2 c=3 d=4 e=5 f=6 "quoted key"=true "single key"=false ` +
			`nested={x=1 y="two" z=f:3} nested2={} spaced="v"}`},
		{"testdata/variables.conf", `{size=2048 name="top" inner={copy=2048 name="inner" ` +
			`deeper={who="inner" env=1000} list=["inner" 2048]} again="top" ` +
			`hash="$2a$11$abcdefghijklmnopqrstuv"}`},
		{"testdata/comments.conf", `{a=1 b=2 url="nats://h:4222" list=[1 2] m={k="v"}}`},
		{"testdata/wrapped.conf", `{port=4222 cluster={name="c" routes=["nats://a:6222" "nats://b:6222"]} debug=true}`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m, err := ParseFile(tt.file, Options{Source: osSource, Env: env})
			if err != nil {
				t.Fatal(err)
			}
			if got := dumpMap(m); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestParseSnippets(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"listen host:port", "listen: 127.0.0.1:4222\nhost: localhost", `{listen="127.0.0.1:4222" host="localhost"}`},
		{"bare host:port", "listen: localhost:4222", `{listen="localhost:4222"}`},
		{"url value", "url = nats://user:pw@h1:4222/x", `{url="nats://user:pw@h1:4222/x"}`},
		{"decimal suffixes", "a: 1k\nb: 2M\nc: 3g\nd: 1t\ne: 1p\nf: 1e",
			`{a=1000 b=2000000 c=3000000000 d=1000000000000 e=1000000000000000 f=1000000000000000000}`},
		{"binary suffixes", "a: 1kb\nb: 1KB\nc: 1KiB\nd: 1ki\ne: 2mb\nf: 1GiB\ng: 1tb\nh: 1Pi\ni: 1eb",
			`{a=1024 b=1024 c=1024 d=1024 e=2097152 f=1073741824 g=1099511627776 h=1125899906842624 i=1152921504606846976}`},
		{"negative and zero", "a: -5\nb: -2k\nc: 0\nd: 007", `{a=-5 b=-2000 c=0 d=7}`},
		{"floats", "a: 1.5\nb: -0.25\nc: 10.0", `{a=f:1.5 b=f:-0.25 c=f:10}`},
		{"digit-led strings", "a: 10s\nb: 1h30m\nc: 1.2.3\nd: 1e5\ne: 1kbb\nf: 1.5GB",
			`{a="10s" b="1h30m" c="1.2.3" d="1e5" e="1kbb" f="1.5GB"}`},
		{"booleans any case", "a: TRUE\nb: Yes\nc: on\nd: False\ne: NO\nf: Off\ng: \"true\"",
			`{a=true b=true c=true d=false e=false f=false g="true"}`},
		{"double-quoted escapes", `a: "t\tn\nr\rq\"b\\x\x41u\u00e9"`, `{a="t\tn\nr\rq\"b\\xAué"}`},
		{"single-quoted raw", `a: 'no \t escapes "here"'`, `{a="no \\t escapes \"here\""}`},
		{"bare escapes", `a: x\ty`, `{a="x\ty"}`},
		{"multi-line strings", "a: \"l1\nl2\"\nb: 'l3\nl4'", `{a="l1\nl2" b="l3\nl4"}`},
		{"block string", "a: (\nline one\n  line (two)\n)\nb: 1", `{a="\nline one\n  line (two)" b=1}`},
		{"semicolons", "a: 1;\nb: \"x\"; c: 2;", `{a=1 b="x" c=2}`},
		{"arrays newlines and commas", "a: [\n 1,\n 2\n\n 3,\n]\nb: [x, y,]\nc: []\nd: [[1, 2], [], [[3]]]",
			`{a=[1 2 3] b=["x" "y"] c=[] d=[[1 2] [] [[3]]]}`},
		{"array of maps", "u: [{a: 1}, {b: 2}\n{c: 3}]", `{u=[{a=1} {b=2} {c=3}]}`},
		{"indentation only", "   a: 1\n\tb: 2\n      c {\n d: 3\n }\n", `{a=1 b=2 c={d=3}}`},
		{"brace on the next line", "auth\n{\n  user: a\n}", `{auth={user="a"}}`},
		{"map without separator", "m {a=1}\nn:{b=2}\no={c=3}", `{m={a=1} n={b=2} o={c=3}}`},
		{"duplicate key later wins, first place kept", "a: 1\nb: 2\na: 3", `{a=3 b=2}`},
		{"include as an ordinary key", "include = 1\nInclude: 2", `{include=1 Include=2}`},
		{"odd key characters", "a.b-c_d/e$f: 1\n\"with space\": 2\n'it\"s': 3",
			`{a.b-c_d/e$f=1 "with space"=2 "it\"s"=3}`},
		{"empty input", "", `{}`},
		{"only comments", "# nothing\n// here\n", `{}`},
		{"crlf line ends", "a: 1\r\nb: [1,\r\n2]\r\n", `{a=1 b=[1 2]}`},
		{"value after newline in a map", "m {\n a =\n 1\n}", `{m={a=1}}`},
		{"hash inside bare value", "p: abc#def", `{p="abc#def"}`},
		{"bcrypt hash is literal", "p: $2a$10$xyz", `{p="$2a$10$xyz"}`},
		{"wrapped twice", "{ a: 1 }\n{ b: 2 }", `{a=1 b=2}`},
		{"top-level commas", "a: 1, b: 2", `{a=1 b=2}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, tt.src, Options{})
			if got := dumpMap(m); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestRawKeepsUnquotedSource(t *testing.T) {
	m := mustParse(t, "a: 2m\nb: \"2m\"\nc: 1MB\nd: yes\ne: host\nf: [1]", Options{})
	for key, want := range map[string]string{"a": "2m", "b": "", "c": "1MB", "d": "yes", "e": "host", "f": ""} {
		if got := get(t, m, key).Raw; got != want {
			t.Errorf("%s: Raw = %q, want %q", key, got, want)
		}
	}
	if got := get(t, m, "a"); got.Kind != KindInt || got.Int != 2000000 {
		t.Errorf("a: got %s %d, want the nats-server size reading 2000000", got.Kind, got.Int)
	}
}

func TestPositions(t *testing.T) {
	src := "a: 1\n  b {\n    c: [x,\n      \"y\"]\n  }\n"
	m := mustParse(t, src, Options{})
	checks := []struct {
		what string
		got  Pos
		line int
		col  int
	}{
		{"a value", get(t, m, "a").Pos, 1, 4},
		{"a key", m.KeyPos("a"), 1, 1},
		{"b key", m.KeyPos("b"), 2, 3},
		{"b map", get(t, m, "b").Pos, 2, 5},
		{"c key", get(t, m, "b").Map.KeyPos("c"), 3, 5},
		{"c array", get(t, m, "b.c").Pos, 3, 8},
		{"c[0]", get(t, m, "b.c.0").Pos, 3, 9},
		{"c[1]", get(t, m, "b.c.1").Pos, 4, 7},
	}
	for _, c := range checks {
		if c.got.File != "test.conf" || c.got.Line != c.line || c.got.Col != c.col {
			t.Errorf("%s at %s, want test.conf:%d:%d", c.what, c.got, c.line, c.col)
		}
	}
}

func TestIncludes(t *testing.T) {
	src := MapSource{
		"etc/main.conf":     "port: 1\nauth {\n  include users.conf\n  extra: $who\n}\ninclude 'sub/more.conf'\nport: 9",
		"etc/users.conf":    "who: alice\nport: 2",
		"etc/sub/more.conf": "include \"../leaf.conf\"\nmore: true",
		"etc/leaf.conf":     "leaf: 1",
		"/abs/x.conf":       "abs: yes",
		"etc/abs.conf":      "include /abs/x.conf",
		"etc/twice.conf":    "include leaf.conf\ninclude leaf.conf",
		"etc/abs2.conf":     "include /abs/../abs/x.conf",
	}
	tests := []struct{ file, want string }{
		{"etc/main.conf", `{port=9 auth={who="alice" port=2 extra="alice"} leaf=1 more=true}`},
		{"etc/abs.conf", `{abs=true}`},
		{"etc/abs2.conf", `{abs=true}`},
		{"etc/twice.conf", `{leaf=1}`},
	}
	for _, tt := range tests {
		m, err := ParseFile(tt.file, Options{Source: src})
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if got := dumpMap(m); got != tt.want {
			t.Errorf("%s: got %s want %s", tt.file, got, tt.want)
		}
	}
	m, err := ParseFile("etc/main.conf", Options{Source: src})
	if err != nil {
		t.Fatal(err)
	}
	if p := get(t, m, "auth.who").Pos; p.File != "etc/users.conf" || p.Line != 1 {
		t.Errorf("included value at %s, want etc/users.conf:1", p)
	}
	if p := get(t, m, "auth").Map.KeyPos("port"); p.File != "etc/users.conf" || p.Line != 2 {
		t.Errorf("included key at %s, want etc/users.conf:2", p)
	}
}

func TestIncludedFileDoesNotSeeIncluderKeys(t *testing.T) {
	src := MapSource{"a.conf": "x: 1\ninclude b.conf", "b.conf": "y: $x"}
	_, err := ParseFile("a.conf", Options{Source: src})
	want := "b.conf:1:4: variable $x is not defined"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to contain %q", err, want)
	}
	if !strings.Contains(err.Error(), "(included from a.conf:2:1)") {
		t.Errorf("err = %v, want the include site", err)
	}
}

func TestVariables(t *testing.T) {
	env := envMap(map[string]string{
		"NUM": "1k", "LIST": "[a, 2]", "MAP": "{x: 1}", "STR": "  hello  ", "EMPTY": "",
		"CHAIN": "$NUM", "top": "from-env", "Q": `"quoted value"`,
	})
	src := "top: t\nm {\n  top: m\n  a: $top\n  n { b: $top, c: [ { d: $top } ] }\n}\n" +
		"e: $top\nnum: $NUM\nlist: $LIST\nmap: $MAP\nstr: $STR\nempty: $EMPTY\nchain: $CHAIN\nq: $Q\n" +
		"late: $later\nlater: 1"
	_, err := Parse("v.conf", []byte(src), Options{Env: env})
	if err == nil || !strings.Contains(err.Error(), "v.conf:15:7: variable $later is not defined") {
		t.Fatalf("forward reference: err = %v", err)
	}
	src = strings.Replace(src, "late: $later\n", "", 1)
	m := mustParse(t, src, Options{Env: env})
	want := `{top="t" m={top="m" a="m" n={b="m" c=[{d="m"}]}} e="t" num=1000 list=["a" 2] map={x=1} ` +
		`str="hello" empty="" chain=1000 q="quoted value" later=1}`
	if got := dumpMap(m); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if p := get(t, m, "m.a").Pos; p.Line != 4 || p.Col != 6 {
		t.Errorf("variable use positioned at %s, want its reference 4:6", p)
	}
	if p := get(t, m, "map").Pos; p.Line != 10 || p.Col != 6 {
		t.Errorf("env value positioned at %s, want its reference 10:6", p)
	}
}

func TestEnvironmentOnlyAsFallback(t *testing.T) {
	env := envMap(map[string]string{"x": "env"})
	m := mustParse(t, "x: file\ny: $x", Options{Env: env})
	if got := get(t, m, "y").Str; got != "file" {
		t.Errorf("y = %q, want the file's own key to shadow the environment", got)
	}
	m = mustParse(t, "y: $x", Options{Env: env})
	if got := get(t, m, "y").Str; got != "env" {
		t.Errorf("y = %q, want the environment value", got)
	}
}

func TestParseIsDeterministic(t *testing.T) {
	src := "b: 1\na: 2\nc { z: 1, y: 2, x: [3, 2, 1] }\nd: 1\n"
	first := dumpMap(mustParse(t, src, Options{}))
	for i := 0; i < 20; i++ {
		if got := dumpMap(mustParse(t, src, Options{})); got != first {
			t.Fatalf("run %d gave %s, first gave %s", i, got, first)
		}
	}
	if first != `{b=1 a=2 c={z=1 y=2 x=[3 2 1]} d=1}` {
		t.Errorf("keys not in file order: %s", first)
	}
}
