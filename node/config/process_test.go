package config

import (
	"strings"
	"testing"

	"jsnode/node/conf"
	"jsnode/node/server"
)

func TestLogRotationKeys(t *testing.T) {
	for _, c := range []struct {
		text  string
		limit int64
		num   int
	}{
		{"logfile_size_limit: 1MB\nlogfile_max_num: 5\n", 1 << 20, 5},
		{"log_size_limit: 4096\nlog_max_num: 2\n", 4096, 2},
		{"log_file: x.log\n", 0, 0},
	} {
		var p Process
		if err := LoadString("n.conf", c.text, conf.Options{}, &server.Options{}, &p); err != nil {
			t.Fatalf("%q: %v", c.text, err)
		}
		if p.LogSizeLimit != c.limit || p.LogMaxNum != c.num {
			t.Errorf("%q: limit %d max %d, want %d %d", c.text, p.LogSizeLimit, p.LogMaxNum, c.limit, c.num)
		}
	}
	err := LoadString("n.conf", "logfile_max_num: \"many\"\n", conf.Options{}, &server.Options{}, &Process{})
	if err == nil || !strings.Contains(err.Error(), "n.conf:1:") {
		t.Fatalf("bad logfile_max_num: %v", err)
	}
}

// A password or token of the wrong type is refused without printing it.
func TestSecretTypeErrorsHideTheValue(t *testing.T) {
	for _, text := range []string{
		"authorization { user: a, password: 98765432 }\n",
		"authorization { token: 98765432 }\n",
		"authorization { users = [ { user: a, pass: 98765432 } ] }\n",
		"cluster { port: 6222, authorization { user: r, password: 98765432 } }\n",
	} {
		err := LoadString("s.conf", text, conf.Options{}, &server.Options{}, &Process{})
		if err == nil || !strings.Contains(err.Error(), "expected a string, found int") {
			t.Errorf("%q: error %v", text, err)
			continue
		}
		if strings.Contains(err.Error(), "98765432") {
			t.Errorf("%q: error shows the secret: %v", text, err)
		}
	}
}
