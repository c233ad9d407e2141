package server

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"jsnode/node/auth"
	"jsnode/node/proto"
)

// serverInfo is the INFO JSON, with nats-server's field names and order.
type serverInfo struct {
	ID            string   `json:"server_id"`
	Name          string   `json:"server_name"`
	Version       string   `json:"version"`
	Proto         int      `json:"proto"`
	GoVersion     string   `json:"go"`
	Host          string   `json:"host"`
	Port          int      `json:"port"`
	Headers       bool     `json:"headers"`
	AuthRequired  bool     `json:"auth_required,omitempty"`
	MaxPayload    int32    `json:"max_payload"`
	JetStream     bool     `json:"jetstream,omitempty"`
	ClientID      uint64   `json:"client_id,omitempty"`
	ClientIP      string   `json:"client_ip,omitempty"`
	Nonce         string   `json:"nonce,omitempty"`
	Cluster       string   `json:"cluster,omitempty"`
	ConnectURLs   []string `json:"connect_urls,omitempty"`
	LameDuckMode  bool     `json:"ldm,omitempty"`
	ConnectInfo   bool     `json:"connect_info,omitempty"`
	RemoteAccount string   `json:"remote_account,omitempty"`
}

// connectOpts is the CONNECT JSON a client sends.
type connectOpts struct {
	Echo         bool   `json:"echo"`
	Verbose      bool   `json:"verbose"`
	Pedantic     bool   `json:"pedantic"`
	TLSRequired  bool   `json:"tls_required"`
	Nkey         string `json:"nkey,omitempty"`
	JWT          string `json:"jwt,omitempty"`
	Sig          string `json:"sig,omitempty"`
	Token        string `json:"auth_token,omitempty"`
	Username     string `json:"user,omitempty"`
	Password     string `json:"pass,omitempty"`
	Name         string `json:"name"`
	Lang         string `json:"lang"`
	Version      string `json:"version"`
	Protocol     int    `json:"protocol"`
	Account      string `json:"account,omitempty"`
	AccountNew   bool   `json:"new_account,omitempty"`
	Headers      bool   `json:"headers,omitempty"`
	NoResponders bool   `json:"no_responders,omitempty"`
}

// defaultConnectOpts are in force before CONNECT and fill the fields a
// CONNECT leaves out, as in nats-server: a bare telnet session is verbose
// and pedantic.
var defaultConnectOpts = connectOpts{Echo: true, Verbose: true, Pedantic: true}

// sendInfo queues this client's INFO line.
func (c *client) sendInfo(info serverInfo) {
	info.ClientID = c.cid
	info.ClientIP = c.host
	if len(c.nonce) > 0 {
		info.Nonce = string(c.nonce)
	}
	js, err := json.Marshal(&info)
	if err != nil {
		c.errorf("INFO encoding failed: %v", err)
		return
	}
	c.conn.Write(proto.AppendInfo(nil, js))
}

// newNonce returns a fresh nonce for nkey authentication.
func (s *Server) newNonce() []byte {
	var raw [nonceRawLen]byte
	for i := range raw {
		raw[i] = byte(s.env.Rand.Uint32())
	}
	out := make([]byte, base64.RawURLEncoding.EncodedLen(nonceRawLen))
	base64.RawURLEncoding.Encode(out, raw[:])
	return out
}

// processConnect applies a CONNECT: options, authentication, protocol
// checks. It returns errConnClosed when it closed the connection.
func (c *client) processConnect(arg []byte) error {
	s := c.srv
	c.stopAuthTimer()
	c.rtt = s.env.monoNow().Sub(c.startMono)
	if c.rtt <= 0 {
		c.rtt = time.Nanosecond
	}
	c.setFirstPingTimer()

	opts := c.opts
	if err := json.Unmarshal(arg, &opts); err != nil {
		c.errorf("CONNECT parse error: %v", err)
		c.closeConnection(ProtocolViolation)
		return errConnClosed
	}
	c.opts = opts
	c.connectReceived = true
	c.parser.SetAwaitingConnect(false)
	c.headers = !s.opts.NoHeaderSupport && opts.Headers
	c.updateLogPrefix()

	if s.authRequired && s.opts.Auth.Costly(c.credentials()) {
		c.authenticateOffLoop()
		return nil
	}
	if !c.authenticate() {
		return errConnClosed
	}
	return c.finishConnect()
}

// finishConnect is the rest of CONNECT once the client is authenticated:
// protocol checks, then +OK and the CONNECT advisory.
func (c *client) finishConnect() error {
	s := c.srv
	opts := c.opts
	if opts.Protocol < clientProtoZero || opts.Protocol > clientProtoInfo {
		c.sendErr(errTextBadClientProtocol)
		c.closeConnection(BadClientProtocolVersion)
		return errConnClosed
	}
	if opts.NoResponders && !c.headers {
		c.sendErr(errTextNoRespondersNeedsH)
		c.closeConnection(NoRespondersRequiresHeaders)
		return errConnClosed
	}
	s.setAsyncInfo(c, opts.Protocol >= clientProtoInfo)
	if opts.Verbose {
		c.sendOK()
	}
	if !c.eventSent {
		c.connectEvent()
	}
	return nil
}

// authenticate checks the CONNECT credentials and installs the client's
// permissions. On failure it answers and closes, and returns false.
func (c *client) authenticate() bool {
	s := c.srv
	if !s.authRequired {
		return true
	}
	id, ok := s.opts.Auth.Authenticate(c.credentials(), c.nonce)
	return c.authenticated(id, ok)
}

// credentials are what the client sent in CONNECT to authenticate.
func (c *client) credentials() auth.Credentials {
	o := &c.opts
	return auth.Credentials{User: o.Username, Pass: o.Password, Token: o.Token, Nkey: o.Nkey, Sig: o.Sig}
}

// authenticated applies the outcome of authentication: the identity, or
// a violation (which closes). It returns false when it closed.
func (c *client) authenticated(id auth.Identity, ok bool) bool {
	if !ok || c.opts.Account != "" || c.opts.AccountNew {
		c.authViolation()
		return false
	}
	return c.setIdentity(id)
}

// authenticateOffLoop runs a costly authentication (bcrypt, nkey
// signature) through Env.Offload, so the loop serves everyone else
// meanwhile (ARCHITECTURE rule 7). Nothing the client sent after CONNECT
// is parsed before the outcome: the parser stops after CONNECT, the rest
// waits as a backlog and reading is paused (backlog.go). The check works
// on copies (the configuration a reload may replace, the credentials,
// the nonce), so it shares nothing with the loop.
func (c *client) authenticateOffLoop() {
	s := c.srv
	cfg := s.opts.Auth
	cr, nonce := c.credentials(), append([]byte(nil), c.nonce...)
	var id auth.Identity
	var ok bool
	c.authPending = true
	c.conn.PauseReading()
	c.yield()
	s.env.offload(func() { id, ok = cfg.Authenticate(cr, nonce) }, func() { c.authDone(id, ok) })
}

// authDone is the loop event that finishes an off-loop authentication.
func (c *client) authDone(id auth.Identity, ok bool) {
	c.authPending = false
	if c.closing {
		return
	}
	if c.authStale {
		// A reload replaced the configuration the check ran against.
		c.authStale = false
		if c.srv.authRequired && c.srv.opts.Auth.Costly(c.credentials()) {
			c.authenticateOffLoop()
			return
		}
		id, ok = c.srv.opts.Auth.Authenticate(c.credentials(), c.nonce)
	}
	if !c.authenticated(id, ok) || c.finishConnect() != nil {
		return
	}
	c.resumeInput()
}

// setIdentity records who the client is, compiles its permissions and
// binds it to its account. It returns false when it closed the
// connection (the account is full).
func (c *client) setIdentity(id auth.Identity) bool {
	c.user = id.Name
	c.perms = auth.NewChecker(id.Permissions)
	c.permissions = id.Permissions
	acc := c.srv.gacc
	if id.Account != "" {
		if acc = c.srv.accounts[id.Account]; acc == nil {
			c.authViolation()
			return false
		}
	}
	return c.bindAccount(acc)
}

// authViolation answers a failed authentication and closes.
func (c *client) authViolation() {
	switch {
	case len(c.srv.opts.Auth.Nkeys) > 0 && c.opts.Nkey != "":
		c.errorf("%s - Nkey %q", logTextAuthError, c.opts.Nkey)
	case len(c.srv.opts.Auth.Users) > 0:
		c.errorf("%s - User %q", logTextAuthError, c.opts.Username)
	default:
		c.errorf("%s", logTextAuthError)
	}
	c.sendErr(errTextAuthViolation)
	c.closeConnection(AuthenticationViolation)
}

// updateLogPrefix adds the client's version, language and name to its log
// prefix, as nats-server does once CONNECT arrives.
func (c *client) updateLogPrefix() {
	o := &c.opts
	var tag string
	if o.Version != "" {
		tag = "v" + o.Version
	}
	for _, part := range []string{o.Lang, o.Name} {
		if part == "" {
			continue
		}
		if tag != "" {
			tag += ":"
		}
		tag += part
	}
	if tag != "" {
		c.logPrefix = fmt.Sprintf("%s - %q", c.basePrefix, tag)
	}
}
