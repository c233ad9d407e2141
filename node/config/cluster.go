package config

import (
	"net/url"
	"strings"

	"jsnode/node/conf"
	"jsnode/node/redact"
	"jsnode/node/server"
)

// applyCluster reads a `cluster { }` block.
func applyCluster(v *conf.Value, o *server.Options) error {
	m, err := v.AsMap()
	if err != nil {
		return err
	}
	c := &o.Cluster
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		k := strings.ToLower(key)
		switch k {
		case "name":
			c.Name, err = val.AsString()
			if err == nil && strings.ContainsAny(c.Name, " \t\r\n") {
				err = val.Errorf("cluster name cannot contain spaces")
			}
		case "listen":
			err = applyClusterListen(val, c)
		case "host", "net":
			c.Host, err = val.AsString()
		case "port":
			c.Port, err = asInt(val)
		case "routes":
			c.Routes, err = routeList(val)
		case "authorization":
			err = applyClusterAuth(val, c)
		case "cluster_advertise", "advertise":
			c.Advertise, err = val.AsString()
		case "no_advertise":
			c.NoAdvertise, err = val.AsBool()
		case "connect_retries":
			c.ConnectRetries, err = asInt(val)
		case "connect_backoff":
			c.ConnectBackoff, err = val.AsBool()
		case "pool_size":
			c.PoolSize, err = asInt(val)
			if err == nil && (c.PoolSize < -1 || c.PoolSize > 1) {
				err = val.Errorf("pool_size %d is not supported by jsnode yet (one route per pair of servers: use 1)", c.PoolSize)
			}
		case "ping_interval":
			c.PingInterval, err = val.AsDuration()
		case "ping_max":
			c.MaxPingsOut, err = asInt(val)
		case "write_deadline":
			c.WriteDeadline, err = val.AsDuration()
		case "write_timeout":
			err = writeTimeoutPolicy(m, key, val)
		default:
			err = otherKey(blockCluster, m, key, "")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// applyClusterListen takes "host:port", ":port" or a bare port.
func applyClusterListen(v *conf.Value, c *server.ClusterOpts) error {
	var o server.Options
	if err := applyListen(v, &o); err != nil {
		return err
	}
	if o.Host != "" {
		c.Host = o.Host
	}
	c.Port = o.Port
	return nil
}

// routeList reads the routes array (a single string is accepted too).
func routeList(v *conf.Value) ([]string, error) {
	items := []*conf.Value{v}
	if v.Kind == conf.KindArray {
		items = v.Array
	}
	var out []string
	seen := map[string]bool{}
	for _, item := range items {
		s, err := item.AsString()
		if err != nil {
			return nil, err
		}
		s = strings.TrimSpace(s)
		if u, err := url.Parse(s); err != nil || u.Host == "" || u.Port() == "" {
			return nil, item.Errorf("error parsing route url [%q]: expected nats-route://host:port", redact.URL(s))
		}
		if seen[s] {
			continue // nats-server warns and keeps one
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}

// applyClusterAuth reads the cluster's authorization block: one user and
// password, and the timeout.
func applyClusterAuth(v *conf.Value, c *server.ClusterOpts) error {
	m, err := v.AsMap()
	if err != nil {
		return err
	}
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		switch strings.ToLower(key) {
		case "user", "username":
			c.Username, err = val.AsString()
		case "password", "pass":
			c.Password, err = secretString(val)
		case "timeout":
			c.AuthTimeout, err = asSeconds(val)
		case "users":
			err = val.Errorf("Cluster authorization does not allow multiple users")
		case "token":
			err = val.Errorf("Cluster authorization does not support tokens")
		default:
			err = otherKey(blockClusterAuth, m, key, "")
		}
		if err != nil {
			return err
		}
	}
	return nil
}
