package config

import (
	"strings"
	"testing"
	"time"

	"jsnode/node/conf"
	"jsnode/node/server"
)

const clusterConf = `
port: 4222
cluster {
  name: prod
  listen: 10.0.0.1:6222
  routes: [
    nats-route://ruser:T0p@10.0.0.2:6222
    "nats-route://ruser:T0p@10.0.0.3:6222"
    nats-route://ruser:T0p@10.0.0.3:6222
  ]
  authorization { user: ruser, password: T0p, timeout: 0.5 }
  cluster_advertise: "public.example:16222"
  no_advertise: true
  connect_retries: 5
  connect_backoff: true
  pool_size: 1
  ping_interval: "10s"
  ping_max: 3
  write_deadline: "2s"
}
`

func TestApplyClusterBlock(t *testing.T) {
	var o server.Options
	if err := LoadString("c.conf", clusterConf, conf.Options{}, &o, &Process{}); err != nil {
		t.Fatal(err)
	}
	c := o.Cluster
	checks := []struct {
		name      string
		got, want any
	}{
		{"name", c.Name, "prod"},
		{"host", c.Host, "10.0.0.1"},
		{"port", c.Port, 6222},
		{"routes (duplicates dropped)", strings.Join(c.Routes, ","), "nats-route://ruser:T0p@10.0.0.2:6222,nats-route://ruser:T0p@10.0.0.3:6222"},
		{"user", c.Username, "ruser"},
		{"password", c.Password, "T0p"},
		{"auth timeout", c.AuthTimeout, 500 * time.Millisecond},
		{"advertise", c.Advertise, "public.example:16222"},
		{"no_advertise", c.NoAdvertise, true},
		{"connect_retries", c.ConnectRetries, 5},
		{"connect_backoff", c.ConnectBackoff, true},
		{"pool_size", c.PoolSize, 1},
		{"ping_interval", c.PingInterval, 10 * time.Second},
		{"ping_max", c.MaxPingsOut, 3},
		{"write_deadline", c.WriteDeadline, 2 * time.Second},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestClusterListenForms(t *testing.T) {
	for _, tc := range []struct {
		text string
		host string
		port int
	}{
		{"cluster { listen: 6222 }", "", 6222},
		{"cluster { listen: \":7222\" }", "", 7222},
		{"cluster { host: h, port: 8222 }", "h", 8222},
		{"cluster { port: -1, routes: nats://a:1 }", "", -1},
	} {
		var o server.Options
		if err := LoadString("x.conf", tc.text, conf.Options{}, &o, &Process{}); err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		if o.Cluster.Host != tc.host || o.Cluster.Port != tc.port {
			t.Errorf("%q: host %q port %d", tc.text, o.Cluster.Host, o.Cluster.Port)
		}
	}
}

func TestClusterErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"cluster {\n  nope: 1\n}\n", `c.conf:2:3: unknown field "nope"`},
		{"cluster { name: \"a b\" }", "cluster name cannot contain spaces"},
		{"cluster { pool_size: 3 }", "pool_size 3 is not supported"},
		{"cluster { routes: [\"nats-route://u:secret@host\"] }", "error parsing route url"},
		{"cluster { routes: [\"nats-route://u:secret@host\"] }", "xxxxx"},
		{"cluster { tls { cert_file: x } }", `c.conf:1:11: "tls" is not supported by jsnode yet`},
		{"cluster { compression: s2_auto }", `c.conf:1:11: "compression" is not supported by jsnode yet`},
		{"cluster { authorization { users: [] } }", "does not allow multiple users"},
		{"cluster { authorization { token: t } }", "does not support tokens"},
		{"cluster {\n authorization {\n  bogus: 1 } }", `c.conf:3:3: unknown field "bogus"`},
		{"cluster { ping_interval: [1] }", "c.conf:1:"},
		{"cluster: 5", "c.conf:1:"},
	} {
		var o server.Options
		err := LoadString("c.conf", tc.text, conf.Options{}, &o, &Process{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.text, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: error shows the password: %v", tc.text, err)
		}
	}
}
