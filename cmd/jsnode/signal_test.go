package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSignalArgumentErrorsAsNatsServer(t *testing.T) {
	none := func() ([]int, error) { return nil, nil }
	two := func() ([]int, error) { return []int{101, 202}, nil }
	// A pid above Linux's pid_max: no such process, nothing is signalled.
	const gone = 1 << 30
	cases := []struct {
		arg  string
		find func() ([]int, error)
		want string
	}{
		{"reload=1=2", none, "invalid signal parameters: [2]"},
		{"reload=abc", none, "invalid pid: abc"},
		{"reload", none, "no jsnode processes running"},
		{"reload", two, "multiple jsnode processes running:\n101\n202"},
		{"bogus=1", none, `unknown signal "bogus"`},
		{"reload=1073741824", none, `signal "reload" 1073741824: no such process`},
		{"reload=10737*", func() ([]int, error) { return []int{gone, 55}, nil }, `signal "reload" 1073741824: no such process`},
	}
	for _, tc := range cases {
		command, pid, err := splitSignalArg(tc.arg)
		if err == nil {
			err = sendSignal(command, pid, tc.find)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--signal %s: %v, want %q", tc.arg, err, tc.want)
		}
	}
}

func TestSignalReadsAPidFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "jsnode.pid")
	os.WriteFile(f, []byte("1234\n"), 0o644)
	command, pid, err := splitSignalArg("ldm=" + f)
	if err != nil || command != "ldm" || pid != "1234" {
		t.Fatalf("got %q %q %v, want ldm 1234", command, pid, err)
	}
	if _, pid, _ := splitSignalArg("ldm=" + f + ".missing"); pid != f+".missing" {
		t.Fatalf("a missing file is not taken as the pid: %q", pid)
	}
}

func TestReloadWithoutConfigFile(t *testing.T) {
	r := &reloader{cl: &cmdline{set: map[string]bool{}}}
	if err := r.tryReload(); err != errNoConfigFile {
		t.Fatalf("reload without -c: %v", err)
	}
	if errNoConfigFile.Error() != "can only reload config when a file is provided using -c or --config" {
		t.Fatal("not nats-server's text")
	}
}
