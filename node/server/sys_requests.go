package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"jsnode/node/auth"
	"jsnode/node/monitor"
)

// The system account's request services, as nats-server serves them:
//
//   - $SYS.REQ.SERVER.PING: every server answers with its STATSZ;
//   - $SYS.REQ.SERVER.PING.<Z> and $SYS.REQ.SERVER.<id>.<Z>: every server
//     (or the one named) answers with the monitoring document Z, in the
//     {server, data, error} envelope. The body holds Z's options and a
//     filter (server_name, cluster, host, tags, domain); a server the
//     filter does not select stays silent;
//   - $SYS.REQ.ACCOUNT.<acc>.<Z>: the same, about one account. Every
//     other account imports the CONNZ, STATZ and USER.INFO ones under
//     account-neutral subjects (sys_imports.go), so its users see only
//     their own account.
//
// Only system-account users reach these subscriptions: they live in the
// system account.

// zHandler computes one monitoring document from the request body; the
// account is set for $SYS.REQ.ACCOUNT requests.
type zHandler func(s *Server, acc string, body []byte) (any, *monitor.EventFilterOptions, error)

// errNoReply makes a handler stay silent (filtered out, or nothing to
// say about that account).
var errNoReply = errors.New("no reply")

// errBadRequest wraps a body that did not parse (code 400).
type errBadRequest struct{ err error }

func (e errBadRequest) Error() string { return e.err.Error() }

// serverZ are the documents of $SYS.REQ.SERVER.PING.<Z> and .<id>.<Z>.
var serverZ = map[string]zHandler{
	"IDZ":    func(s *Server, _ string, b []byte) (any, *monitor.EventFilterOptions, error) { return s.idz(b) },
	"STATSZ": func(s *Server, _ string, b []byte) (any, *monitor.EventFilterOptions, error) { return s.statszZ(b) },
	"VARZ": zReq(func(s *Server, _ string, o *struct{}) (any, error) {
		return s.Varz(), nil
	}),
	"CONNZ": zReq(func(s *Server, _ string, o *monitor.ConnzOptions) (any, error) {
		if o.FilterSubject != "" && o.Account == "" {
			return nil, errors.New("filter by subject only valid with account filtering")
		}
		return s.Connz(o)
	}),
	"ROUTEZ":   zReq(func(s *Server, _ string, o *monitor.RoutezOptions) (any, error) { return s.Routez(o) }),
	"SUBSZ":    zReq(func(s *Server, _ string, o *monitor.SubszOptions) (any, error) { return s.Subsz(o) }),
	"ACCOUNTZ": zReq(func(s *Server, _ string, o *monitor.AccountzOptions) (any, error) { return s.Accountz(o) }),
	"HEALTHZ":  zReq(func(s *Server, _ string, o *monitor.HealthzOptions) (any, error) { return s.Healthz(o), nil }),
	// JSZ is the attached JetStream's (or "disabled"); leaf nodes and
	// gateways are not built yet and answer as with the feature off.
	"JSZ":      zReq(func(s *Server, _ string, o *monitor.JszOptions) (any, error) { return s.Jsz(o) }),
	"LEAFZ":    zReq(func(s *Server, _ string, o *monitor.LeafzOptions) (any, error) { return s.Leafz(o) }),
	"GATEWAYZ": zReq(func(s *Server, _ string, o *monitor.GatewayzOptions) (any, error) { return s.Gatewayz(o) }),
}

// unsupportedZ are documents nats-server serves that jsnode does not have
// yet: they answer with an error naming them rather than staying silent.
var unsupportedZ = []string{"PROFILEZ", "EXPVARZ", "IPQUEUESZ", "RAFTZ"}

// accountZ are the documents of $SYS.REQ.ACCOUNT.<acc>.<Z>.
var accountZ = map[string]zHandler{
	"CONNZ": zReq(func(s *Server, acc string, o *monitor.ConnzOptions) (any, error) {
		if acc != "PING" {
			o.Account = acc
		}
		return s.Connz(o)
	}),
	"SUBSZ": zReq(func(s *Server, acc string, o *monitor.SubszOptions) (any, error) {
		o.Account, o.Subscriptions = acc, true
		return s.Subsz(o)
	}),
	"INFO": zReq(func(s *Server, acc string, _ *struct{}) (any, error) {
		z, err := s.Accountz(&monitor.AccountzOptions{Account: acc})
		if err != nil {
			return nil, err
		}
		return z.Account, nil
	}),
	"JSZ": zReq(func(s *Server, acc string, o *monitor.JszOptions) (any, error) {
		if s.js == nil {
			return nil, errors.New("jetstream not enabled")
		}
		o.Account = acc
		return s.js.JszAccount(o)
	}),
	"STATZ": zReq(func(s *Server, acc string, o *monitor.AccStatzOptions) (any, error) {
		if acc != "PING" {
			o.Accounts = []string{acc}
		}
		z, _ := s.Accstatz(o)
		if len(z.Accounts) == 0 && !o.IncludeUnused {
			return nil, errNoReply
		}
		return z, nil
	}),
	"CONNS": func(s *Server, acc string, _ []byte) (any, *monitor.EventFilterOptions, error) {
		a := s.accounts[acc]
		if a == nil || a.conns == 0 {
			return nil, nil, errNoReply
		}
		return bareReply{s.accountNumConns(a)}, nil, nil
	},
}

// bareReply marks a document sent without the envelope.
type bareReply struct{ v any }

// zReq adapts a typed handler: the body parses into the options and the
// filter.
func zReq[T any](f func(s *Server, acc string, o *T) (any, error)) zHandler {
	return func(s *Server, acc string, body []byte) (any, *monitor.EventFilterOptions, error) {
		opts, filter, err := monitor.ParseRequest[T](body)
		if err != nil {
			return nil, nil, errBadRequest{err}
		}
		v, err := f(s, acc, opts)
		return v, filter, err
	}
}

// subscribeRequests subscribes every request subject.
func (s *Server) subscribeRequests() {
	sys := s.sys
	sys.sub("$SYS.REQ.SERVER.PING", false, func(m *Msg) { s.answerZ(m, "", serverZ["STATSZ"]) })
	for _, z := range slices.Sorted(maps.Keys(serverZ)) {
		h := serverZ[z]
		sys.sub("$SYS.REQ.SERVER.PING."+z, false, func(m *Msg) { s.answerZ(m, "", h) })
		sys.sub("$SYS.REQ.SERVER."+s.id+"."+z, false, func(m *Msg) { s.answerZ(m, "", h) })
	}
	for _, z := range unsupportedZ {
		h := unsupported(z)
		sys.sub("$SYS.REQ.SERVER.PING."+z, false, func(m *Msg) { s.answerZ(m, "", h) })
		sys.sub("$SYS.REQ.SERVER."+s.id+"."+z, false, func(m *Msg) { s.answerZ(m, "", h) })
	}
	sys.sub("$SYS.REQ.SERVER."+s.id+".RELOAD", false, s.reloadRequest)
	sys.sub("$SYS.REQ.SERVER."+s.id+".KICK", false, func(m *Msg) { s.kickRequest(m, false) })
	sys.sub("$SYS.REQ.SERVER."+s.id+".LDM", false, func(m *Msg) { s.kickRequest(m, true) })
	for _, z := range slices.Sorted(maps.Keys(accountZ)) {
		h := accountZ[z]
		sys.sub("$SYS.REQ.ACCOUNT.*."+z, false, func(m *Msg) {
			acc, ok := accountOfRequest(m.Subject)
			if !ok {
				s.replyEnvelope(m, nil, errBadRequest{fmt.Errorf("subject %q is malformed", m.Subject)})
				return
			}
			s.answerZ(m, acc, h)
		})
	}
	for _, z := range []string{"LEAFZ", "JSZ"} {
		h := serverZ[z]
		sys.sub("$SYS.REQ.ACCOUNT.*."+z, false, func(m *Msg) { s.answerZ(m, "", h) })
	}
	// User info is answered only by the requester's own server.
	sys.sub("$SYS.REQ.USER.*.INFO", true, s.userInfo)
}

// unsupported answers a document jsnode does not serve with an error
// naming it.
func unsupported(z string) zHandler {
	return func(*Server, string, []byte) (any, *monitor.EventFilterOptions, error) {
		return nil, nil, fmt.Errorf("%s is not supported by jsnode yet", z)
	}
}

// accountOfRequest extracts <acc> from $SYS.REQ.ACCOUNT.<acc>.<Z>.
func accountOfRequest(subj string) (string, bool) {
	toks := strings.Split(subj, ".")
	if len(toks) != 5 {
		return "", false
	}
	return toks[3], true
}

// answerZ runs a handler and replies, unless the filter deselects this
// server or the handler has nothing to say.
func (s *Server) answerZ(m *Msg, acc string, h zHandler) {
	if m.Reply == "" {
		return
	}
	v, filter, err := h(s, acc, m.Data)
	if errors.Is(err, errNoReply) {
		return
	}
	if filter != nil && !filter.Matches(s.info.Name, s.clusterName(), s.info.Host, nil, "") {
		return
	}
	if b, ok := v.(bareReply); ok {
		s.reply(m, b.v)
		return
	}
	s.replyEnvelope(m, v, err)
}

// replyEnvelope answers with the {server, data, error} envelope.
func (s *Server) replyEnvelope(m *Msg, v any, err error) {
	si := s.eventServerInfo()
	var resp *monitor.ServerAPIResponse
	var bad errBadRequest
	switch {
	case errors.As(err, &bad):
		resp = monitor.BadRequest(si, bad.err)
	case err != nil:
		resp = monitor.Failed(si, err)
	default:
		resp = monitor.Answer(si, v)
	}
	s.reply(m, resp)
}

// reply publishes v as JSON on the request's reply subject, compressed
// when the request's Accept-Encoding asks for it (as the nats CLI does).
func (s *Server) reply(m *Msg, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.Errorf("Error marshaling reply to %s: %v", m.Subject, err)
		return
	}
	hdr, b := compressReply(m.Header, b)
	s.sys.acc.Publish(m.Reply, "", hdr, b)
}

// idz is the IDZ reply (bare).
func (s *Server) idz(body []byte) (any, *monitor.EventFilterOptions, error) {
	_, filter, err := monitor.ParseRequest[struct{}](body)
	if err != nil {
		return nil, nil, errBadRequest{err}
	}
	return bareReply{monitor.Idz{Name: s.info.Name, Host: s.info.Host, ID: s.id}}, filter, nil
}

// statszZ is the STATSZ reply (bare).
func (s *Server) statszZ(body []byte) (any, *monitor.EventFilterOptions, error) {
	_, filter, err := monitor.ParseRequest[struct{}](body)
	if err != nil {
		return nil, nil, errBadRequest{err}
	}
	return bareReply{s.statszMsg()}, filter, nil
}

// accountNumConns is the CONNS reply.
func (s *Server) accountNumConns(a *Account) *monitor.AccountNumConns {
	return &monitor.AccountNumConns{
		TypedEvent:  monitor.TypedEvent{Type: monitor.AccountNumConnsMsgType, ID: s.eventID(), Time: s.env.Clock.Now().UTC()},
		Server:      *s.eventServerInfo(),
		AccountStat: *a.stat(),
	}
}

// kickRequest disconnects (or sends into lame duck) the client named by
// {"cid": N}.
func (s *Server) kickRequest(m *Msg, ldm bool) {
	var req struct {
		CID uint64 `json:"cid"`
	}
	if err := json.Unmarshal(m.Data, &req); err != nil {
		s.replyEnvelope(m, nil, errBadRequest{err})
		return
	}
	c := s.clients[req.CID]
	if c == nil {
		s.replyEnvelope(m, nil, fmt.Errorf("client %d not found", req.CID))
		return
	}
	if ldm {
		info := s.info
		info.LameDuckMode = true
		c.sendInfo(info)
	} else {
		c.closeConnection(Kicked)
	}
	if m.Reply != "" {
		s.replyEnvelope(m, struct{}{}, nil)
	}
}

// userInfo answers who the requester is: its user, account and
// permissions.
func (s *Server) userInfo(m *Msg) {
	c := m.from
	if m.Reply == "" || c == nil || c.conn == nil || c.route != nil {
		return
	}
	ui := &monitor.UserInfo{UserID: c.user, Account: c.acc.name}
	if p := c.permissions; p != nil {
		ui.Permissions = monitorPermissions(p)
	}
	s.replyEnvelope(m, ui, nil)
}

// monitorPermissions converts a user's permissions for USER.INFO.
func monitorPermissions(p *auth.Permissions) *monitor.Permissions {
	conv := func(sp *auth.SubjectPermission) *monitor.SubjectPermission {
		if sp == nil {
			return nil
		}
		return &monitor.SubjectPermission{Allow: sp.Allow, Deny: sp.Deny}
	}
	out := &monitor.Permissions{Publish: conv(p.Publish), Subscribe: conv(p.Subscribe)}
	if r := p.Response; r != nil {
		out.Response = &monitor.ResponsePermission{MaxMsgs: r.MaxMsgs, Expires: r.Expires}
	}
	return out
}

// errReloadUnavailable answers a RELOAD request the host cannot serve.
var errReloadUnavailable = errors.New("configuration reload is not available: the server was not started from a configuration file by a host that can reload it")

// reloadRequest is $SYS.REQ.SERVER.<id>.RELOAD: the host reloads the
// configuration as on SIGHUP (Env.Reload, off the loop), and the answer,
// the envelope without data or with the reason it failed, goes out when
// that is done. The body is an event filter, as for the other requests.
func (s *Server) reloadRequest(m *Msg) {
	if m.Reply == "" {
		return
	}
	_, filter, err := monitor.ParseRequest[struct{}](m.Data)
	if err != nil {
		s.replyEnvelope(m, nil, errBadRequest{err})
		return
	}
	if filter != nil && !filter.Matches(s.info.Name, s.clusterName(), s.info.Host, nil, "") {
		return
	}
	if s.env.Reload == nil {
		s.replyEnvelope(m, nil, errReloadUnavailable)
		return
	}
	// The request outlives this delivery: keep what the reply needs.
	req := &Msg{Subject: m.Subject, Reply: m.Reply, Header: append([]byte(nil), m.Header...)}
	s.env.Reload(func(err error) { s.replyEnvelope(req, nil, err) })
}
