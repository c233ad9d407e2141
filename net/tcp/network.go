package tcp

import (
	"context"
	"errors"
	"net"
	"syscall"
	"time"

	jnet "jsnode/net"
)

// Limits of listening and dialling.
const (
	// acceptCredits is how many accepted connections a listener may have
	// queued for the loop before it stops accepting.
	acceptCredits = 64
	// acceptRetryDelay spaces accept attempts after an error such as
	// running out of file descriptors.
	acceptRetryDelay = 50 * time.Millisecond
	// dialTimeout bounds one Dial.
	dialTimeout = 10 * time.Second
)

// network is the loop's jnet.Network.
type network struct{ l *Loop }

// Listen binds addr now (this one system call runs on the caller, the
// loop, because the bound address must be returned) and accepts in a
// goroutine of its own.
func (n network) Listen(addr string, accept jnet.AcceptFunc) (jnet.Listener, error) {
	s, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	tl := s.(*net.TCPListener)
	ln := &listener{
		loop:    n.l,
		sock:    tl,
		addr:    tl.Addr().String(),
		accept:  accept,
		credits: make(chan struct{}, acceptCredits),
		quit:    make(chan struct{}),
	}
	for range acceptCredits {
		ln.credits <- struct{}{}
	}
	n.l.listeners[ln] = struct{}{}
	n.l.workers.Add(1)
	go ln.acceptLoop()
	return ln, nil
}

// Dial connects in a goroutine; connected or failed runs on the loop.
// Errors other than a refusal are passed to failed as they are.
func (n network) Dial(addr string, connected func(jnet.Conn) jnet.Handler, failed func(error)) {
	l := n.l
	l.workers.Add(1)
	go func() {
		defer l.workers.Done()
		ctx, cancel := context.WithTimeout(l.ctx, dialTimeout)
		defer cancel()
		var d net.Dialer
		s, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			reason := dialError(err)
			l.post(event{kind: evFunc, f: func() { failed(reason) }})
			return
		}
		tc := s.(*net.TCPConn)
		tc.SetNoDelay(true)
		adopt := func() {
			c := l.newConn(tc)
			c.setHandler(connected(c))
		}
		if !l.post(event{kind: evAdopt, sock: tc, f: adopt}) {
			tc.Close()
		}
	}()
}

func dialError(err error) error {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return jnet.ErrRefused
	}
	return err
}

// listener is one listening socket and its acceptor goroutine.
type listener struct {
	loop    *Loop
	sock    *net.TCPListener
	addr    string
	accept  jnet.AcceptFunc
	closed  bool          // owned by the loop
	credits chan struct{} // accepted connections the loop may still take
	quit    chan struct{} // closed by Close
}

func (ln *listener) Addr() string { return ln.addr }

// Close stops accepting. Connections already accepted stay open; any the
// acceptor had queued are closed. The socket itself is closed by the
// acceptor goroutine, so the port is released shortly after Close returns.
func (ln *listener) Close() {
	if ln.closed {
		return
	}
	ln.close()
}

// close wakes the acceptor out of Accept with a past deadline (no system
// call) and tells it to close the socket.
func (ln *listener) close() {
	ln.closed = true
	delete(ln.loop.listeners, ln)
	close(ln.quit)
	ln.sock.SetDeadline(time.Unix(1, 0))
}

func (ln *listener) acceptLoop() {
	defer ln.loop.workers.Done()
	defer ln.sock.Close()
	for {
		select {
		case <-ln.credits:
		case <-ln.quit:
			return
		}
		s, err := ln.sock.AcceptTCP()
		if err != nil {
			if !ln.retryAccept(err) {
				return
			}
			ln.credits <- struct{}{}
			continue
		}
		s.SetNoDelay(true)
		ev := event{kind: evAdopt, sock: s, f: func() { ln.adopt(s) }}
		if !ln.loop.post(ev) {
			s.Close()
			return
		}
	}
}

// retryAccept reports whether accepting should go on after err, waiting
// acceptRetryDelay first when it should.
func (ln *listener) retryAccept(err error) bool {
	if errors.Is(err, net.ErrClosed) {
		return false
	}
	select {
	case <-ln.quit:
		return false
	case <-time.After(acceptRetryDelay):
		return true
	}
}

// adopt runs on the loop for each accepted socket.
func (ln *listener) adopt(s *net.TCPConn) {
	ln.credits <- struct{}{}
	if ln.closed {
		ln.loop.closeAsync(s)
		return
	}
	c := ln.loop.newConn(s)
	c.setHandler(ln.accept(c))
}

// closeAsync closes a socket the node will never see, off the loop.
func (l *Loop) closeAsync(s *net.TCPConn) {
	l.workers.Add(1)
	go func() {
		defer l.workers.Done()
		s.Close()
	}()
}
