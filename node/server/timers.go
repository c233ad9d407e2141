package server

import (
	"time"

	"jsnode/node/mutant"
	"jsnode/node/proto"
)

// pongLine answers a client's PING.
var pongLine = proto.PongLine

// startAuthTimer gives a client that must authenticate Auth.Timeout to
// send CONNECT.
func (c *client) startAuthTimer() {
	d := c.srv.opts.Auth.Timeout
	if mutant.On(mutant.AuthEarly10) {
		d -= d / 10
	}
	c.authTimer = c.srv.env.Clock.AfterFunc(d, c.authTimeout)
}

// stopAuthTimer cancels the CONNECT deadline.
func (c *client) stopAuthTimer() {
	if c.authTimer != nil {
		c.authTimer.Stop()
		c.authTimer = nil
	}
}

// authTimeout fires when no CONNECT arrived in time.
func (c *client) authTimeout() {
	c.authTimer = nil
	if c.closing || c.connectReceived {
		return
	}
	c.sendErr(errTextAuthTimeout)
	c.debugf("%s", errTextAuthTimeout)
	c.closeConnection(AuthenticationTimeout)
}

// setPingTimer arms the keep-alive timer d from now.
func (c *client) setPingTimer(d time.Duration) {
	c.stopPingTimer()
	if mutant.On(mutant.PingEarly10) {
		d -= d / 10
	}
	c.pingTimer = c.srv.env.Clock.AfterFunc(d, c.processPingTimer)
}

// stopPingTimer cancels the keep-alive timer.
func (c *client) stopPingTimer() {
	if c.pingTimer != nil {
		c.pingTimer.Stop()
		c.pingTimer = nil
	}
}

// setFirstPingTimer arms the first PING after CONNECT: at most
// firstClientPingInterval away, plus up to a fifth of it at random.
func (c *client) setFirstPingTimer() {
	d := c.srv.opts.PingInterval
	if d > firstClientPingInterval {
		d = firstClientPingInterval
	}
	if jitter := int64(d / firstPingJitterDivisor); jitter > 0 {
		d += time.Duration(c.srv.env.Rand.Int64N(jitter))
	}
	c.setPingTimer(d)
}

// processPingTimer sends a PING unless the client showed recent activity,
// and closes the connection as stale once MaxPingsOut PINGs went
// unanswered.
func (c *client) processPingTimer() {
	c.pingTimer = nil
	if c.closing {
		return
	}
	s := c.srv
	interval := s.opts.PingInterval
	now := s.env.monoNow()
	needRTT := c.rtt == 0 || now.Sub(c.rttStart) > rttMeasurementInterval
	if delta := now.Sub(c.lastIn); delta < interval && !needRTT {
		c.debugf("Delaying PING due to remote client data or ping %v ago", delta.Round(time.Second))
	} else {
		if c.pingsOut+1 > s.opts.MaxPingsOut {
			c.debugf("Stale Client Connection - Closing")
			c.sendErr(errTextStaleConnection)
			c.closeConnection(StaleConnection)
			return
		}
		c.sendPing(now)
	}
	if s.env.buggify(sitePingLate) {
		interval += s.lateBy(interval)
	}
	c.setPingTimer(interval)
}

// sendPing queues a server PING and starts an RTT measurement; now is
// monotonic (Env.monoNow).
func (c *client) sendPing(now time.Time) {
	c.rttStart = now
	c.pingsOut++
	if c.srv.opts.Trace {
		c.tracef("->> [PING]")
	}
	c.write(proto.PingLine)
}
