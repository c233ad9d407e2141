package server

import (
	"strings"
	"testing"
)

// accountMesh starts n1 and n2 clustered, both with twoAccounts.
func accountMesh(t *testing.T) *mesh {
	m := newMesh(t)
	for _, h := range []string{"n1", "n2"} {
		o := clusterOpts(h)
		if h == "n2" {
			o = clusterOpts(h, "n1")
		}
		acc := twoAccounts()
		o.Auth, o.Accounts = acc.Auth, acc.Accounts
		m.start(h, o)
	}
	m.expectRoutes(1, "n1", "n2")
	return m
}

// login connects a client of host as user/pass.
func (m *mesh) login(host, user string) *tclient {
	m.t.Helper()
	tc := m.dialTest(host + ":4222")
	tc.send(`CONNECT {"verbose":false,"pedantic":false,"protocol":1,"headers":true,"no_responders":true,` +
		`"user":"` + user + `","pass":"` + user + `"}` + "\r\nPING\r\n")
	if !strings.Contains(string(tc.out), "PONG\r\n") {
		m.t.Fatalf("%s: no PONG from %s: %q", user, host, tc.out)
	}
	tc.out = nil
	return tc
}

func TestAccountsAcrossRoutes(t *testing.T) {
	m := accountMesh(t)
	a1 := m.login("n1", "a")
	b2 := m.login("n2", "b")
	g2 := m.login("n2", "g")
	b2.send("SUB from_a.> 1\r\nSUB x 2\r\nPING\r\n")
	g2.send("SUB x 1\r\nSUB pub.> 2\r\nPING\r\n")
	b2.take()
	g2.take()
	a1.send("PUB pub.1 2\r\nhi\r\nPUB x 2\r\nno\r\nPING\r\n")
	m.pump()
	if got := b2.msgs(); len(got) != 1 || got[0] != "from_a.pub.1 1  hi" {
		t.Fatalf("B on n2 got %q, want only the imported from_a.pub.1", got)
	}
	if got := g2.msgs(); len(got) != 0 {
		t.Fatalf("$G on n2 got %q from account A", got)
	}
}

func TestAccountsServiceImportAcrossRoutes(t *testing.T) {
	m := accountMesh(t)
	a2 := m.login("n2", "a")
	b1 := m.login("n1", "b")
	a2.send("SUB svc.echo 1\r\nPING\r\n")
	a2.take()
	m.pump()
	b1.send("SUB _INBOX.9 7\r\nPUB echo _INBOX.9 4\r\nping\r\nPING\r\n")
	m.pump()
	req := a2.msgs()
	if len(req) != 1 || !strings.HasPrefix(req[0], "svc.echo 1 _R_.") {
		t.Fatalf("responder on n2 got %q", req)
	}
	reply := strings.Fields(req[0])[2]
	b1.take()
	a2.send("PUB " + reply + " 4\r\npong\r\nPING\r\n")
	m.pump()
	if got := b1.msgs(); len(got) != 1 || got[0] != "_INBOX.9 7  pong" {
		t.Fatalf("requester on n1 got %q, want one reply", got)
	}
}

func TestAccountRouteTrafficCounted(t *testing.T) {
	m := accountMesh(t)
	a1 := m.login("n1", "a")
	a2 := m.login("n2", "a")
	a2.send("SUB t 1\r\nPING\r\n")
	m.pump()
	a1.send("PUB t 3\r\nabc\r\nPING\r\n")
	m.pump()
	in := m.servers["n2"].Account("A").stat().Received.Routes
	out := m.servers["n1"].Account("A").stat().Sent.Routes
	if in.Msgs != 1 || in.Bytes != 3 || out.Msgs != 1 || out.Bytes != 3 {
		t.Fatalf("A's route traffic: n2 received %+v, n1 sent %+v; want 1 message of 3 bytes each", in, out)
	}
}

// The same interest in two accounts is listed in one fixed order by
// /routez, whatever the map order.
func TestRoutezOrdersInterestByAccount(t *testing.T) {
	m := accountMesh(t)
	for _, u := range []string{"a", "b", "g"} {
		c := m.login("n2", u)
		c.send("SUB same.subject 1\r\nPING\r\n")
	}
	m.pump()
	link := routeTo(m.servers["n1"], "n2").route
	for i := 0; i < 20; i++ { // map order varies from call to call
		var got []string
		for _, rs := range routeSubsInOrder(link) {
			if rs.subject == "same.subject" {
				got = append(got, rs.acc.name)
			}
		}
		if strings.Join(got, ",") != "$G,A,B" {
			t.Fatalf("accounts of same.subject in /routez order: %v, want $G,A,B", got)
		}
	}
}
