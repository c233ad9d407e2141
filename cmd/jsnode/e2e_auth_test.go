package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"golang.org/x/crypto/bcrypt"

	"jsnode/node/auth"
	"jsnode/node/server"
)

// expectAuthFailure checks that connecting with opts is refused.
func expectAuthFailure(t *testing.T, n *runningNode, opts ...nats.Option) {
	t.Helper()
	nc, err := nats.Connect(n.ClientURL(), append(opts, nats.NoReconnect())...)
	if err == nil {
		nc.Close()
		t.Fatal("connection accepted")
	}
	if !errors.Is(err, nats.ErrAuthorization) && !strings.Contains(strings.ToLower(err.Error()), "authorization violation") {
		t.Fatalf("error %v, want an authorization violation", err)
	}
}

func TestE2ETokenAuth(t *testing.T) {
	n, _ := startTestNode(t, &server.Options{Auth: auth.Config{Token: "s3cret"}})
	connect(t, n, nats.Token("s3cret"))
	expectAuthFailure(t, n, nats.Token("wrong"))
	expectAuthFailure(t, n)
}

func TestE2EUserPasswordAndBcrypt(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("hashed-pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := startTestNode(t, &server.Options{Auth: auth.Config{Users: []*auth.User{
		{Username: "plain", Password: "pw"},
		{Username: "hashed", Password: string(hash)},
	}}})
	connect(t, n, nats.UserInfo("plain", "pw"))
	connect(t, n, nats.UserInfo("hashed", "hashed-pw"))
	expectAuthFailure(t, n, nats.UserInfo("plain", "nope"))
	expectAuthFailure(t, n, nats.UserInfo("hashed", string(hash)))
}

func TestE2ENkeyAuth(t *testing.T) {
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := kp.PublicKey()
	n, _ := startTestNode(t, &server.Options{Auth: auth.Config{Nkeys: []*auth.NkeyUser{{Nkey: pub}}}})
	connect(t, n, nats.Nkey(pub, kp.Sign))
	other, _ := nkeys.CreateUser()
	expectAuthFailure(t, n, nats.Nkey(pub, other.Sign))
}

func TestE2EPermissionViolations(t *testing.T) {
	perms := &auth.Permissions{
		Publish:   &auth.SubjectPermission{Allow: []string{"allowed.>", "_INBOX.>"}},
		Subscribe: &auth.SubjectPermission{Deny: []string{"secret.>"}},
	}
	n, log := startTestNode(t, &server.Options{Auth: auth.Config{Users: []*auth.User{
		{Username: "u", Password: "p", Permissions: perms},
	}}})
	errs := make(chan error, 4)
	nc := connect(t, n, nats.UserInfo("u", "p"),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err }))
	nc.Publish("forbidden", nil)
	nextErr := func() error {
		select {
		case err := <-errs:
			return err
		case <-time.After(waitLimit):
			t.Fatal("no async error")
		}
		return nil
	}
	err := nextErr()
	if !errors.Is(err, nats.ErrPermissionViolation) || !strings.Contains(err.Error(), `Permissions Violation for Publish to "forbidden"`) {
		t.Fatalf("publish violation: %v", err)
	}
	nc.SubscribeSync("secret.plans")
	err = nextErr()
	if !strings.Contains(err.Error(), `Permissions Violation for Subscription to "secret.plans"`) {
		t.Fatalf("subscribe violation: %v", err)
	}
	// The connection survives and allowed traffic flows.
	sub, _ := nc.SubscribeSync("allowed.x")
	nc.Publish("allowed.x", []byte("ok"))
	if m, err := sub.NextMsg(waitLimit); err != nil || string(m.Data) != "ok" {
		t.Fatalf("allowed traffic: %v, %v", m, err)
	}
	log.waitLog(t, `Publish Violation - Subject "forbidden"`)
}

func TestE2EAllowResponses(t *testing.T) {
	svcPerms := &auth.Permissions{
		Publish:   &auth.SubjectPermission{Deny: []string{">"}},
		Subscribe: &auth.SubjectPermission{Allow: []string{"svc.>"}},
		Response:  &auth.ResponsePermission{},
	}
	n, _ := startTestNode(t, &server.Options{Auth: auth.Config{Users: []*auth.User{
		{Username: "svc", Password: "p", Permissions: svcPerms},
		{Username: "cli", Password: "p"},
	}}})
	errs := make(chan error, 4)
	svc := connect(t, n, nats.UserInfo("svc", "p"),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err }))
	svc.Subscribe("svc.echo", func(m *nats.Msg) { m.Respond(append([]byte("re:"), m.Data...)) })
	svc.Flush()
	cli := connect(t, n, nats.UserInfo("cli", "p"))
	resp, err := cli.Request("svc.echo", []byte("hi"), waitLimit)
	if err != nil || string(resp.Data) != "re:hi" {
		t.Fatalf("request through allow_responses: %v, %v", resp, err)
	}
	// Anything else the responder publishes is refused.
	svc.Publish("svc.other", nil)
	select {
	case err := <-errs:
		if !strings.Contains(err.Error(), `Publish to "svc.other"`) {
			t.Fatalf("unexpected error %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("responder published outside its responses")
	}
}
