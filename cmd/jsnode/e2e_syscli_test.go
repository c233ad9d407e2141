package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"jsnode/node/auth"
	"jsnode/node/server"
)

// End-to-end tests of the system account with the nats CLI v0.5.0 (from
// .tools/, installed by .ci/run and make bench; skipped when absent):
// nats server ping / list / info / report connections against a
// three-node cluster, as a system user and as an ordinary one.

const natsCLIBin = "../../.tools/nats"

// natsCLI returns the CLI's path or skips the test.
func natsCLI(t *testing.T) string {
	t.Helper()
	bin, err := filepath.Abs(natsCLIBin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("nats CLI not available at %s: %v", bin, err)
	}
	return bin
}

// sysClusterOpts adds a system account SYS (user sys) and an account APP
// (user app) to a node's options.
func sysClusterOpts(o *server.Options) *server.Options {
	o.Auth = auth.Config{Users: []*auth.User{
		{Username: "sys", Password: "sys", Account: "SYS"},
		{Username: "app", Password: "app", Account: "APP"},
	}}
	o.Accounts = []*server.AccountOpts{{Name: "SYS"}, {Name: "APP"}}
	o.SystemAccount = "SYS"
	return o
}

// runCLI runs the nats CLI against url and returns its combined output.
func runCLI(t *testing.T, bin, url string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--server", url, "--timeout", "3s"}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestE2ESystemAccountWithNatsCLI(t *testing.T) {
	bin := natsCLI(t)
	ports := freePorts(t, 3)
	var nodes []*runningNode
	for i := range ports {
		var others []int
		for j, p := range ports {
			if j != i {
				others = append(others, p)
			}
		}
		n, _ := startTestNode(t, sysClusterOpts(clusterNodeOpts(fmt.Sprintf("n%d", i+1), "sysc", ports[i], others)))
		nodes = append(nodes, n)
	}
	for i, n := range nodes {
		waitFor(t, fmt.Sprintf("n%d routes", i+1), func() bool { return numRoutesOf(t, n) == 2 })
	}
	url := func(user string, n *runningNode) string {
		return strings.Replace(n.ClientURL(), "nats://", "nats://"+user+":"+user+"@", 1)
	}
	sysURL := url("sys", nodes[0])
	// Hold an APP connection on each of two nodes for the reports.
	connect(t, nodes[1], nats.UserInfo("app", "app"))
	connect(t, nodes[2], nats.UserInfo("app", "app"))

	var out string
	waitFor(t, "nats server ping to reach all three servers", func() bool {
		var err error
		out, err = runCLI(t, bin, sysURL, "server", "ping", "3")
		return err == nil && strings.Contains(out, "n1") && strings.Contains(out, "n2") && strings.Contains(out, "n3")
	})
	if strings.Contains(out, "Missing") {
		t.Fatalf("nats server ping reported missing servers:\n%s", out)
	}
	out, err := runCLI(t, bin, sysURL, "server", "list", "3")
	if err != nil || !strings.Contains(out, "sysc") || strings.Count(out, "n1")+strings.Count(out, "n2")+strings.Count(out, "n3") < 3 {
		t.Fatalf("nats server list: %v\n%s", err, out)
	}
	out, err = runCLI(t, bin, sysURL, "server", "info", "n2")
	if err != nil || !strings.Contains(out, "n2") {
		t.Fatalf("nats server info n2: %v\n%s", err, out)
	}
	out, err = runCLI(t, bin, sysURL, "server", "report", "connections", "3")
	if err != nil || !strings.Contains(out, "APP") {
		t.Fatalf("nats server report connections: %v\n%s", err, out)
	}
	for _, req := range [][]string{
		{"connections", `"num_connections"`}, {"subscriptions", `"num_subscriptions"`},
		{"variables", `"server_name"`}, {"routes", `"num_routes"`}, {"accounts", `"accounts"`},
	} {
		out, err = runCLI(t, bin, sysURL, "server", "request", req[0], "--name", "n3")
		if err != nil || !strings.Contains(out, req[1]) || !strings.Contains(out, "n3") {
			t.Fatalf("nats server request %s: %v\n%s", req[0], err, out)
		}
	}
	// An ordinary user does not reach the server-wide requests.
	out, err = runCLI(t, bin, url("app", nodes[0]), "server", "ping", "3")
	if err == nil && !strings.Contains(out, "no results") {
		t.Fatalf("nats server ping as an APP user answered:\n%s", out)
	}
}
