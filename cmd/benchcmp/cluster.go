package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// clusterSize is the number of servers in each benchmarked cluster.
const clusterSize = 3

// clusterScenario is pub/sub across a cluster: the publisher on the first
// node, the subscriber on the second, so every message crosses a route.
var clusterScenario = scenario{name: "cluster pub/sub 128B", size: "128B", msgs: 1_000_000, subs: 1}

// cluster is a running cluster of one server binary on loopback.
type cluster struct {
	name  string
	nodes []*exec.Cmd
	urls  []string
}

// startCluster runs clusterSize servers, each listing the others as
// routes (nats-server's flags, which jsnode shares), and waits until a
// message published on the first node reaches the second.
func startCluster(name, bin string) (*cluster, error) {
	ports := make([]int, 0, 2*clusterSize)
	for len(ports) < 2*clusterSize {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		if !containsInt(ports, p) {
			ports = append(ports, p)
		}
	}
	client, routePorts := ports[:clusterSize], ports[clusterSize:]
	c := &cluster{name: name}
	for i := 0; i < clusterSize; i++ {
		var routes []string
		for j, p := range routePorts {
			if j != i {
				routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", p))
			}
		}
		cmd := exec.Command(bin, "-a", "127.0.0.1", "-p", strconv.Itoa(client[i]), "-n", fmt.Sprintf("%s-%d", name, i+1),
			"--cluster", fmt.Sprintf("nats://127.0.0.1:%d", routePorts[i]), "--cluster_name", "bench",
			"--routes", strings.Join(routes, ","))
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			c.stop()
			return nil, fmt.Errorf("start %s: %w", name, err)
		}
		c.nodes = append(c.nodes, cmd)
		c.urls = append(c.urls, fmt.Sprintf("nats://127.0.0.1:%d", client[i]))
	}
	if err := waitRouted(client[0], client[1], 20*time.Second); err != nil {
		c.stop()
		return nil, fmt.Errorf("%s cluster: %w", name, err)
	}
	return c, nil
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func (c *cluster) stop() {
	for _, cmd := range c.nodes {
		s := &server{name: c.name, cmd: cmd}
		s.stop()
	}
}

// waitRouted subscribes on port sub and publishes on port pub until a
// message gets through: the route exists and carries the interest.
func waitRouted(pub, sub int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if probeRoute(pub, sub) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("no message crossed from port %d to port %d within %v", pub, sub, limit)
}

// probeRoute makes one attempt of waitRouted with raw protocol lines.
func probeRoute(pub, sub int) bool {
	sc, sr, err := rawConn(sub)
	if err != nil {
		return false
	}
	defer sc.Close()
	if !roundTrip(sc, sr, "SUB probe 1\r\n") {
		return false
	}
	pc, pr, err := rawConn(pub)
	if err != nil {
		return false
	}
	defer pc.Close()
	for i := 0; i < 10; i++ {
		if !roundTrip(pc, pr, "PUB probe 1\r\nx\r\n") {
			return false
		}
		sc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if line, err := sr.ReadString('\n'); err == nil && strings.HasPrefix(line, "MSG probe") {
			return true
		}
	}
	return false
}

// rawConn connects, reads INFO and sends CONNECT.
func rawConn(port int) (net.Conn, *bufio.Reader, error) {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
	if err != nil {
		return nil, nil, err
	}
	r := bufio.NewReader(c)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := r.ReadString('\n'); err != nil {
		c.Close()
		return nil, nil, err
	}
	if _, err := c.Write([]byte("CONNECT {\"verbose\":false}\r\n")); err != nil {
		c.Close()
		return nil, nil, err
	}
	return c, r, nil
}

// roundTrip sends ops then PING and waits for the PONG.
func roundTrip(c net.Conn, r *bufio.Reader, ops string) bool {
	if _, err := c.Write([]byte(ops + "PING\r\n")); err != nil {
		return false
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return false
		}
		if line == "PONG\r\n" {
			return true
		}
	}
}

// benchClusters runs the clustered scenario against a jsnode cluster and
// a nats-server cluster, interleaved round by round, and reports them
// like the single-server scenarios.
func benchClusters(jsnodeBin, natsBin, cli string, rounds int, scale float64) error {
	sc := clusterScenario
	sc.msgs = int(float64(sc.msgs) * scale)
	var clusters []*cluster
	defer func() {
		for _, c := range clusters {
			c.stop()
		}
	}()
	for _, s := range []struct{ name, bin string }{{"jsnode", jsnodeBin}, {"nats-server", natsBin}} {
		c, err := startCluster(s.name, s.bin)
		if err != nil {
			return err
		}
		clusters = append(clusters, c)
	}
	rates, err := interleave(rounds, func(side int) (float64, error) {
		c := clusters[side]
		rate, err := run(cli, c.urls[0], c.urls[1], sc)
		if err != nil {
			return 0, fmt.Errorf("%s on the %s cluster: %w", sc.name, c.name, err)
		}
		return rate, nil
	})
	if err != nil {
		return err
	}
	report(sc.name, rates)
	return nil
}
