package server

import (
	"fmt"
	"reflect"
	"slices"

	"jsnode/node/auth"
)

// The diff walks every field of Options by reflection, so a field added
// later is refused by a reload until someone decides how it reloads (the
// safe default, and nats-server's). Fields with a handler reload; the
// handler adds the "Reloaded:" notices and may refuse a change itself.

// reloadHandler compares one option field; old and next are its values.
type reloadHandler func(p *ReloadPlan, name string, old, next reflect.Value) error

// Notice ranks follow nats-server's option order, so the lines come out
// in the order nats-server prints them.
const (
	rankClientAdvertise = iota + 1
	rankTrace
	rankDebug
	rankLogtime
	rankMaxConn
	rankNkeys
	rankUsers
	rankAccounts
	rankUsername
	rankPassword
	rankToken
	rankPingInterval
	rankPingMax
	rankAuthTimeout
	rankControlLine
	rankPayload
	rankCluster
	rankRoutes
	rankWriteDeadline
	rankLogFile
	rankOther
)

// reloadHandlers are the options that reload. Fields not listed here (Port,
// Host, ServerName, MaxSubs, MaxPending, NoHeaderSupport, the HTTP
// monitor, MaxClosedClients, the lame-duck settings, NoSystemAccount)
// refuse a reload that changes them, as nats-server 2.15 does.
var reloadHandlers = map[string]reloadHandler{
	"ConfigFile":      ignoreOption,
	"ConfigDigest":    ignoreOption,
	"ClientAdvertise": noticeOnChange(rankClientAdvertise, "Reload: client_advertise = %v"),
	"Trace":           noticeOnChange(rankTrace, "Reloaded: trace = %v"),
	"Debug":           noticeOnChange(rankDebug, "Reloaded: debug = %v"),
	"MaxConn":         noticeOnChange(rankMaxConn, "Reloaded: max_connections = %v"),
	"PingInterval":    noticeOnChange(rankPingInterval, "Reloaded: ping_interval = %v"),
	"MaxPingsOut":     noticeOnChange(rankPingMax, "Reloaded: ping_max = %v"),
	"MaxControlLine":  noticeOnChange(rankControlLine, "Reloaded: max_control_line = %v"),
	"MaxPayload":      noticeOnChange(rankPayload, "Reloaded: max_payload = %v"),
	"WriteDeadline":   noticeOnChange(rankWriteDeadline, "Reloaded: write_deadline = %v"),
	"Auth":            diffAuth,
	"Accounts":        diffAccounts,
	"Mappings":        diffMappings,
	"SystemAccount":   refuseOnChange,
	"Cluster":         diffCluster,
	// Options nats-server reloads that other parts of jsnode may add;
	// they take effect because the server reads them from its options.
	"MaxTracedMsgLen":       noticeOnChange(rankOther, "Reloaded: max_traced_msg_len = %v"),
	"ConnectErrorReports":   noticeOnChange(rankOther, "Reloaded: connect_error_reports = %v"),
	"ReconnectErrorReports": noticeOnChange(rankOther, "Reloaded: reconnect_error_reports = %v"),
	"Logtime":               noticeOnChange(rankLogtime, "Reloaded: logtime = %v"),
	"LogFile":               noticeOnChange(rankLogFile, "Reloaded: log_file = %v"),
}

// diff fills p from the differences between p.prev and p.next, or
// returns the error that refuses the reload.
func (p *ReloadPlan) diff() error {
	ov := reflect.ValueOf(&p.prev).Elem()
	nv := reflect.ValueOf(&p.next).Elem()
	t := ov.Type()
	for i := range t.NumField() {
		name := t.Field(i).Name
		h := reloadHandlers[name]
		if h == nil {
			h = refuseOnChange
		}
		if err := h(p, name, ov.Field(i), nv.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

// notSupported is nats-server's refusal.
func notSupported(name string, old, next any) error {
	return fmt.Errorf("config reload not supported for %s: old=%v, new=%v", name, old, next)
}

func ignoreOption(*ReloadPlan, string, reflect.Value, reflect.Value) error { return nil }

func refuseOnChange(_ *ReloadPlan, name string, old, next reflect.Value) error {
	if reflect.DeepEqual(old.Interface(), next.Interface()) {
		return nil
	}
	return notSupported(name, old.Interface(), next.Interface())
}

// noticeOnChange reloads the field and logs format with the new value.
func noticeOnChange(rank int, format string) reloadHandler {
	return func(p *ReloadPlan, _ string, old, next reflect.Value) error {
		if !reflect.DeepEqual(old.Interface(), next.Interface()) {
			p.note(rank, fmt.Sprintf(format, next.Interface()))
		}
		return nil
	}
}

func (p *ReloadPlan) note(rank int, text string) {
	p.notices = append(p.notices, reloadNotice{rank: rank, text: text})
}

// diffAuth reloads the authorization. nats-server re-checks it on every
// reload and says so ("authorization users"); no_auth_user may only be
// dropped together with its user.
func diffAuth(p *ReloadPlan, _ string, _, _ reflect.Value) error {
	old, next := &p.prev.Auth, &p.next.Auth
	if old.NoAuthUser != next.NoAuthUser {
		if old.NoAuthUser == "" || next.NoAuthUser != "" || hasUser(next.Users, old.NoAuthUser) {
			return notSupported("NoAuthUser", old.NoAuthUser, next.NoAuthUser)
		}
	}
	if !reflect.DeepEqual(old.Nkeys, next.Nkeys) {
		p.note(rankNkeys, "Reloaded: authorization nkey users")
	}
	p.note(rankUsers, "Reloaded: authorization users")
	if old.Username != next.Username {
		p.note(rankUsername, "Reloaded: authorization username")
	}
	if old.Password != next.Password {
		p.note(rankPassword, "Reloaded: authorization password")
	}
	if old.Token != next.Token {
		p.note(rankToken, "Reloaded: authorization token")
	}
	if old.Timeout != next.Timeout {
		p.note(rankAuthTimeout, fmt.Sprintf("Reloaded: authorization timeout = %v", next.Timeout.Seconds()))
	}
	return nil
}

// diffAccounts: nats-server rebuilds the accounts on every reload.
func diffAccounts(p *ReloadPlan, _ string, old, next reflect.Value) error {
	p.note(rankAccounts, "Reloaded: accounts")
	if !reflect.DeepEqual(old.Interface(), next.Interface()) {
		p.accountsChanged = true
	}
	return nil
}

// diffMappings: the top-level mappings are $G's, part of the accounts.
func diffMappings(p *ReloadPlan, _ string, old, next reflect.Value) error {
	if !reflect.DeepEqual(old.Interface(), next.Interface()) {
		p.accountsChanged = true
	}
	return nil
}

// diffCluster refuses a new cluster listener (host or port; turning
// clustering on or off is a port change) and reloads the rest: routes
// added and removed, the name, authorization, advertise settings and
// route timing.
func diffCluster(p *ReloadPlan, _ string, _, _ reflect.Value) error {
	old, next := p.prev.Cluster, p.next.Cluster
	if old.Host != next.Host {
		return fmt.Errorf("config reload not supported for cluster host: old=%s, new=%s", old.Host, next.Host)
	}
	if old.Port != next.Port {
		return fmt.Errorf("config reload not supported for cluster port: old=%d, new=%d", old.Port, next.Port)
	}
	p.routesAdd, p.routesRemove = diffRoutes(old.Routes, next.Routes)
	if len(p.routesAdd)+len(p.routesRemove) > 0 {
		p.note(rankRoutes, "Reloaded: cluster routes")
	}
	old.Routes, next.Routes = nil, nil
	old.LocalIPs, next.LocalIPs = nil, nil
	if !reflect.DeepEqual(old, next) {
		p.clusterChanged = true
		p.note(rankCluster, "Reloaded: cluster")
	}
	return nil
}

// diffRoutes lists the configured routes that are new and those that are
// gone, compared by the address dialled and the credentials used.
func diffRoutes(old, next []string) (add, remove []routeURL) {
	parse := func(list []string) []routeURL {
		out := make([]routeURL, 0, len(list))
		for _, r := range list {
			if u, err := parseRouteURL(r); err == nil {
				out = append(out, u)
			}
		}
		return out
	}
	o, n := parse(old), parse(next)
	same := func(a, b routeURL) bool { return a.hostPort == b.hostPort && a.user == b.user && a.pass == b.pass }
	for _, u := range o {
		if !slices.ContainsFunc(n, func(v routeURL) bool { return same(u, v) }) {
			remove = append(remove, u)
		}
	}
	for _, u := range n {
		if !slices.ContainsFunc(o, func(v routeURL) bool { return same(u, v) }) {
			add = append(add, u)
		}
	}
	return add, remove
}

func hasUser(users []*auth.User, name string) bool {
	return slices.ContainsFunc(users, func(u *auth.User) bool { return u != nil && u.Username == name })
}
