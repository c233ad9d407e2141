package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"jsnode/node/auth"
	"jsnode/node/server"
)

// A mixed cluster with accounts: nats-server v2.15.2 and jsnode route
// the same accounts (A exports a stream and a service, B imports both,
// SYS is the system account) and each side serves imports whose other
// end is on the other server. Skipped when nats-server is absent.

const mixedAccountsConf = `
listen: 127.0.0.1:%d
server_name: ns1
accounts {
  A: { users: [ {user: a, password: a} ], exports: [ {stream: "events.>"}, {service: "time.now"} ] }
  B: { users: [ {user: b, password: b} ]
       imports: [ {stream: {account: A, subject: "events.>"}, prefix: "a"},
                  {service: {account: A, subject: "time.now"}, to: "clock"} ] }
  SYS: { users: [ {user: sys, password: sys} ] }
}
system_account: SYS
cluster { name: mix, listen: 127.0.0.1:%d, routes: [ "nats://127.0.0.1:%d" ] }
`

// startMixedAccounts starts both servers and returns their client URLs
// (nats-server's first).
func startMixedAccounts(t *testing.T) (string, *runningNode) {
	t.Helper()
	natsServerPath(t)
	ports := freePorts(t, 3)
	conf := filepath.Join(t.TempDir(), "ns.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(mixedAccountsConf, ports[0], ports[1], ports[2])), 0o600); err != nil {
		t.Fatal(err)
	}
	runNatsServer(t, "ns1", "-c", conf)
	o := accountOpts(clusterNodeOpts("js1", "mix", ports[2], []int{ports[1]}))
	o.Auth.Users = append(o.Auth.Users, &auth.User{Username: "sys", Password: "sys", Account: "SYS"})
	o.Accounts = append(o.Accounts, &server.AccountOpts{Name: "SYS"})
	o.SystemAccount = "SYS"
	js, _ := startTestNode(t, o)
	waitFor(t, "jsnode to have a route to nats-server", func() bool { return numRoutesOf(t, js) == 1 })
	return "nats://127.0.0.1:" + strconv.Itoa(ports[0]), js
}

func connectURL(t *testing.T, url, user string) *nats.Conn {
	t.Helper()
	var nc *nats.Conn
	waitFor(t, "a connection to "+url, func() bool {
		var err error
		nc, err = nats.Connect(url, nats.UserInfo(user, user))
		return err == nil
	})
	t.Cleanup(nc.Close)
	return nc
}

func TestE2EMixedClusterAccounts(t *testing.T) {
	ns, js := startMixedAccounts(t)
	for _, dir := range []struct {
		name               string
		exporter, importer string
	}{{"exporter on nats-server", ns, js.ClientURL()}, {"exporter on jsnode", js.ClientURL(), ns}} {
		t.Run(dir.name, func(t *testing.T) {
			a := connectURL(t, dir.exporter, "a")
			b := connectURL(t, dir.importer, "b")
			ch := make(chan *nats.Msg, 64)
			if _, err := b.ChanSubscribe("a.events.>", ch); err != nil {
				t.Fatal(err)
			}
			b.Flush()
			awaitRouted(t, a, "events.probe", ch)
			for len(ch) > 0 {
				<-ch
			}
			for i := 0; i < 10; i++ {
				a.Publish("events.x", []byte(strconv.Itoa(i)))
			}
			a.Flush()
			for i := 0; i < 10; i++ {
				select {
				case m := <-ch:
					if m.Subject != "a.events.x" || string(m.Data) != strconv.Itoa(i) {
						t.Fatalf("import %d: %s %q", i, m.Subject, m.Data)
					}
				case <-time.After(waitLimit):
					t.Fatalf("import %d never arrived", i)
				}
			}
			sub, err := a.Subscribe("time.now", func(m *nats.Msg) { m.Respond([]byte("noon")) })
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Unsubscribe()
			a.Flush()
			waitFor(t, "the service import to answer across the route", func() bool {
				m, err := b.Request("clock", nil, 300*time.Millisecond)
				return err == nil && string(m.Data) == "noon"
			})
		})
	}
	// Both servers answer a system PING, whichever one the user is on.
	for _, url := range []string{ns, js.ClientURL()} {
		sys := connectURL(t, url, "sys")
		inbox := nats.NewInbox()
		ch := make(chan *nats.Msg, 8)
		s, _ := sys.ChanSubscribe(inbox, ch)
		var names []string
		waitFor(t, "both servers to answer $SYS.REQ.SERVER.PING via "+url, func() bool {
			names = names[:0]
			sys.PublishRequest("$SYS.REQ.SERVER.PING", inbox, nil)
			deadline := time.After(500 * time.Millisecond)
			for len(names) < 2 {
				select {
				case m := <-ch:
					var r struct{ Server struct{ Name string } }
					json.Unmarshal(m.Data, &r)
					names = append(names, r.Server.Name)
				case <-deadline:
					return false
				}
			}
			return true
		})
		s.Unsubscribe()
		if got := strings.Join(names, ","); !strings.Contains(got, "ns1") || !strings.Contains(got, "js1") {
			t.Fatalf("PING via %s answered by %s, want ns1 and js1", url, got)
		}
	}
}
