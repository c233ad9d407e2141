package redact

import (
	"encoding/json"
	"testing"
)

func TestConnectVariants(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"pass", `{"user":"derek","pass":"s3cr3t"}`, `{"user":"derek","pass":"[REDACTED]"}`},
		{"auth_token", `{"verbose":false,"auth_token":"s3cr3t"}`, `{"verbose":false,"auth_token":"[REDACTED]"}`},
		{"space before colon", `{"pass" : "s3cr3t"}`, `{"pass" : "[REDACTED]"}`},
		{"spaces everywhere", "{ \"pass\"\t:\n \"s3cr3t\" , \"user\" : \"u\" }", "{ \"pass\"\t:\n \"[REDACTED]\" , \"user\" : \"u\" }"},
		{"duplicated pass", `{"pass":"one","pass":"two"}`, `{"pass":"[REDACTED]","pass":"[REDACTED]"}`},
		{"escaped key", `{"p\u0061ss":"s3cr3t"}`, `{"p\u0061ss":"[REDACTED]"}`},
		{"escaped value", `{"pass":"s3\"cr\\3t\u00e9"}`, `{"pass":"[REDACTED]"}`},
		{"upper-case key", `{"PASS":"s3cr3t","Auth_Token":"t0k"}`, `{"PASS":"[REDACTED]","Auth_Token":"[REDACTED]"}`},
		{"unicode folding", `{"paſſ":"s3cr3t"}`, `{"paſſ":"[REDACTED]"}`},
		{"nkey signature and jwt", `{"nkey":"UABC","sig":"c2ln","jwt":"eyJ0"}`, `{"nkey":"UABC","sig":"[REDACTED]","jwt":"[REDACTED]"}`},
		{"number value", `{"pass":12345}`, `{"pass":"[REDACTED]"}`},
		{"object value", `{"pass":{"a":["s3cr3t",1]},"name":"n"}`, `{"pass":"[REDACTED]","name":"n"}`},
		{"nested object", `{"x":{"y":[{"pass":"s3cr3t"}]},"auth_token":"t"}`, `{"x":{"y":[{"pass":"[REDACTED]"}]},"auth_token":"[REDACTED]"}`},
		{"secret-looking value of another key", `{"name":"pass","lang":"go"}`, `{"name":"pass","lang":"go"}`},
		{"empty", `{}`, `{}`},
		{"no secrets", `{"verbose":true,"pedantic":false,"name":"x"}`, `{"verbose":true,"pedantic":false,"name":"x"}`},
		{"not json", `{pass:s3cr3t`, Marker},
		{"trailing data", `{"user":"u"} {"pass":"s3cr3t"}`, Marker},
		{"invalid escape", `{"pass":"s3\qcr3t"}`, Marker},
		{"empty argument", ``, Marker},
	} {
		if got := Connect([]byte(c.in)); got != c.want {
			t.Errorf("%s: Connect(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestConnectOutputIsValidJSON(t *testing.T) {
	out := Connect([]byte(`{"echo":true,"pass":"p","user":"u","sig":"s","tls_required":false}`))
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("output %q is not JSON: %v", out, err)
	}
	if m["pass"] != Marker || m["sig"] != Marker || m["user"] != "u" || m["echo"] != true {
		t.Fatalf("decoded output %v", m)
	}
}

func TestURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"nats://user:pass@127.0.0.1:6222", "nats://user:xxxxx@127.0.0.1:6222"},
		{"nats-route://ruser:T0pS3cr3t@host:4244/", "nats-route://ruser:xxxxx@host:4244/"},
		{"nats://user@host:4222", "nats://user@host:4222"},
		{"nats://host:4222", "nats://host:4222"},
		{"nats://u:p@ss@host:4222", "nats://u:xxxxx@host:4222"},
		{"nats://u:pa ss@ho st:bad", "nats://u:xxxxx@ho st:bad"},
		{"user:pass@host:4222", "user:xxxxx@host:4222"},
		{"tls://u:%70ass@h:1", "tls://u:xxxxx@h:1"},
		{"", ""},
	} {
		if got := URL(c.in); got != c.want {
			t.Errorf("URL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
