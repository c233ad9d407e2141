package server

import (
	"testing"
	"time"

	"jsnode/net"
	"jsnode/node/proto"
)

// discardConn is a net.Conn that drops what is written, so allocation
// tests measure the server alone.
type discardConn struct{ written int }

func (d *discardConn) Write(b []byte)                 { d.written += len(b) }
func (d *discardConn) Buffered() int                  { return 0 }
func (d *discardConn) Close()                         {}
func (d *discardConn) Abort()                         {}
func (d *discardConn) SetWriteDeadline(time.Duration) {}
func (d *discardConn) PauseReading()                  {}
func (d *discardConn) ResumeReading()                 {}
func (d *discardConn) LocalAddr() string              { return "x:1" }
func (d *discardConn) RemoteAddr() string             { return "y:2" }

var _ net.Conn = (*discardConn)(nil)

// serverSide returns the server's client for the test client tc.
func serverSide(s *Server, tc *tclient) *client {
	for _, c := range s.clients {
		if c.conn == net.Conn(tc.conn.peer) {
			return c
		}
	}
	return nil
}

// TestRouteHotPathsDoNotAllocate: forwarding a published message to a
// route, and delivering a routed message to a local subscriber, allocate
// nothing per message.
func TestRouteHotPathsDoNotAllocate(t *testing.T) {
	m := newMesh(t)
	n1 := m.start("n1", clusterOpts("n1"))
	n2 := m.start("n2", clusterOpts("n2", "n1"))
	sub := m.client("n2")
	sub.send("SUB hot.> 1\r\nSUB hot.> q 2\r\nPING\r\n")
	pub := m.client("n1")

	out := &discardConn{}
	routeTo(n1, "n2").conn = out
	pubSide := serverSide(n1, pub)
	msgs := proto.AppendPub(nil, []byte("hot.a"), []byte("_INBOX.r"), make([]byte, 128))
	msgs = proto.AppendPub(msgs, []byte("hot.b"), nil, make([]byte, 128))
	pubSide.Data(msgs) // warm the match caches and scratch buffers
	if a := testing.AllocsPerRun(200, func() { pubSide.Data(msgs) }); a != 0 {
		t.Errorf("client -> route: %v allocations per two messages", a)
	}
	if out.written == 0 {
		t.Fatal("nothing was forwarded to the route")
	}

	subSide := serverSide(n2, sub)
	subOut := &discardConn{}
	subSide.conn = subOut
	in := (*routeConn)(routeTo(n2, "n1"))
	routed := proto.AppendRMsg(nil, []byte("$G"), []byte("hot.a"), []byte("r"), []byte("q"), -1, make([]byte, 128))
	routed = proto.AppendRMsg(routed, []byte("$G"), []byte("hot.b"), nil, nil, -1, make([]byte, 128))
	in.Data(routed)
	if a := testing.AllocsPerRun(200, func() { in.Data(routed) }); a != 0 {
		t.Errorf("route -> client: %v allocations per two messages", a)
	}
	if subOut.written == 0 {
		t.Fatal("nothing was delivered to the subscriber")
	}
}
