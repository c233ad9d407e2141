package main

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"

	"jsnode/node/server"
)

// clusterListen is what --cluster gives: where to listen for routes and,
// from the URL's user info, the credentials peers must present.
type clusterListen struct {
	host       string
	port       int
	user, pass string
}

// parseClusterListen reads "nats://[user:pass@]host:port" as nats-server
// does; port -1 picks a random port.
func parseClusterListen(s string) (clusterListen, error) {
	var cl clusterListen
	random := strings.HasSuffix(s, ":-1")
	if random {
		s = s[:len(s)-len(":-1")] + ":0"
	}
	u, err := url.Parse(s)
	if err != nil {
		return cl, errors.New("not a URL")
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		return cl, err
	}
	if cl.port, err = strconv.Atoi(port); err != nil {
		return cl, errors.New("bad port")
	}
	if random {
		cl.port = -1
	}
	cl.host = host
	if u.User != nil {
		pass, ok := u.User.Password()
		if !ok {
			return cl, errors.New("expected cluster password to be set")
		}
		cl.user, cl.pass = u.User.Username(), pass
	}
	return cl, nil
}

// applyClusterFlags lets the cluster flags override the config file.
func applyClusterFlags(cl *cmdline, c *server.ClusterOpts) {
	set := cl.set
	if set["cluster"] {
		l := cl.clusterListen
		c.Host, c.Port, c.Username, c.Password = l.host, l.port, l.user, l.pass
	}
	if set["cluster_name"] {
		c.Name = cl.clusterName
	}
	if set["routes"] {
		c.Routes = nil
		for _, r := range strings.Split(cl.routes, ",") {
			if r = strings.TrimSpace(r); r != "" {
				c.Routes = append(c.Routes, r)
			}
		}
	}
	if set["cluster_advertise"] {
		c.Advertise = cl.clusterAdvertise
	}
	if set["no_advertise"] {
		c.NoAdvertise = cl.noAdvertise
	}
	if set["connect_retries"] {
		c.ConnectRetries = cl.connectRetries
	}
}

// localIPs lists the machine's non-loopback addresses: the client URLs a
// clustered node bound to 0.0.0.0 or :: gives its peers.
func localIPs(host string) []string {
	if host != "0.0.0.0" && host != "::" && host != "" {
		return nil
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []string
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
			continue
		}
		if host == "0.0.0.0" && ipn.IP.To4() == nil {
			continue
		}
		out = append(out, ipn.IP.String())
	}
	return out
}
