package config

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"jsnode/node/conf"
	"jsnode/node/server"
)

// keyTemplates place a snippet (%s) in its block, with what the block
// needs around it to be valid.
var keyTemplates = map[string]string{
	"top":                   "%s",
	"cluster":               "cluster { %s }",
	"cluster_authorization": "cluster { port: 6222, authorization { %s } }",
	"authorization":         "authorization { %s }",
	"user":                  "authorization { users: [ { %s } ] }",
	"permissions":           "authorization { permissions { %s } }",
	"subject_permission":    "authorization { permissions { publish { %s } } }",
	"allow_responses":       "authorization { permissions { allow_responses { %s } } }",
	"account":               "accounts { A: { %s } }",
	"account_limits":        "accounts { A: { limits: { %s } } }",
	"export":                "accounts { A: { exports: [ { %s } ] }, B: {} }",
	"import":                `accounts { A: { exports: [ {stream: "s.>"}, {service: "svc"} ] }, B: { imports: [ { %s } ] } }`,
	"import_source":         `accounts { A: { exports: [ {service: "svc"} ] }, B: { imports: [ { service: { %s } } ] } }`,
	"mapping_dest":          "mappings { a: [ { %s } ] }",
}

type natsKey struct {
	line                        int
	block, key, snippet, refuse string
}

// readNatsKeys loads testdata/nats-server-keys.txt.
func readNatsKeys(t *testing.T) []natsKey {
	f, err := os.Open("testdata/nats-server-keys.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var keys []natsKey
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cols := strings.Split(text, "\t")
		if len(cols) < 3 || len(cols) > 4 {
			t.Fatalf("line %d: want 3 or 4 tab-separated columns: %q", n, text)
		}
		k := natsKey{line: n, block: cols[0], key: cols[1], snippet: strings.ReplaceAll(cols[2], `\n`, "\n")}
		if len(cols) == 4 {
			k.refuse = cols[3]
		}
		keys = append(keys, k)
	}
	return keys
}

// Every key nats-server accepts is either read or refused as not
// supported yet, never reported as an unknown field.
func TestEveryNatsServerKeyIsAnswered(t *testing.T) {
	keys := readNatsKeys(t)
	if len(keys) < 200 {
		t.Fatalf("only %d keys read", len(keys))
	}
	accepted, refused := 0, 0
	for _, k := range keys {
		tmpl, ok := keyTemplates[k.block]
		if !ok {
			t.Fatalf("line %d: no template for block %q", k.line, k.block)
		}
		if !strings.Contains(k.snippet, k.key+":") {
			t.Fatalf("line %d: snippet %q does not set %q", k.line, k.snippet, k.key)
		}
		text := strings.Replace(tmpl, "%s", k.snippet, 1)
		var o server.Options
		err := LoadString("k.conf", text, conf.Options{}, &o, &Process{})
		switch {
		case err == nil && k.refuse == "":
			accepted++
		case err == nil:
			t.Errorf("%s %s: accepted, want nats-server's refusal %q", k.block, k.key, k.refuse)
		case k.refuse != "" && strings.HasSuffix(err.Error(), ": "+k.refuse):
			refused++
		case strings.HasSuffix(err.Error(), `: "`+k.key+`" is not supported by jsnode yet`):
			refused++
		default:
			t.Errorf("%s %s: %v\n  config: %s", k.block, k.key, err, text)
		}
	}
	t.Logf("%d keys accepted, %d refused", accepted, refused)
}

// A key nats-server does not know is an unknown field, in every block.
func TestUnknownKeysStayUnknown(t *testing.T) {
	for block, tmpl := range keyTemplates {
		snippet := "bogus_key: 1"
		switch block {
		case "user":
			snippet = "user: u, bogus_key: 1"
		case "export":
			snippet = `stream: "s.>", bogus_key: 1`
		case "import":
			snippet = `stream: {account: A, subject: "s.>"}, bogus_key: 1`
		case "import_source":
			snippet = "account: A, subject: svc, bogus_key: 1"
		case "mapping_dest":
			snippet = "destination: b, weight: 100, bogus_key: 1"
		}
		var o server.Options
		err := LoadString("k.conf", strings.Replace(tmpl, "%s", snippet, 1), conf.Options{}, &o, &Process{})
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), `field "bogus_key"`) &&
			!strings.Contains(strings.ToLower(err.Error()), `field name "bogus_key"`) {
			t.Errorf("%s: %v, want an unknown field error", block, err)
		}
	}
}
