package server

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/nats-io/nkeys"

	"jsnode/net"
	"jsnode/node/mutant"
	"jsnode/node/proto"
)

// serverState is where a server is in its life.
type serverState int

const (
	stateNew serverState = iota
	stateRunning
	stateLameDuck
	stateShuttingDown
	stateStopped
)

// Server is one NATS node: it accepts client connections and routes their
// messages. All methods, and every callback it receives, run on the node's
// event loop; it touches the world only through its Env.
type Server struct {
	opts Options
	env  Env
	log  Logger

	mutantReply []byte // the reply-wrong-requester mutant's last reply subject

	id           string // server public nkey, "N..."
	info         serverInfo
	authRequired bool // clients must authenticate
	needsNonce   bool // INFO carries a nonce (nkey users)
	// inventedNoAuth: only the system account has users, so clients
	// without credentials are let into $G as an invented user.
	inventedNoAuth bool
	inventedName   string
	// given are the options as New or the last reload got them (defaults
	// applied, before the invented user): what a reload compares against.
	given Options

	state    serverState
	listener net.Listener
	addr     string // bound "host:port"

	accounts         map[string]*Account
	accountList      []*Account         // the accounts sorted by name
	gacc             *Account           // $G
	sysAcc           *Account           // nil with no_system_account
	clients          map[uint64]*client // registered, not closing
	lastCID          uint64
	open             int // accepted connections whose Closed has not arrived
	asyncInfoClients int // clients that declared protocol >= 1
	shutdownDone     []func()
	ldm              *lameDuck // set while in lame-duck mode
	cluster          *cluster  // routes to the other servers (route.go); nil if not clustered
	internal         internalState
	sys              *sysState        // system account services; nil without one
	js               JetStreamService // attached JetStream; nil when off

	scratch []byte // MSG line (and small message) assembly
	turn    turn   // work done by the current event (turn.go)
	// stalledClients counts producer stalls (varz/statsz "stalled_clients").
	stalledClients int64
	stats          Stats
	slowConsumers  int64
	totalConns     int64
	mon            monitorState // monitoring bookkeeping (monitor_*.go)
}

// New validates opts and builds a server; it does no I/O. opts is copied
// after defaults are applied.
func New(opts *Options, env Env) (*Server, error) {
	if opts == nil {
		opts = &Options{}
	}
	o := *opts
	o.SetDefaults()
	if err := validateOptions(&o); err != nil {
		return nil, err
	}
	if env.Net == nil || env.Clock == nil || env.Rand == nil {
		return nil, errors.New("server: Env needs Net, Clock and Rand")
	}
	env.Clock = mutant.Clock(env.Clock) // the timer mutants; env.Clock itself otherwise
	s := &Server{
		opts:    o,
		env:     env,
		turn:    turn{limit: turnDeliveries},
		log:     env.Log,
		clients: make(map[uint64]*client),
		scratch: make([]byte, 0, scratchInitial),
	}
	if s.log == nil {
		s.log = discardLogger{}
	}
	s.mon.init(env.Clock.Now(), o.MaxClosedClients)
	kp, err := nkeys.CreatePairWithRand(nkeys.PrefixByteServer, randReader{env.Rand})
	if err != nil {
		return nil, fmt.Errorf("server: creating server id: %w", err)
	}
	if s.id, err = kp.PublicKey(); err != nil {
		return nil, fmt.Errorf("server: creating server id: %w", err)
	}
	if err := s.buildAccounts(); err != nil {
		return nil, err
	}
	s.given = o
	s.inventNoAuthUser()
	s.authRequired = s.opts.Auth.Required()
	s.needsNonce = o.Auth.NeedsNonce()
	s.info = s.baseInfo()
	return s, nil
}

// validateOptions rejects option combinations nats-server refuses.
func validateOptions(o *Options) error {
	if err := o.Auth.Validate(); err != nil {
		return err
	}
	if err := ValidateAccounts(o); err != nil {
		return err
	}
	if o.LameDuckDuration > 0 && o.LameDuckGracePeriod >= o.LameDuckDuration {
		return fmt.Errorf("lame duck grace period (%v) should be strictly lower than lame duck duration (%v)",
			o.LameDuckGracePeriod, o.LameDuckDuration)
	}
	if int64(o.MaxPayload) > o.MaxPending {
		return fmt.Errorf("max_payload (%v) cannot be higher than max_pending (%v)", o.MaxPayload, o.MaxPending)
	}
	if strings.Contains(o.ServerName, " ") {
		return errors.New("server name cannot contain spaces")
	}
	if o.ClientAdvertise != "" {
		if _, _, err := parseHostPort(o.ClientAdvertise, o.Port); err != nil {
			return fmt.Errorf("Error setting server INFO with ClientAdvertise value of %s, err=%v", o.ClientAdvertise, err)
		}
	}
	return o.Cluster.validate()
}

// baseInfo is the INFO every client starts from.
func (s *Server) baseInfo() serverInfo {
	name := s.opts.ServerName
	if name == "" {
		name = s.id
	}
	var goVersion string
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
	}
	return serverInfo{
		ID:           s.id,
		Name:         name,
		Version:      ServerVersion,
		Proto:        protoVersion,
		GoVersion:    goVersion,
		Host:         s.opts.Host,
		Port:         s.opts.Port,
		Headers:      !s.opts.NoHeaderSupport,
		AuthRequired: s.authRequired && (s.opts.Auth.NoAuthUser == "" || s.inventedNoAuth),
		MaxPayload:   s.opts.MaxPayload,
		JetStream:    s.opts.JetStream.Enabled,
	}
}

// ID returns the server's public nkey.
func (s *Server) ID() string { return s.id }

// Name returns the server name (the id when none is configured).
func (s *Server) Name() string { return s.info.Name }

// Start opens the client listener.
func (s *Server) Start() error {
	if s.state != stateNew {
		return ErrServerRunning
	}
	s.log.Noticef("Starting jsnode")
	s.log.Noticef("  Version:  %s", Version)
	s.log.Noticef("  Protocol: nats-server %s", ServerVersion)
	s.log.Noticef("  Name:     %s", s.info.Name)
	s.log.Noticef("  ID:       %s", s.id)
	if s.opts.ConfigFile != "" {
		s.log.Noticef("Using configuration file: %s", s.opts.ConfigFile)
	}
	port := s.opts.Port
	if port == RandomPort {
		port = 0
	}
	if port < 0 || port > 65535 {
		// nats-server hands the number to the OS and fails at listen
		// with Go's message; -1 alone means "any port".
		err := fmt.Errorf("listen tcp: address %d: invalid port", port)
		s.log.Errorf("Error listening on port: %s, %q", joinHostPort(s.opts.Host, port), err.Error())
		return err
	}
	l, err := s.env.Net.Listen(joinHostPort(s.opts.Host, port), s.accept)
	if err != nil {
		s.log.Errorf("Error listening on port: %s, %q", joinHostPort(s.opts.Host, port), err.Error())
		return err
	}
	s.listener = l
	s.addr = l.Addr()
	_, s.info.Port = splitHostPort(s.addr)
	s.state = stateRunning
	s.log.Noticef("Listening for client connections on %s", joinHostPort(s.opts.Host, s.info.Port))
	if err := s.startCluster(); err != nil {
		s.state = stateStopped
		s.closeListener()
		return err
	}
	s.startSystem()
	s.log.Noticef("Server is ready")
	return nil
}

// ClientURL is "nats://host:port" of the bound listener; a wildcard host
// is given as the loopback address so the URL can be dialled.
func (s *Server) ClientURL() string {
	host, port := splitHostPort(s.addr)
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "nats://" + joinHostPort(host, port)
}

// Addr is the bound "host:port" ("" before Start).
func (s *Server) Addr() string { return s.addr }

// NumClients is the number of registered client connections.
func (s *Server) NumClients() int { return len(s.clients) }

// NumSubscriptions is the number of subscriptions of every account
// (stream-import shadows included).
func (s *Server) NumSubscriptions() int {
	n := 0
	for _, a := range s.accounts {
		n += a.index.Count()
	}
	return n
}

// Stats returns the server's message counters.
func (s *Server) Stats() Stats { return s.stats }

// SlowConsumers is how many clients were cut off as slow consumers.
func (s *Server) SlowConsumers() int64 { return s.slowConsumers }

// parserLimits are the limits every client parser enforces.
func (s *Server) parserLimits() proto.Limits {
	return proto.Limits{MaxControlLine: int(s.opts.MaxControlLine), MaxPayload: int(s.opts.MaxPayload)}
}

// accept sets up a new client connection: INFO first, then the
// max_connections check, then the auth and ping timers.
func (s *Server) accept(conn net.Conn) net.Handler {
	c := s.newClient(conn)
	s.open++
	if s.state != stateRunning {
		c.closeConnection(ServerShutdown)
		return c
	}
	s.totalConns++
	c.debugf("Client connection created")
	conn.SetWriteDeadline(s.opts.WriteDeadline)
	c.sendInfo(s.info)
	if s.opts.MaxConn > 0 && len(s.clients) >= s.opts.MaxConn {
		c.errorf("%s", errTextMaxConnections)
		c.sendErr(errTextMaxConnections)
		c.closeConnection(MaxConnectionsExceeded)
		return c
	}
	s.clients[c.cid] = c
	c.registered = true
	c.acc.conns++
	if s.authRequired {
		if s.opts.Auth.NoAuthUser == "" {
			c.parser.SetAwaitingConnect(true)
		}
		c.startAuthTimer()
	}
	c.setPingTimer(s.opts.PingInterval)
	return c
}

// unregister forgets a closing client.
func (s *Server) unregister(c *client) {
	if !c.registered {
		return
	}
	c.registered = false
	delete(s.clients, c.cid)
	c.acc.conns--
	s.setAsyncInfo(c, false)
}

// setAsyncInfo marks whether c is counted in asyncInfoClients. Counting
// by this mark rather than by c's CONNECT options keeps the count exact
// when a CONNECT fails or a second CONNECT changes the protocol.
func (s *Server) setAsyncInfo(c *client, on bool) {
	if c.asyncInfo == on {
		return
	}
	c.asyncInfo = on
	if on {
		s.asyncInfoClients++
	} else {
		s.asyncInfoClients--
	}
}

// connectionGone is called once per accepted connection, on its Closed
// event; the last one completes a shutdown.
func (s *Server) connectionGone(c *client) {
	s.open--
	s.maybeFinishShutdown()
}

// sortedClients returns the registered clients in connection order, so
// bulk operations do not depend on map order.
func (s *Server) sortedClients() []*client {
	out := make([]*client, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *client) int { return cmp.Compare(a.cid, b.cid) })
	return out
}

// SetConnectURLs replaces the INFO connect_urls (other servers a client
// may reconnect to) and tells clients that take async INFO.
func (s *Server) SetConnectURLs(urls []string) {
	s.info.ConnectURLs = slices.Clone(urls)
	s.sendAsyncInfo(s.info)
}

// sendAsyncInfo sends info to every client that declared protocol >= 1
// and has completed its first PING/PONG.
func (s *Server) sendAsyncInfo(info serverInfo) {
	if s.asyncInfoClients == 0 {
		return
	}
	for _, c := range s.sortedClients() {
		if c.opts.Protocol >= clientProtoInfo && c.firstPongSent {
			c.sendInfo(info)
		}
	}
}

// randReader turns the node's seeded generator into an io.Reader (for
// key generation), so ids are reproducible in the simulator.
type randReader struct{ r *rand.Rand }

func (rr randReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(rr.r.Uint32())
	}
	return len(p), nil
}

var _ io.Reader = randReader{}

// discardLogger drops every line.
type discardLogger struct{}

func (discardLogger) Noticef(string, ...any) {}
func (discardLogger) Warnf(string, ...any)   {}
func (discardLogger) Errorf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any)  {}
func (discardLogger) Tracef(string, ...any)  {}
