package sim

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"jsnode/node/proto"
)

// Client defaults.
const (
	DefaultReconnectWait  = 2 * time.Second
	DefaultMaxReconnects  = 60
	DefaultClientPing     = 2 * time.Minute
	DefaultClientPingsOut = 2
	inboxPrefix           = "_INBOX."
	inboxTokenLen         = 22
	noRespondersStatus    = 503
)

// Client errors.
var (
	ErrNotConnected = errors.New("sim client: not connected")
	ErrTimeout      = errors.New("sim client: request timed out")
	ErrNoResponders = errors.New("sim client: no responders")
	ErrClientClosed = errors.New("sim client: closed")
	errStaleConn    = errors.New("sim client: stale connection (pings unanswered)")
)

// ClientOptions configure a sim client. Zero values take the defaults
// above; Echo is on unless NoEcho is set, as in nats.go.
type ClientOptions struct {
	Name          string
	Headers       bool
	NoResponders  bool
	NoEcho        bool
	User, Pass    string
	Token         string
	ReconnectWait time.Duration
	// MaxReconnects bounds consecutive failed attempts; < 0 is unlimited.
	MaxReconnects int
	PingInterval  time.Duration
	MaxPingsOut   int
}

func (o *ClientOptions) setDefaults() {
	if o.ReconnectWait <= 0 {
		o.ReconnectWait = DefaultReconnectWait
	}
	if o.MaxReconnects == 0 {
		o.MaxReconnects = DefaultMaxReconnects
	}
	if o.PingInterval <= 0 {
		o.PingInterval = DefaultClientPing
	}
	if o.MaxPingsOut <= 0 {
		o.MaxPingsOut = DefaultClientPingsOut
	}
}

// ClientStats are a client's counters.
type ClientStats struct {
	Connects, Disconnects, Reconnects int
	MsgsIn, MsgsOut                   int
	// MsgsUnmatched counts messages for a sid the client no longer has.
	MsgsUnmatched int
	// RepliesLate counts replies to requests that had timed out;
	// RepliesDup replies to requests already answered.
	RepliesLate, RepliesDup int
	Errors                  []string // -ERR texts, in order
}

// Msg is a delivered message (its bytes are the client's own copy).
type Msg struct {
	Subject string
	Reply   string
	Header  []byte // raw NATS/1.0 block, nil for MSG
	Data    []byte
	Sub     *Sub
}

// Client is a minimal deterministic NATS client on the sim network. It has
// no goroutines: everything happens in callbacks on its host's events. It
// reconnects to the next server after ReconnectWait and re-subscribes.
type Client struct {
	host    *Host
	opts    ClientOptions
	servers []string
	next    int

	cc       *clientConn // current connection attempt or session
	gen      int         // connection generation, bumped per attempt
	ready    bool        // PONG to the handshake PING received
	closed   bool
	everUp   bool
	attempts int // consecutive failed attempts

	subs    map[int64]*Sub
	subList []*Sub // subscription order, for deterministic re-subscribe
	nextSID int64

	inbox    string
	respSub  *Sub
	requests map[string]*request
	answered map[string]bool // requests completed (reply or timeout)
	replied  map[string]bool // requests a reply arrived for
	nextReq  int

	stats    ClientStats
	sessions []Session
	// OnConnect runs after each completed handshake (first and later).
	OnConnect func()
	// OnReconnect runs after each handshake but the first.
	OnReconnect func()
	// OnDisconnect runs when an established session ends.
	OnDisconnect func(err error)
	// OnError runs for each -ERR.
	OnError func(text string)
}

// NewClient creates a client on host (created if needed) and starts
// connecting to servers ("host:port" or "nats://host:port").
func (w *World) NewClient(host string, servers []string, opts ClientOptions) *Client {
	opts.setDefaults()
	c := &Client{
		host:     w.Host(host),
		opts:     opts,
		subs:     make(map[int64]*Sub),
		requests: make(map[string]*request),
		answered: make(map[string]bool),
		replied:  make(map[string]bool),
	}
	for _, s := range servers {
		c.addServer(s)
	}
	c.inbox = inboxPrefix + randomToken(c.host, inboxTokenLen) + "."
	c.connect()
	return c
}

func (c *Client) addServer(s string) {
	s = strings.TrimPrefix(s, "nats://")
	for _, have := range c.servers {
		if have == s {
			return
		}
	}
	c.servers = append(c.servers, s)
}

const tokenAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func randomToken(h *Host, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = tokenAlphabet[h.rng.IntN(len(tokenAlphabet))]
	}
	return string(b)
}

// Connected reports whether the handshake on the current connection is done.
func (c *Client) Connected() bool { return c.ready && !c.closed }

// ConnGen identifies the current connection; it changes on every attempt.
func (c *Client) ConnGen() int { return c.gen }

// Stats returns a copy of the counters.
func (c *Client) Stats() ClientStats {
	s := c.stats
	s.Errors = append([]string(nil), s.Errors...)
	return s
}

// Session is one established connection of a client, in world time.
type Session struct {
	Gen      int
	Up, Down time.Duration
	Ended    bool
}

// Sessions lists the client's established sessions in order.
func (c *Client) Sessions() []Session { return append([]Session(nil), c.sessions...) }

// SessionEndedBy reports whether session gen had ended at or before t
// (a session never established counts as ended at once). A session that
// ended during a cut counts as ended when the cut began (cuts.go).
func (c *Client) SessionEndedBy(gen int, t time.Duration) bool {
	for i := len(c.sessions) - 1; i >= 0; i-- {
		if s := c.sessions[i]; s.Gen == gen {
			return s.Ended && c.effectiveDown(s) <= t
		}
	}
	return true
}

// SessionEndedWithin reports whether any session ended in [from, to]
// (or ended during a cut that overlaps it).
func (c *Client) SessionEndedWithin(from, to time.Duration) bool {
	for _, s := range c.sessions {
		if s.Ended && s.Down >= from && c.effectiveDown(s) <= to {
			return true
		}
	}
	return false
}

// Host is the client's host.
func (c *Client) Host() *Host { return c.host }

// Close ends the client: the connection is closed and never retried.
func (c *Client) Close() {
	if c.closed {
		return
	}
	c.closed = true
	if c.cc != nil && c.cc.conn != nil {
		c.cc.conn.Close()
	}
	c.cc = nil
	c.ready = false
}

// connect dials the next server.
func (c *Client) connect() {
	if c.closed || len(c.servers) == 0 {
		return
	}
	addr := c.servers[c.next%len(c.servers)]
	c.next++
	c.gen++
	cc := &clientConn{c: c, gen: c.gen, parser: proto.NewClientParser(proto.Limits{MaxPayload: -1})}
	c.cc = cc
	c.ready = false
	c.host.Net().Dial(addr, cc.connected, cc.dialFailed)
}

// lost handles the end of connection cc, established or not.
func (c *Client) lost(cc *clientConn, err error) {
	if c.cc != cc {
		return
	}
	wasReady := c.ready
	c.cc, c.ready = nil, false
	if wasReady {
		last := &c.sessions[len(c.sessions)-1]
		last.Down, last.Ended = c.host.w.Elapsed(), true
		c.stats.Disconnects++
		if c.OnDisconnect != nil {
			c.OnDisconnect(err)
		}
	} else {
		c.attempts++
	}
	if c.closed || (c.opts.MaxReconnects > 0 && c.attempts > c.opts.MaxReconnects) {
		c.closed = true
		return
	}
	c.host.After(c.opts.ReconnectWait, c.connect)
}

// handshakeDone runs on the PONG answering the handshake PING.
func (c *Client) handshakeDone() {
	c.ready = true
	c.attempts = 0
	c.stats.Connects++
	if c.everUp {
		c.stats.Reconnects++
	}
	c.everUp = true
	c.sessions = append(c.sessions, Session{Gen: c.gen, Up: c.host.w.Elapsed()})
	for _, s := range c.subList {
		c.sendSub(s)
	}
	if len(c.subList) > 0 {
		c.Flush(c.confirmSubs(c.gen))
	}
	c.schedulePing(c.cc)
	if c.OnConnect != nil {
		c.OnConnect()
	}
	if c.stats.Reconnects > 0 && c.OnReconnect != nil {
		c.OnReconnect()
	}
}

// confirmSubs returns a flush callback marking every current sub as
// confirmed on connection gen.
func (c *Client) confirmSubs(gen int) func() {
	return func() {
		for _, s := range c.subList {
			s.confirm(gen)
		}
	}
}

// write sends raw protocol bytes on the live session.
func (c *Client) write(b []byte) error {
	if !c.Connected() {
		return ErrNotConnected
	}
	c.cc.conn.Write(b)
	return nil
}

// Flush sends a PING and runs done when its PONG arrives: everything sent
// before it has been processed by the server. Without a session it
// returns ErrNotConnected and done never runs.
func (c *Client) Flush(done func()) error {
	if err := c.write(proto.PingLine); err != nil {
		return err
	}
	c.cc.flushes = append(c.cc.flushes, done)
	return nil
}

// Publish sends a message; it fails with ErrNotConnected between sessions.
func (c *Client) Publish(subject, reply string, data []byte) error {
	if err := c.write(proto.AppendPub(nil, []byte(subject), []byte(reply), data)); err != nil {
		return err
	}
	c.stats.MsgsOut++
	return nil
}

// HPublish sends a message with a NATS/1.0 header block.
func (c *Client) HPublish(subject, reply string, header, data []byte) error {
	msg := append(append([]byte(nil), header...), data...)
	if err := c.write(proto.AppendHPub(nil, []byte(subject), []byte(reply), len(header), msg)); err != nil {
		return err
	}
	c.stats.MsgsOut++
	return nil
}

// schedulePing arms the client's keepalive on session cc: a PING each
// interval, and the connection is dropped when too many are unanswered.
func (c *Client) schedulePing(cc *clientConn) {
	c.host.Clock().AfterFunc(c.opts.PingInterval, func() {
		if c.cc != cc || !c.ready {
			return
		}
		if cc.pingsOut >= c.opts.MaxPingsOut {
			cc.conn.Close()
			c.lost(cc, errStaleConn)
			return
		}
		cc.pingsOut++
		cc.conn.Write(proto.PingLine)
		cc.flushes = append(cc.flushes, nil)
		c.schedulePing(cc)
	})
}

// connectJSON is the CONNECT argument the client sends.
type connectJSON struct {
	Verbose      bool   `json:"verbose"`
	Pedantic     bool   `json:"pedantic"`
	Lang         string `json:"lang"`
	Version      string `json:"version"`
	Protocol     int    `json:"protocol"`
	Echo         bool   `json:"echo"`
	Headers      bool   `json:"headers"`
	NoResponders bool   `json:"no_responders"`
	Name         string `json:"name,omitempty"`
	User         string `json:"user,omitempty"`
	Pass         string `json:"pass,omitempty"`
	Token        string `json:"auth_token,omitempty"`
}

func (c *Client) connectLine() []byte {
	js, _ := json.Marshal(connectJSON{
		Lang: "sim", Version: "0.1", Protocol: 1,
		Echo: !c.opts.NoEcho, Headers: c.opts.Headers, NoResponders: c.opts.NoResponders,
		Name: c.opts.Name, User: c.opts.User, Pass: c.opts.Pass, Token: c.opts.Token,
	})
	return proto.AppendConnect(nil, js)
}

// infoJSON is the part of INFO the client uses.
type infoJSON struct {
	ConnectURLs []string `json:"connect_urls"`
	LameDuck    bool     `json:"ldm"`
}

// learnServers adds gossiped connect_urls that another host can dial.
func (c *Client) learnServers(arg []byte) {
	var info infoJSON
	if json.Unmarshal(arg, &info) != nil {
		return
	}
	for _, u := range info.ConnectURLs {
		host, _, err := splitAddr(strings.TrimPrefix(u, "nats://"))
		if err == nil && !c.host.isLocal(host) {
			c.addServer(u)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
