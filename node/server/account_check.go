package server

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"jsnode/node/mapping"
	"jsnode/node/subject"
)

// This file checks the accounts {} configuration the way nats-server does
// when it loads a config file: account names first, then every export,
// then every import against those exports (so an import can be checked
// whatever the order of the accounts), then the system account and
// no_auth_user. Imports are added one at a time, in config order, and each
// is checked against the ones added before it, as nats-server does, so the
// same configs load and fail with the same texts.
//
// Lookups go through per-account subject tries rather than scans of every
// export or import, so a config with thousands of accounts validates in
// near-linear time. The import-cycle search keeps nats-server's shape and
// its bound of MaxAccountCycleSearchDepth accounts per search.

// MaxAccountCycleSearchDepth bounds the accounts one import-cycle search may
// visit; beyond it the import is refused (nats-server's constant).
const MaxAccountCycleSearchDepth = 1024

// AccountsError is a load-time error that nats-server reports against the
// accounts {} block as a whole (its second pass over exports and imports).
// node/config prefixes it with the block's file:line:col.
type AccountsError struct{ Msg string }

func (e *AccountsError) Error() string { return e.Msg }

// The error texts of nats-server's account functions, wrapped by the
// callers below as its config loader wraps them.
var (
	errInvalidSubject       = errors.New("sublist: invalid subject")
	errStreamImportAuth     = errors.New("stream import not authorized")
	errStreamImportPrefix   = errors.New("stream import prefix can not contain wildcard tokens")
	errStreamImportDup      = errors.New("stream import already exists")
	errServiceImportAuth    = errors.New("service import not authorized")
	errImportFormsCycle     = errors.New("import forms a cycle")
	errCycleSearchExhausted = errors.New("search cycle depth exhausted")
)

// ValidateAccounts checks o.Accounts, their exports and imports, the users
// bound to them, the system account and no_auth_user. It returns every
// error it finds, joined, in config order; errors nats-server reports
// against the accounts block are *AccountsError.
func ValidateAccounts(o *Options) error {
	v := newAccountCheck(o)
	if errs := v.checkNamesAndUsers(); len(errs) > 0 {
		return errors.Join(errs...) // nats-server stops before the second pass
	}
	v.addExports()
	v.addImports()
	if len(v.errs) > 0 {
		return errors.Join(v.errs...)
	}
	return errors.Join(v.checkSystemAccount(), v.checkNoAuthUser())
}

// accountCheck is the state of one validation: the accounts by name and
// what has been added to each so far.
type accountCheck struct {
	o     *Options
	index map[string]int // account name -> position in accs
	accs  []accountState
	errs  []error
}

// accountState is one account's exports and the imports added so far.
type accountState struct {
	name           string
	opts           *AccountOpts
	streamExports  exportSet
	serviceExports exportSet
	streams        []checkedStreamImport
	streamsByTo    subjectTrie
	streamKeys     map[streamKey]bool
	services       []checkedServiceImport
	servicesByTo   subjectTrie
	servicesByFrom map[string]int // local subject -> index in services
}

// exportSet is one kind of export of an account, keyed by subject. A
// subject exported twice is one export whose approvals add up, as in
// nats-server.
type exportSet struct {
	bySubject map[string]*exportRule
	rules     []*exportRule // by first appearance; rule.id indexes it
	trie      subjectTrie
}

// exportRule says who may import one exported subject: anyone when it has
// no approved accounts and no account token position.
type exportRule struct {
	id         int
	subject    string
	approved   map[string]bool
	accountPos int
}

type checkedStreamImport struct {
	exporter int
	from, to string // to is the local subject, wildcards as '*'
}

type checkedServiceImport struct {
	exporter int
	from, to string // from is the local subject, to the exporter's
}

type streamKey struct {
	exporter int
	from     string
}

func newAccountCheck(o *Options) *accountCheck {
	v := &accountCheck{o: o, index: make(map[string]int, len(o.Accounts))}
	v.accs = make([]accountState, 0, len(o.Accounts))
	return v
}

func (v *accountCheck) fail(format string, args ...any) {
	v.errs = append(v.errs, &AccountsError{Msg: fmt.Sprintf(format, args...)})
}

// checkNamesAndUsers checks what nats-server checks while it parses the
// accounts: reserved and duplicate names, and users bound to accounts
// besides a single user or a token.
func (v *accountCheck) checkNamesAndUsers() []error {
	var errs []error
	for _, a := range v.o.Accounts {
		if a == nil {
			continue
		}
		switch _, dup := v.index[a.Name]; {
		case a.Name == GlobalAccount:
			errs = append(errs, &AccountsError{Msg: fmt.Sprintf("%q is a Reserved Account", a.Name)})
		case dup:
			errs = append(errs, &AccountsError{Msg: "Duplicate Account Entry: " + a.Name})
		default:
			v.index[a.Name] = len(v.accs)
			v.accs = append(v.accs, accountState{name: a.Name, opts: a})
		}
	}
	return append(errs, v.checkUserBindings()...)
}

// checkUserBindings refuses users bound to accounts that do not exist (a
// config file cannot produce them; Options built in code can) and users in
// accounts besides authorization's single user or token.
func (v *accountCheck) checkUserBindings() []error {
	var errs []error
	bound := false
	check := func(kind, name, account string) {
		if account == "" || account == GlobalAccount {
			return
		}
		bound = true
		if _, ok := v.index[account]; !ok {
			errs = append(errs, &AccountsError{Msg: fmt.Sprintf("%s %q is bound to account %q, which is not defined", kind, name, account)})
		}
	}
	for _, u := range v.o.Auth.Users {
		if u != nil {
			check("user", u.Username, u.Account)
		}
	}
	for _, n := range v.o.Auth.Nkeys {
		if n != nil {
			check("nkey", n.Nkey, n.Account)
		}
	}
	switch {
	case bound && v.o.Auth.Username != "":
		errs = append(errs, &AccountsError{Msg: "Can not have a single user/pass and accounts"})
	case bound && v.o.Auth.Token != "":
		errs = append(errs, &AccountsError{Msg: "Can not have a token and accounts"})
	}
	return errs
}

// forEachAccount calls fn for every account, in config order.
func (v *accountCheck) forEachAccount(fn func(st *accountState, i int)) {
	for i := range v.accs {
		fn(&v.accs[i], i)
	}
}

// addExports adds every stream export, then every service export, as
// nats-server's loader does.
func (v *accountCheck) addExports() {
	for _, service := range []bool{false, true} {
		v.forEachAccount(func(st *accountState, _ int) {
			for i := range st.opts.Exports {
				if e := &st.opts.Exports[i]; e.Service == service {
					v.addExport(st, e)
				}
			}
		})
	}
}

func (v *accountCheck) addExport(st *accountState, e *ExportOpts) {
	kind, set := "stream", &st.streamExports
	if e.Service {
		kind, set = "service", &st.serviceExports
	}
	var approved []string
	for _, name := range e.Accounts {
		if _, ok := v.index[name]; !ok {
			v.fail("%q account not defined for %s export", name, kind)
			continue
		}
		approved = append(approved, name)
	}
	if err := set.add(e.Subject, approved, e.AccountTokenPosition); err != nil {
		v.fail("Error adding %s export %q: %v", kind, e.Subject, err)
	}
}

// add records an export of subject. Approved names add to those of an
// earlier export of the same subject; a token position replaces its.
func (s *exportSet) add(subj string, approved []string, accountPos int) error {
	if accountPos > 0 {
		toks := strings.Split(subj, ".")
		if len(toks) < accountPos || toks[accountPos-1] != "*" {
			return errInvalidSubject
		}
	}
	r := s.bySubject[subj]
	if r == nil {
		if s.bySubject == nil {
			s.bySubject = map[string]*exportRule{}
		}
		r = &exportRule{id: len(s.rules), subject: subj}
		s.bySubject[subj] = r
		s.rules = append(s.rules, r)
		s.trie.insert(subj, r.id)
	}
	if len(approved) == 0 && accountPos <= 0 {
		return nil // nothing restricts it (an export stays as it was)
	}
	r.accountPos = accountPos
	if r.approved == nil && len(approved) > 0 {
		r.approved = make(map[string]bool, len(approved))
	}
	for _, name := range approved {
		r.approved[name] = true
	}
	return nil
}

// authorizes reports whether importer may import subj: an export of exactly
// subj decides, else the first export (in config order) that subj is a
// subset of. nats-server takes "the first" in map order, which is random;
// config order gives the same answer whenever the overlapping exports agree.
func (s *exportSet) authorizes(importer, subj string) bool {
	if r, ok := s.bySubject[subj]; ok {
		return r.allows(importer, nil)
	}
	for _, id := range s.trie.supersetCandidates(subj, nil) {
		if r := s.rules[id]; subject.SubsetOf(subj, r.subject) {
			return r.allows(importer, strings.Split(subj, "."))
		}
	}
	return false
}

// anyCovers reports whether some export has subj as a subset.
func (s *exportSet) anyCovers(subj string) bool {
	for _, id := range s.trie.supersetCandidates(subj, nil) {
		if subject.SubsetOf(subj, s.rules[id].subject) {
			return true
		}
	}
	return false
}

// allows applies the export's restriction to an importer; toks are the
// import subject's tokens (nil for an exact match, which therefore never
// passes an account token position, as in nats-server).
func (r *exportRule) allows(importer string, toks []string) bool {
	switch {
	case len(r.approved) == 0 && r.accountPos == 0:
		return true
	case r.accountPos > 0:
		return r.accountPos <= len(toks) && toks[r.accountPos-1] == importer
	}
	return r.approved[importer]
}

// addImports adds every stream import, then every service import.
func (v *accountCheck) addImports() {
	for _, service := range []bool{false, true} {
		v.forEachAccount(func(st *accountState, i int) {
			for k := range st.opts.Imports {
				switch imp := &st.opts.Imports[k]; {
				case imp.Service != service:
				case service:
					v.addServiceImport(i, imp)
				default:
					v.addStreamImport(i, imp)
				}
			}
		})
	}
}

func (v *accountCheck) addStreamImport(importer int, imp *ImportOpts) {
	exp, ok := v.index[imp.Account]
	if !ok {
		v.fail("%q account not defined for stream import", imp.Account)
		return
	}
	if err := v.checkedStreamImport(importer, exp, imp); err != nil {
		v.fail("Error adding stream import %q: %v", imp.Subject, err)
	}
}

// checkedStreamImport follows nats-server's AddStreamImport (a prefix) and
// AddMappedStreamImport (a local subject) in their order of checks.
func (v *accountCheck) checkedStreamImport(importer, exp int, imp *ImportOpts) error {
	a, e := &v.accs[importer], &v.accs[exp]
	from, to := imp.Subject, imp.To
	if !e.streamAuthorizes(a.name, from) {
		return errStreamImportAuth
	}
	if imp.Prefix != "" {
		if !subject.IsLiteral(imp.Prefix) {
			return errStreamImportPrefix
		}
		to = withTrailingDot(imp.Prefix) + from
	}
	if to == "" {
		to = from
	}
	if err := v.streamCycle(exp, to, map[int]bool{importer: true}); err != nil {
		return err
	}
	if !subject.IsLiteral(from) && to != from {
		if _, err := mapping.NewStrict(from, transformTokenize(to)); err != nil {
			return fmt.Errorf("failed to create mapping transform for stream import subject from %q to %q: %v", from, to, err)
		}
		to = transformUntokenize(to)
	}
	key := streamKey{exporter: exp, from: from}
	if a.streamKeys[key] {
		return errStreamImportDup
	}
	if a.streamKeys == nil {
		a.streamKeys = map[streamKey]bool{}
	}
	a.streamKeys[key] = true
	a.streamsByTo.insert(to, len(a.streams))
	a.streams = append(a.streams, checkedStreamImport{exporter: exp, from: from, to: to})
	return nil
}

func (st *accountState) streamAuthorizes(importer, subj string) bool {
	if st.streamExports.bySubject == nil || !subject.ValidSubscribe(subj) {
		return false
	}
	return st.streamExports.authorizes(importer, subj)
}

func withTrailingDot(prefix string) string {
	if strings.HasSuffix(prefix, ".") {
		return prefix
	}
	return prefix + "."
}

func (v *accountCheck) addServiceImport(importer int, imp *ImportOpts) {
	exp, ok := v.index[imp.Account]
	if !ok {
		v.fail("%q account not defined for service import", imp.Account)
		return
	}
	if err := v.checkedServiceImport(importer, exp, imp); err != nil {
		v.fail("Error adding service import %q: %v", imp.Subject, err)
	}
}

// checkedServiceImport follows nats-server's AddServiceImport: from is the local
// subject clients publish to, to the subject in the exporting account.
func (v *accountCheck) checkedServiceImport(importer, exp int, imp *ImportOpts) error {
	a, e := &v.accs[importer], &v.accs[exp]
	from, to := imp.To, imp.Subject
	if from == "" {
		from = to
	}
	if !subject.ValidSubscribe(from) || !subject.ValidSubscribe(to) {
		return errInvalidSubject
	}
	if e.serviceExports.bySubject == nil || !e.serviceExports.authorizes(a.name, to) {
		return errServiceImportAuth
	}
	if err := v.serviceCycle(exp, from, map[int]bool{importer: true}); err != nil {
		return err
	}
	if i, dup := a.servicesByFrom[from]; dup {
		d := a.services[i]
		return fmt.Errorf("duplicate service import subject %q, previously used in import for account %q, subject %q",
			from, v.accs[d.exporter].name, d.to)
	}
	if !subject.IsLiteral(to) && to != from {
		// The transform is built from the exporter's side back to the
		// local subject, so its $N may appear only in the local one.
		to = transformUntokenize(to)
		if _, err := mapping.NewStrict(to, transformTokenize(from)); err != nil {
			return fmt.Errorf("failed to create mapping transform for service import subject from %q to %q: %v", from, to, err)
		}
		from = transformUntokenize(from)
	}
	if a.servicesByFrom == nil {
		a.servicesByFrom = map[string]int{}
	}
	// Stored under the subject it ends up with, as nats-server keys it.
	a.servicesByFrom[from] = len(a.services)
	a.servicesByTo.insert(to, len(a.services))
	a.services = append(a.services, checkedServiceImport{exporter: exp, from: from, to: to})
	return nil
}

// serviceCycle walks, from account acc, the service imports whose
// exporter-side subject can collide with from, refusing the import when
// the walk returns to an account already seen (nats-server's
// checkServiceImportsForCycles, including its narrowing of from).
func (v *accountCheck) serviceCycle(acc int, from string, visited map[int]bool) error {
	if len(visited) >= MaxAccountCycleSearchDepth {
		return errCycleSearchExhausted
	}
	st := &v.accs[acc]
	for _, id := range st.servicesByTo.collideCandidates(from, nil) {
		si := st.services[id]
		if !subjectsCollide(from, si.to) {
			continue
		}
		if visited[si.exporter] {
			return errImportFormsCycle
		}
		visited[acc] = true
		if subject.SubsetOf(si.from, from) {
			from = si.from
		}
		if err := v.serviceCycle(si.exporter, from, visited); err != nil {
			return err
		}
	}
	return nil
}

// streamCycle is the stream counterpart: from the exporter, follow its
// stream imports whose local subject collides with to, if the exporter
// exports something covering to (nats-server's checkStreamImportsForCycles).
func (v *accountCheck) streamCycle(acc int, to string, visited map[int]bool) error {
	if len(visited) >= MaxAccountCycleSearchDepth {
		return errCycleSearchExhausted
	}
	st := &v.accs[acc]
	if !st.streamExports.anyCovers(to) {
		return nil
	}
	for _, id := range st.streamsByTo.collideCandidates(to, nil) {
		si := st.streams[id]
		if !subjectsCollide(to, si.to) {
			continue
		}
		if visited[si.exporter] {
			return errImportFormsCycle
		}
		visited[acc] = true
		if subject.SubsetOf(si.to, to) {
			to = si.to
		}
		if err := v.streamCycle(si.exporter, to, visited); err != nil {
			return err
		}
	}
	return nil
}

// checkSystemAccount: a named system account must exist ($G counts); the
// default $SYS is created when missing, so it needs no check.
func (v *accountCheck) checkSystemAccount() error {
	name := v.o.SystemAccount
	if name == "" || name == GlobalAccount {
		return nil
	}
	if _, ok := v.index[name]; !ok {
		return errors.New("error resolving system account: account missing")
	}
	return nil
}

// checkNoAuthUser: no_auth_user must name a configured user or nkey.
func (v *accountCheck) checkNoAuthUser() error {
	name := v.o.Auth.NoAuthUser
	if name == "" {
		return nil
	}
	if len(v.o.Auth.Users) == 0 && len(v.o.Auth.Nkeys) == 0 {
		return fmt.Errorf("no_auth_user: %q present, but users/nkeys are not defined", name)
	}
	for _, u := range v.o.Auth.Users {
		if u != nil && u.Username == name {
			return nil
		}
	}
	for _, n := range v.o.Auth.Nkeys {
		if n != nil && n.Nkey == name {
			return nil
		}
	}
	return fmt.Errorf("no_auth_user: %q not present as user or nkey in authorization block or account configuration", name)
}

// subjectsCollide reports whether some literal subject matches both a and
// b (wildcards allowed in both), as nats-server's SubjectsCollide.
func subjectsCollide(a, b string) bool {
	_, ok := subject.Intersect(a, b)
	return ok
}

// transformUntokenize turns $N and {{wildcard(N)}} tokens back into '*',
// giving the subject pattern a transform destination covers.
func transformUntokenize(subj string) string {
	toks := strings.Split(subj, ".")
	for i, t := range toks {
		if isDollarIndex(t) || isWildcardFunction(t) {
			toks[i] = "*"
		}
	}
	return strings.Join(toks, ".")
}

func isDollarIndex(t string) bool {
	return len(t) > 1 && t[0] == '$' && t[1] >= '1' && t[1] <= '9'
}

// isWildcardFunction recognises {{wildcard(N)}} (first letter in either
// case, spaces allowed inside the braces) with one argument.
func isWildcardFunction(t string) bool {
	inner, ok := strings.CutPrefix(t, "{{")
	if !ok {
		return false
	}
	if inner, ok = strings.CutSuffix(inner, "}}"); !ok {
		return false
	}
	inner = strings.TrimSpace(inner)
	if len(inner) < len("wildcard()") || (inner[0] != 'w' && inner[0] != 'W') || inner[1:len("wildcard")] != "ildcard" {
		return false
	}
	args, ok := strings.CutPrefix(strings.TrimSpace(inner[len("wildcard"):]), "(")
	if !ok {
		return false
	}
	if args, ok = strings.CutSuffix(args, ")"); !ok {
		return false
	}
	args = strings.TrimSpace(args)
	return args != "" && !strings.Contains(args, ",")
}

// subjectTrie indexes subject patterns by token. Its lookups return the
// ids of candidate patterns in ascending order: every pattern that can
// satisfy the query is included (callers confirm each with the exact
// predicate), so a check costs the size of the answer, not of the account.
type subjectTrie struct{ root trieNode }

type trieNode struct {
	kids []trieEdge           // the children while there are few
	big  map[string]*trieNode // all children once there are many
	ids  []int                // patterns that end here
}

type trieEdge struct {
	tok  string
	node *trieNode
}

// maxTrieEdges is how many children a node keeps in a slice before it
// moves them to a map: most nodes have one child, and a map per node
// would cost most of the validation's time in allocation.
const maxTrieEdges = 8

func (n *trieNode) child(tok string) *trieNode {
	if n.big != nil {
		return n.big[tok]
	}
	for _, e := range n.kids {
		if e.tok == tok {
			return e.node
		}
	}
	return nil
}

func (n *trieNode) addChild(tok string) *trieNode {
	c := &trieNode{}
	switch {
	case n.big != nil:
		n.big[tok] = c
	case len(n.kids) < maxTrieEdges:
		n.kids = append(n.kids, trieEdge{tok, c})
	default:
		n.big = make(map[string]*trieNode, 2*maxTrieEdges)
		for _, e := range n.kids {
			n.big[e.tok] = e.node
		}
		n.big[tok] = c
		n.kids = nil
	}
	return c
}

// eachChild calls fn for every child, in no particular order (callers
// sort what they collect).
func (n *trieNode) eachChild(fn func(tok string, c *trieNode)) {
	for _, e := range n.kids {
		fn(e.tok, e.node)
	}
	for tok, c := range n.big {
		fn(tok, c)
	}
}

func (n *trieNode) hasChildren() bool { return len(n.kids) > 0 || len(n.big) > 0 }

func (t *subjectTrie) insert(pattern string, id int) {
	n := &t.root
	for tok := range strings.SplitSeq(pattern, ".") {
		c := n.child(tok)
		if c == nil {
			c = n.addChild(tok)
		}
		n = c
	}
	n.ids = append(n.ids, id)
}

// supersetCandidates returns the patterns p that q may be a subset of.
func (t *subjectTrie) supersetCandidates(q string, out []int) []int {
	if !t.root.hasChildren() {
		return out
	}
	out = t.root.supersets(strings.Split(q, "."), out)
	slices.Sort(out)
	return out
}

func (n *trieNode) supersets(q []string, out []int) []int {
	if len(q) == 0 {
		return append(out, n.ids...)
	}
	if full := n.child(">"); full != nil {
		out = full.all(out) // '>' takes the rest of q, whatever it is
	}
	tok := q[0]
	if tok == ">" {
		return out // only a '>' pattern covers a '>' query
	}
	if star := n.child("*"); star != nil {
		out = star.supersets(q[1:], out)
	}
	if tok != "*" {
		if lit := n.child(tok); lit != nil {
			out = lit.supersets(q[1:], out)
		}
	}
	return out
}

// collideCandidates returns the patterns p that may match a subject q
// matches.
func (t *subjectTrie) collideCandidates(q string, out []int) []int {
	if !t.root.hasChildren() {
		return out
	}
	out = t.root.collisions(strings.Split(q, "."), out)
	slices.Sort(out)
	return out
}

func (n *trieNode) collisions(q []string, out []int) []int {
	if len(q) == 0 {
		return append(out, n.ids...)
	}
	tok := q[0]
	if tok == ">" {
		n.eachChild(func(_ string, c *trieNode) { out = c.all(out) })
		return out
	}
	if full := n.child(">"); full != nil {
		out = full.all(out)
	}
	if tok == "*" {
		n.eachChild(func(key string, c *trieNode) {
			if key != ">" {
				out = c.collisions(q[1:], out)
			}
		})
		return out
	}
	if star := n.child("*"); star != nil {
		out = star.collisions(q[1:], out)
	}
	if lit := n.child(tok); lit != nil {
		out = lit.collisions(q[1:], out)
	}
	return out
}

// all appends every pattern at or below n.
func (n *trieNode) all(out []int) []int {
	out = append(out, n.ids...)
	n.eachChild(func(_ string, c *trieNode) { out = c.all(out) })
	return out
}
