package server

import (
	"encoding/json"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"jsnode/node/auth"
)

// A bcrypt check runs through Env.Offload: while it runs, the client's
// later ops wait (nothing is answered and its PUB is not delivered) and
// other clients are served; once it completes, the ops run in order.
func TestCostlyAuthRunsOffTheLoopAndHoldsLaterOps(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, &Options{Auth: auth.Config{Users: []*auth.User{
		{Username: "bob", Password: string(hash)},
		{Username: "sub", Password: "plain"},
	}}})
	var jobs []func()
	w.srv.env.Offload = func(work, done func()) {
		jobs = append(jobs, func() { work(); done() })
	}
	sub := w.dial()
	sub.send(`CONNECT {"user":"sub","pass":"plain","verbose":false}` + "\r\nSUB x 1\r\nPING\r\n")
	sub.expect("PONG\r\n") // a plain password is checked inline
	if len(jobs) != 0 {
		t.Fatalf("%d jobs offloaded for a plain password", len(jobs))
	}

	bob := w.dial()
	js, _ := json.Marshal(map[string]any{"user": "bob", "pass": "pw", "verbose": true})
	bob.send("CONNECT " + string(js) + "\r\nPUB x 2\r\nhi\r\nPING\r\n")
	if len(jobs) != 1 {
		t.Fatalf("%d jobs offloaded, want the one bcrypt check", len(jobs))
	}
	bob.expectNothing()
	sub.expectNothing()
	sub.send("PING\r\n")
	sub.expect("PONG\r\n") // others are served meanwhile

	jobs[0]()
	w.pump()
	bob.expect("+OK\r\n") // CONNECT
	bob.expectNothing()   // the rest waits for the event that resumes input
	w.advance(0)
	bob.expect("+OK\r\n") // PUB
	bob.expect("PONG\r\n")
	sub.expect("MSG x 1 2\r\nhi\r\n")

	// A wrong password is refused when its check completes.
	eve := w.dial()
	eve.send(`CONNECT {"user":"bob","pass":"nope","verbose":false}` + "\r\nPING\r\n")
	eve.expectNothing()
	jobs[1]()
	w.pump()
	eve.expectAll("-ERR 'Authorization Violation'\r\n")
	eve.expectClosed()
}

// A reload that comes while a costly check runs makes the outcome stale:
// the client is checked again against the new configuration.
func TestCostlyAuthIsRedoneAfterAReload(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	users := func(pass string) *Options {
		return &Options{Auth: auth.Config{Users: []*auth.User{{Username: "bob", Password: pass}}}}
	}
	w := newWorld(t, users(string(hash)))
	var jobs []func()
	w.srv.env.Offload = func(work, done func()) {
		jobs = append(jobs, func() { work(); done() })
	}
	bob := w.dial()
	bob.send(`CONNECT {"user":"bob","pass":"pw","verbose":false}` + "\r\nPING\r\n")
	if len(jobs) != 1 {
		t.Fatalf("%d jobs, want 1", len(jobs))
	}
	if err := w.srv.Reload(users("changed")); err != nil {
		t.Fatal(err)
	}
	jobs[0]() // says yes, against the old password
	w.pump()
	bob.expectAll("-ERR 'Authorization Violation'\r\n")
	bob.expectClosed()
}
