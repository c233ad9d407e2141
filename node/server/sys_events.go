package server

import (
	"encoding/json"
	"strings"
	"time"

	"jsnode/clock"
	"jsnode/node/monitor"
)

// The system account's events: the server's periodic STATSZ, its
// shutdown and lame-duck notices, client CONNECT/DISCONNECT advisories
// and account connection counts. Every event is an internal publish in
// the system account, so it reaches system users on any server of the
// cluster like any other message.

// Event subjects (nats-server's).
const (
	statszSubj      = "$SYS.SERVER.%s.STATSZ"
	shutdownSubj    = "$SYS.SERVER.%s.SHUTDOWN"
	lameDuckSubj    = "$SYS.SERVER.%s.LAMEDUCK"
	connectSubj     = "$SYS.ACCOUNT.%s.CONNECT"
	disconnectSubj  = "$SYS.ACCOUNT.%s.DISCONNECT"
	accConnsSubj    = "$SYS.ACCOUNT.%s.SERVER.CONNS"
	accConnsOldSubj = "$SYS.SERVER.ACCOUNT.%s.CONNS"
)

// Event timing (nats-server's): the first STATSZ after statszFirst, the
// gap doubling up to statszMax; account connection heartbeats every
// accConnsHeartbeat; a remote server unheard of for remoteOrphan is
// forgotten.
const (
	statszFirst       = 250 * time.Millisecond
	statszMax         = 10 * time.Second
	accConnsHeartbeat = 30 * time.Second
	remoteOrphan      = 150 * time.Second
	// maxRemoteServers bounds the servers tracked from their STATSZ.
	maxRemoteServers = 4096
)

// sysState is the system account machinery of one server.
type sysState struct {
	acc       *Account
	shash     string // 8-char server hash
	seq       uint64
	statszGap time.Duration
	statsz    clock.Timer
	connsHB   clock.Timer
	remotes   map[string]time.Time // server id -> last STATSZ seen
	unsubs    []func()
	stopped   bool
}

// startSystem subscribes the system services and starts the events. It
// runs once the listeners are up (and the cluster, so the interest is
// announced to the routes).
func (s *Server) startSystem() {
	if s.sysAcc == nil {
		return
	}
	sys := &sysState{acc: s.sysAcc, shash: monitor.ServerHash(s.info.Name), statszGap: statszFirst,
		remotes: make(map[string]time.Time)}
	s.sys = sys
	s.subscribeRequests()
	sys.sub(fmtSubj(statszSubj, "*"), false, s.remoteStatsz)
	sys.sub(fmtSubj(shutdownSubj, "*"), false, s.remoteGone)
	sys.sub(fmtSubj(lameDuckSubj, "*"), false, s.remoteGone)
	sys.statsz = s.env.Clock.AfterFunc(sys.statszGap, s.heartbeatStatsz)
}

// stopSystem announces the shutdown and stops the timers.
func (s *Server) stopSystem() {
	sys := s.sys
	if sys == nil || sys.stopped {
		return
	}
	s.publishEvent(fmtSubj(shutdownSubj, s.id), s.eventServerInfo())
	sys.stopped = true
	if sys.statsz != nil {
		sys.statsz.Stop()
	}
	if sys.connsHB != nil {
		sys.connsHB.Stop()
	}
}

// lameDuckEvent tells the other servers this one is going away.
func (s *Server) lameDuckEvent() {
	if s.sys != nil && !s.sys.stopped {
		s.publishEvent(fmtSubj(lameDuckSubj, s.id), s.eventServerInfo())
	}
}

// sub subscribes a system handler; local ones are not announced to the
// routes.
func (sys *sysState) sub(subj string, local bool, h MsgHandler) {
	unsub, err := sys.acc.subscribeInternalScope(subj, "", local, h)
	if err == nil {
		sys.unsubs = append(sys.unsubs, unsub)
	}
}

// fmtSubj fills the %s of a subject template.
func fmtSubj(tmpl, v string) string { return strings.Replace(tmpl, "%s", v, 1) }

// eventServerInfo is the "server" object of an event or reply; each call
// takes the next sequence number.
func (s *Server) eventServerInfo() *monitor.ServerInfo {
	s.sys.seq++
	return &monitor.ServerInfo{Name: s.info.Name, Host: s.info.Host, ID: s.id, Cluster: s.clusterName(),
		Version: ServerVersion, Seq: s.sys.seq, Time: s.env.Clock.Now().UTC()}
}

// publishEvent marshals v and publishes it in the system account.
func (s *Server) publishEvent(subj string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.Errorf("Error marshaling system event %s: %v", subj, err)
		return
	}
	s.sys.acc.Publish(subj, "", nil, b)
}

// heartbeatStatsz publishes STATSZ and re-arms with a doubled gap. A
// standalone server publishes only when a client listens.
func (s *Server) heartbeatStatsz() {
	sys := s.sys
	sys.statsz = nil
	if sys.stopped {
		return
	}
	subj := fmtSubj(statszSubj, s.id)
	if s.cluster != nil || s.clientInterest(sys.acc, subj) {
		s.publishEvent(subj, s.statszMsg())
	}
	sys.statszGap = min(2*sys.statszGap, statszMax)
	sys.statsz = s.env.Clock.AfterFunc(sys.statszGap, s.heartbeatStatsz)
}

// clientInterest reports whether a client (not the server itself)
// subscribes to subj in acc.
func (s *Server) clientInterest(acc *Account, subj string) bool {
	r := acc.index.Match(subj)
	for _, sub := range r.Plain {
		if sub.handler == nil {
			return true
		}
	}
	return len(r.Queues) > 0
}

// statszMsg is this server's STATSZ.
func (s *Server) statszMsg() *monitor.ServerStatsMsg {
	st := monitor.ServerStats{
		Start: s.mon.start.UTC(), Mem: s.mon.proc.rss, Cores: s.mon.proc.cores, CPU: s.mon.proc.cpu,
		Connections: len(s.clients), TotalConnections: uint64(s.totalConns),
		ActiveAccounts: s.activeAccounts(), NumSubs: uint32(s.NumSubscriptions()),
		Sent:          eventStats(s.stats.OutMsgs, s.stats.OutBytes),
		Received:      eventStats(s.stats.InMsgs, s.stats.InBytes),
		SlowConsumers: s.slowConsumers, ActiveServers: len(s.sys.remotes) + 1,
		StalledClients: s.stalledClients,
	}
	if s.cluster != nil {
		for _, r := range s.cluster.routes {
			st.Routes = append(st.Routes, &monitor.RouteStat{ID: r.cid, Name: r.route.remoteName,
				Sent:     eventStats(r.stats.OutMsgs, r.stats.OutBytes),
				Received: eventStats(r.stats.InMsgs, r.stats.InBytes),
				Pending:  r.conn.Buffered()})
		}
	}
	return &monitor.ServerStatsMsg{Server: *s.eventServerInfo(), Stats: st}
}

// activeAccounts counts accounts with local connections.
func (s *Server) activeAccounts() int {
	n := 0
	for _, a := range s.accounts {
		if a.conns > 0 {
			n++
		}
	}
	return n
}

// remoteStatsz notes a peer's STATSZ, for active_servers.
func (s *Server) remoteStatsz(m *Msg) {
	var msg struct {
		Server monitor.ServerInfo `json:"server"`
	}
	if json.Unmarshal(m.Data, &msg) != nil || msg.Server.ID == "" || msg.Server.ID == s.id {
		return
	}
	sys := s.sys
	now := s.env.monoNow()
	for id, seen := range sys.remotes { // which ones go does not depend on the order
		if now.Sub(seen) > remoteOrphan {
			delete(sys.remotes, id)
		}
	}
	if _, known := sys.remotes[msg.Server.ID]; known || len(sys.remotes) < maxRemoteServers {
		sys.remotes[msg.Server.ID] = now
	}
}

// remoteGone forgets a peer that announced its shutdown or lame duck.
func (s *Server) remoteGone(m *Msg) {
	var si monitor.ServerInfo
	if json.Unmarshal(m.Data, &si) == nil {
		delete(s.sys.remotes, si.ID)
	}
}

// clientInfo describes c in events and replies.
func (c *client) clientInfo() monitor.ClientInfo {
	start := c.start.UTC()
	ci := monitor.ClientInfo{Start: &start, Host: c.host, ID: c.cid, Account: c.acc.name, User: c.user,
		Name: c.opts.Name, Lang: c.opts.Lang, Version: c.opts.Version, RTT: c.rtt,
		Server: c.srv.info.Name, Cluster: c.srv.clusterName(), Kind: "Client", ClientType: "nats"}
	return ci
}

// connectEvent publishes the CONNECT advisory of an authenticated
// client, and its account's new connection count.
func (c *client) connectEvent() {
	s := c.srv
	if s.sys == nil || s.sys.stopped {
		return
	}
	c.eventSent = true
	ev := monitor.ConnectEventMsg{
		TypedEvent: monitor.TypedEvent{Type: monitor.ConnectEventMsgType, ID: s.eventID(), Time: s.env.Clock.Now().UTC()},
		Server:     *s.eventServerInfo(), Client: c.clientInfo(),
	}
	s.publishEvent(fmtSubj(connectSubj, c.acc.name), &ev)
	s.accountConnsChanged(c.acc)
}

// disconnectEvent publishes the DISCONNECT advisory of a client whose
// CONNECT was announced.
func (c *client) disconnectEvent(reason ClosedState) {
	s := c.srv
	if !c.eventSent || s.sys == nil || s.sys.stopped {
		return
	}
	c.eventSent = false
	now := s.env.Clock.Now().UTC()
	ci := c.clientInfo()
	ci.Stop = &now
	ev := monitor.DisconnectEventMsg{
		TypedEvent: monitor.TypedEvent{Type: monitor.DisconnectEventMsgType, ID: s.eventID(), Time: now},
		Server:     *s.eventServerInfo(), Client: ci,
		Sent:     eventStats(c.stats.InMsgs, c.stats.InBytes),
		Received: eventStats(c.stats.OutMsgs, c.stats.OutBytes),
		Reason:   reason.String(),
	}
	s.publishEvent(fmtSubj(disconnectSubj, c.acc.name), &ev)
	s.accountConnsChanged(c.acc)
}

// eventID is a unique advisory id from the node's seeded source.
func (s *Server) eventID() string { return s.randomName(22) }

// accountConnsChanged publishes an account's connection count (never for
// $G, as nats-server) and keeps the heartbeat running while any account
// has connections.
func (s *Server) accountConnsChanged(a *Account) {
	if a == s.gacc {
		return
	}
	s.publishAccountConns(a)
	if s.sys.connsHB == nil {
		s.sys.connsHB = s.env.Clock.AfterFunc(accConnsHeartbeat, s.accountConnsHeartbeat)
	}
}

func (s *Server) publishAccountConns(a *Account) {
	ev := monitor.AccountNumConns{
		TypedEvent:  monitor.TypedEvent{Type: monitor.AccountNumConnsMsgType, ID: s.eventID(), Time: s.env.Clock.Now().UTC()},
		Server:      *s.eventServerInfo(),
		AccountStat: *a.stat(),
	}
	s.publishEvent(fmtSubj(accConnsSubj, a.name), &ev)
	s.publishEvent(fmtSubj(accConnsOldSubj, a.name), &ev)
}

// accountConnsHeartbeat repeats the counts of accounts with connections.
func (s *Server) accountConnsHeartbeat() {
	sys := s.sys
	sys.connsHB = nil
	if sys.stopped {
		return
	}
	any := false
	for _, a := range s.accountsInOrder() {
		if a.conns > 0 && a != s.gacc {
			s.publishAccountConns(a)
			any = true
		}
	}
	if any {
		sys.connsHB = s.env.Clock.AfterFunc(accConnsHeartbeat, s.accountConnsHeartbeat)
	}
}

// eventStats is a message and byte count as events spell it.
func eventStats(msgs, bytes int64) monitor.DataStats {
	return monitor.DataStats{MsgBytes: monitor.MsgBytes{Msgs: msgs, Bytes: bytes}}
}
