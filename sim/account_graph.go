package sim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"jsnode/node/server"
)

// accountGraph is the simulator's own reading of a node's accounts: the
// account each user logs into, and where stream and service imports carry
// messages, with their subject mappings. The workload checks decide from
// it what each subscriber and responder may receive. It is written apart
// from node/server (its matching and mapping too), so that a bug in the
// server's account code does not hide in the checks as well.
//
// It models what the accounts workload needs and refuses, at load time,
// configs whose effect it cannot predict: account mappings, permissions,
// stream-import transforms other than $N / {{wildcard(N)}}, and chains
// of service imports.
type accountGraph struct {
	users    map[string]graphUser
	noAuth   string // user a client without credentials becomes
	streams  []graphStream
	services []graphService
}

// graphUser is one user/password entry.
type graphUser struct {
	account  string
	password string
	perms    bool // has publish/subscribe permissions
}

// graphStream is one stream import: messages the exporter publishes on
// subjects matching from reach the importer, mapped by local.
type graphStream struct {
	importer, exporter string
	from               string
	prefix             string // set: the local subject is prefix + subject
	to                 string // set (no prefix): a transform of from
}

// graphService is one service import: requests the importer publishes on
// subjects matching local are re-published in the exporter on remote.
type graphService struct {
	importer, exporter string
	local, remote      string
}

// delivery is where a message is seen: an account and the subject its
// subscribers there see it on.
type delivery struct {
	account, subject string
}

// newAccountGraph reads o's users and accounts.
func newAccountGraph(o *server.Options) (*accountGraph, error) {
	g := &accountGraph{users: make(map[string]graphUser), noAuth: o.Auth.NoAuthUser}
	for _, u := range o.Auth.Users {
		g.users[u.Username] = graphUser{account: accountName(u.Account), password: u.Password,
			perms: u.Permissions != nil || o.Auth.DefaultPermissions != nil}
	}
	if len(o.Mappings) > 0 {
		return nil, fmt.Errorf("subject mappings are not modelled (top-level mappings)")
	}
	for _, ao := range o.Accounts {
		if len(ao.Mappings) > 0 {
			return nil, fmt.Errorf("subject mappings are not modelled (account %s)", ao.Name)
		}
		for _, im := range ao.Imports {
			if err := g.addImport(ao.Name, im); err != nil {
				return nil, fmt.Errorf("account %s: %w", ao.Name, err)
			}
		}
	}
	return g, g.checkServiceChains()
}

// accountName maps a user's account ("" = none) to its account's name.
func accountName(acc string) string {
	if acc == "" {
		return server.GlobalAccount
	}
	return acc
}

func (g *accountGraph) addImport(importer string, im server.ImportOpts) error {
	if im.Service {
		local := im.To
		if local == "" {
			local = im.Subject
		}
		if !isLiteral(im.Subject) && local != im.Subject {
			if strings.ContainsAny(local, "${") {
				return fmt.Errorf("service import %q to %q: placeholders in the local subject are not modelled", im.Subject, local)
			}
			if _, err := checkTransform(local, numberStars(im.Subject)); err != nil {
				return fmt.Errorf("service import %q to %q: %w", im.Subject, local, err)
			}
		}
		g.services = append(g.services, graphService{importer: importer, exporter: im.Account, local: local, remote: im.Subject})
		return nil
	}
	gs := graphStream{importer: importer, exporter: im.Account, from: im.Subject, prefix: im.Prefix}
	switch {
	case gs.prefix != "":
		if !strings.HasSuffix(gs.prefix, ".") {
			gs.prefix += "."
		}
	case im.To != "" && im.To != im.Subject:
		if _, err := checkTransform(im.Subject, im.To); err != nil {
			return fmt.Errorf("stream import %q to %q: %w", im.Subject, im.To, err)
		}
		gs.to = im.To
	}
	g.streams = append(g.streams, gs)
	return nil
}

// checkServiceChains refuses a service import whose exporter imports its
// remote subject again: the workload does not model chained services.
func (g *accountGraph) checkServiceChains() error {
	for _, s := range g.services {
		for _, t := range g.services {
			if t.importer == s.exporter && subjectsOverlap(t.local, s.remote) {
				return fmt.Errorf("service import chain %s -> %s -> %s is not modelled", s.importer, s.exporter, t.exporter)
			}
		}
	}
	return nil
}

// user returns the named user ("" is a client without credentials).
func (g *accountGraph) user(name string) (graphUser, bool) {
	if name == "" {
		if g.noAuth == "" {
			return graphUser{account: server.GlobalAccount}, true
		}
		name = g.noAuth
	}
	u, ok := g.users[name]
	return u, ok
}

// deliveries lists where a message published in acc on subj is seen:
// acc itself, then every account it reaches through stream imports,
// chains followed but never through an account twice.
func (g *accountGraph) deliveries(acc, subj string) []delivery {
	out := []delivery{{acc, subj}}
	return g.follow(delivery{acc, subj}, []string{acc}, out)
}

func (g *accountGraph) follow(d delivery, chain []string, out []delivery) []delivery {
	for _, im := range g.streams {
		if im.exporter != d.account || slices.Contains(chain, im.importer) || !matchSubject(im.from, d.subject) {
			continue
		}
		next := delivery{im.importer, im.localSubject(d.subject)}
		out = append(out, next)
		out = g.follow(next, append(slices.Clone(chain), im.importer), out)
	}
	return out
}

// localSubject maps a subject the exporter published into the importer.
func (im graphStream) localSubject(subj string) string {
	switch {
	case im.prefix != "":
		return im.prefix + subj
	case im.to != "":
		return transform(im.from, im.to, subj)
	}
	return subj
}

// requestDeliveries lists where a request published in acc on subj is
// seen: acc itself, and the exporter of the service import it matches
// (a literal local subject first, then wildcards in config order).
func (g *accountGraph) requestDeliveries(acc, subj string) []delivery {
	out := []delivery{{acc, subj}}
	if s := g.serviceImport(acc, subj); s != nil {
		out = append(out, delivery{s.exporter, s.remoteSubject(subj)})
	}
	return out
}

func (g *accountGraph) serviceImport(acc, subj string) *graphService {
	for i, s := range g.services {
		if s.importer == acc && s.local == subj {
			return &g.services[i]
		}
	}
	for i, s := range g.services {
		if s.importer == acc && !isLiteral(s.local) && matchSubject(s.local, subj) {
			return &g.services[i]
		}
	}
	return nil
}

func (s graphService) remoteSubject(subj string) string {
	switch {
	case isLiteral(s.remote):
		return s.remote
	case s.local == s.remote:
		return subj
	}
	// The wildcards pair up in order, as nats-server builds the transform.
	return transform(s.local, numberStars(s.remote), subj)
}

// numberStars writes the k-th '*' of pattern as $k.
func numberStars(pattern string) string {
	toks := strings.Split(pattern, ".")
	k := 0
	for i, t := range toks {
		if t == "*" {
			k++
			toks[i] = "$" + strconv.Itoa(k)
		}
	}
	return strings.Join(toks, ".")
}

// matchSubject reports whether the literal subject subj matches pattern
// ('*' one token, '>' one or more at the end).
func matchSubject(pattern, subj string) bool {
	pt, st := strings.Split(pattern, "."), strings.Split(subj, ".")
	for i, p := range pt {
		if p == ">" {
			return len(st) > i
		}
		if i >= len(st) || p != "*" && p != st[i] {
			return false
		}
	}
	return len(pt) == len(st)
}

// subjectsOverlap reports whether some subject matches both patterns.
func subjectsOverlap(a, b string) bool {
	at, bt := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(at) && i < len(bt); i++ {
		if at[i] == ">" || bt[i] == ">" {
			return true
		}
		if at[i] != "*" && bt[i] != "*" && at[i] != bt[i] {
			return false
		}
	}
	return len(at) == len(bt)
}

func isLiteral(subj string) bool {
	for _, t := range strings.Split(subj, ".") {
		if t == "*" || t == ">" {
			return false
		}
	}
	return true
}

// checkTransform parses dest as a transform of pattern: its tokens are
// literals or references to pattern's '*' tokens ($N or {{wildcard(N)}},
// N from 1), and a final '>' carries pattern's final '>'. It returns, per dest token, the wildcard referenced (0 for a
// literal).
func checkTransform(pattern, dest string) ([]int, error) {
	if strings.HasSuffix(pattern, ">") != strings.HasSuffix(dest, ">") {
		return nil, fmt.Errorf("a '>' must end both %q and %q", pattern, dest)
	}
	stars := 0
	for _, t := range strings.Split(pattern, ".") {
		if t == "*" {
			stars++
		}
	}
	toks := strings.Split(dest, ".")
	refs := make([]int, len(toks))
	for i, t := range toks {
		n, isRef, err := wildcardRef(t)
		if err != nil {
			return nil, err
		}
		if isRef && (n < 1 || n > stars) {
			return nil, fmt.Errorf("token %q refers to wildcard %d of %d", t, n, stars)
		}
		refs[i] = n
	}
	return refs, nil
}

// wildcardRef parses one destination token: "$N" or "{{wildcard(N)}}"
// (blanks allowed inside the braces, either case of the first letter)
// refers to wildcard N; any other "{{...}}" function is not modelled.
func wildcardRef(t string) (n int, isRef bool, err error) {
	if num, ok := strings.CutPrefix(t, "$"); ok {
		n, err := strconv.Atoi(num)
		return n, err == nil, nil // "$" and a non-number is a literal
	}
	inner, ok := strings.CutPrefix(t, "{{")
	if !ok {
		return 0, false, nil
	}
	inner, ok = strings.CutSuffix(inner, "}}")
	inner = strings.TrimSpace(inner)
	if ok && len(inner) > 0 {
		inner = strings.ToLower(inner[:1]) + inner[1:]
	}
	arg, ok2 := strings.CutPrefix(inner, "wildcard(")
	arg, ok3 := strings.CutSuffix(arg, ")")
	if n, err := strconv.Atoi(strings.TrimSpace(arg)); ok && ok2 && ok3 && err == nil {
		return n, true, nil
	}
	return 0, false, fmt.Errorf("destination token %q: only $N and {{wildcard(N)}} are modelled", t)
}

// transform maps subj (which matches pattern) to dest, filling dest's
// references with subj's tokens at pattern's wildcards, and a final '>'
// with the tokens pattern's '>' matched. pattern and dest were accepted
// by checkTransform.
func transform(pattern, dest, subj string) string {
	var values []string
	pt, st := strings.Split(pattern, "."), strings.Split(subj, ".")
	for i, p := range pt {
		if p == "*" {
			values = append(values, st[i])
		}
	}
	refs, _ := checkTransform(pattern, dest)
	toks := strings.Split(dest, ".")
	for i, n := range refs {
		if n > 0 {
			toks[i] = values[n-1]
		}
	}
	if last := len(toks) - 1; toks[last] == ">" {
		toks = append(toks[:last], st[len(pt)-1:]...)
	}
	return strings.Join(toks, ".")
}
