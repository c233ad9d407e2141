package sim

import (
	"strconv"
	"time"
)

// ClusterSpec is publish/subscribe traffic across a cluster: on every
// node, publishers (each on its own subject "clu.<p>"), plain subscribers
// (alternately on "clu.>" and "clu.*") and members of one queue group
// that spans the cluster. Each client first connects to its node; after a
// break it may reconnect to any node it learned from connect_urls.
type ClusterSpec struct {
	PublishersPerNode       int
	SubscribersPerNode      int
	QueueSubscribersPerNode int
	// Interval is the mean gap between one publisher's messages.
	Interval    time.Duration
	PayloadSize int
	// FinalRound is how many messages each publisher sends once the
	// cluster has healed; every one must arrive.
	FinalRound int
}

const (
	clusterPrefix     = "clu."
	clusterQueueGroup = "cworkers"
	// routeSampleEvery is how often the workload records each node's
	// route table, to know when a path between two nodes was intact.
	routeSampleEvery = 5 * time.Millisecond
	// interestSettle is how long interest needs to cross a route: the
	// RS+ (or the full interest sent on a new route) takes a latency, and
	// the route table is only known to the sample period.
	interestSettle = 2*maxScenarioLatency + 2*routeSampleEvery
)

// clusterWorkload is the cluster { } workload: clusterTraffic with every
// client in the one account the scenario's credentials log into.
type clusterWorkload struct {
	*clusterTraffic
	spec ClusterSpec
}

func newClusterWorkload(spec ClusterSpec) *clusterWorkload {
	t := streamTiming{interval: spec.Interval, payloadSize: spec.PayloadSize, finalRound: spec.FinalRound}
	return &clusterWorkload{clusterTraffic: newClusterTraffic("cluster", t, &accountGraph{}), spec: spec}
}

// start creates the clients, node by node, then starts the traffic and
// the sampling of the route tables.
func (cw *clusterWorkload) start(r *run) {
	ct := cw.clusterTraffic
	ct.attach(r, newRouteTracker(r))
	opts := r.sc.Workload.clientOptions()
	for _, n := range r.nodes {
		for i := 0; i < cw.spec.PublishersPerNode; i++ {
			ct.addPublisher(r.addNodeClient(n, opts), "", clusterPrefix+strconv.Itoa(len(ct.pubs)))
		}
		for i := 0; i < cw.spec.SubscribersPerNode; i++ {
			subject := clusterPrefix + ">"
			if len(ct.plain)%2 == 1 {
				subject = clusterPrefix + "*"
			}
			ct.addSubscriber(r.addNodeClient(n, opts), "", subject, "")
		}
		for i := 0; i < cw.spec.QueueSubscribersPerNode; i++ {
			ct.addSubscriber(r.addNodeClient(n, opts), "", clusterPrefix+"*", clusterQueueGroup)
		}
	}
	ct.begin()
	ct.routes.sample()
}

// addNodeClient creates a client host that first connects to node n (it
// may move to the other nodes it learns from connect_urls), with its
// clock drift; connection resets pick from r.clients.
func (r *run) addNodeClient(n *NodeHandle, opts ClientOptions) *Client {
	opts.Name = clientHostName(len(r.clients) + 1)
	c := r.w.NewClient(opts.Name, []string{n.Addr()}, opts)
	r.clock.setDrift(r, c.Host())
	r.clients = append(r.clients, c)
	return c
}

// streamTiming is how a stream workload's publishers send.
type streamTiming struct {
	// interval is the mean gap between one publisher's messages.
	interval    time.Duration
	payloadSize int
	// finalRound is how many messages each publisher sends once the
	// cluster has healed; every one must arrive.
	finalRound int
}

// clusterTraffic is publish/subscribe traffic across the nodes of a
// cluster, each publisher and subscriber in an account; its owner places
// the clients. The account graph says which publishers' messages reach
// which subscribers, and on which subject. For a message published by a
// client on node P that the graph leads to a subscription:
//
//   - a plain subscriber on node S receives it exactly once if both
//     sessions outlived the settle window, the subscription was
//     confirmed before the publish, and (when S != P) the route between P
//     and S was the same connection, not partitioned, from before the
//     interest could cross it until the settle window ended;
//   - each queue group receives it exactly once if no member's session
//     broke around it, some member was subscribed, and every route of the
//     cluster was intact the same way;
//   - nothing is ever delivered twice to one subscription on one session
//     (no loops), nothing unpublished is delivered, no message reaches
//     two members of a queue group, and nothing reaches a subscription
//     the graph does not lead it to, or on another subject than the
//     graph's mapping gives.
type clusterTraffic struct {
	numbered
	timing  streamTiming
	graph   *accountGraph
	r       *run
	routes  *routeTracker
	clients []*Client
	pubs    []*cpub
	plain   []*csub
	queues  []*cqueue
	// nodeOf maps a client and its session generation to the node it
	// connected to.
	nodeOf map[*Client]map[int]string
}

// cpub is a publisher in an account.
type cpub struct {
	stream
	account string
}

type csub struct {
	receiver
	account string
	// want maps the index of each publisher whose messages the account
	// graph leads here to the subject they must arrive on.
	want map[int]string
}

// cqueue is one queue group; its members share an account and a subject.
type cqueue struct {
	name    string
	members []*csub
}

func newClusterTraffic(label string, t streamTiming, g *accountGraph) *clusterTraffic {
	return &clusterTraffic{numbered: numbered{label: label}, timing: t, graph: g, nodeOf: make(map[*Client]map[int]string)}
}

// attach binds the traffic to the run and to the route samples its
// checks reason with.
func (ct *clusterTraffic) attach(r *run, routes *routeTracker) {
	ct.r, ct.routes = r, routes
}

// addPublisher makes c, logged into account, publish on subject.
func (ct *clusterTraffic) addPublisher(c *Client, account, subject string) {
	ct.track(c)
	p := &cpub{stream: stream{idx: len(ct.pubs), c: c, subject: subject, onNodes: true}, account: account}
	ct.pubs = append(ct.pubs, p)
}

// addSubscriber subscribes c, logged into account, to subject (as a
// member of queue group queue when it is not empty).
func (ct *clusterTraffic) addSubscriber(c *Client, account, subject, queue string) {
	ct.track(c)
	s := &csub{receiver: receiver{c: c, got: received{}}, account: account}
	s.sub = c.Subscribe(subject, queue, func(m Msg) { ct.receive(s, m) })
	if queue == "" {
		ct.plain = append(ct.plain, s)
		return
	}
	for _, g := range ct.queues {
		if g.name == queue {
			g.members = append(g.members, s)
			return
		}
	}
	ct.queues = append(ct.queues, &cqueue{name: queue, members: []*csub{s}})
}

// track records which node each session of c is on.
func (ct *clusterTraffic) track(c *Client) {
	ct.clients = append(ct.clients, c)
	ct.nodeOf[c] = make(map[int]string)
	c.OnConnect = func() {
		host, _, _ := splitAddr(c.cc.conn.RemoteAddr())
		ct.nodeOf[c][c.gen] = host
	}
}

// begin works out where each publisher's messages go, then starts
// publishing.
func (ct *clusterTraffic) begin() {
	for _, s := range ct.allSubs() {
		s.want = make(map[int]string)
		for _, p := range ct.pubs {
			if subj, ok := reachesAs(ct.graph, p.account, p.subject, s.account, s.sub.Subject); ok {
				s.want[p.idx] = subj
			}
		}
	}
	for _, p := range ct.pubs {
		ct.publishEvery(&p.stream, ct.timing.interval, func() { ct.publish(p) })
	}
}

// reachesAs reports whether a message published in pubAcc on subject
// reaches a subscription in subAcc on pattern, and on which subject. The
// workload's loader refuses layouts where it could arrive twice.
func reachesAs(g *accountGraph, pubAcc, subject, subAcc, pattern string) (string, bool) {
	for _, d := range g.deliveries(pubAcc, subject) {
		if d.account == subAcc && matchSubject(pattern, d.subject) {
			return d.subject, true
		}
	}
	return "", false
}

// publish sends p's next message and notes the node it left from.
func (ct *clusterTraffic) publish(p *cpub) {
	if p.send(ct.r.w, ct.timing.payloadSize) {
		m := &p.sent[len(p.sent)-1]
		m.node = ct.nodeOf[p.c][m.gen]
	}
}

// receive records one delivery, refusing any the account graph does not
// lead to this subscription on this subject.
func (ct *clusterTraffic) receive(s *csub, m Msg) {
	d, err := decodeSeq(m.Data, len(ct.pubs))
	switch {
	case err == errMalformed:
		ct.refuse("", "malformed payload %.40q on %s in account %s", m.Data, m.Subject, s.account)
		return
	case err != nil:
		ct.refuse("", "bad message %s %.40q in account %s", m.Subject, m.Data, s.account)
		return
	}
	pi := d.pub
	p := ct.pubs[pi]
	want, ok := s.want[pi]
	switch {
	case !ok:
		ct.refuse("account-graph", "subscription %q in account %s got %s from publisher %d (account %s, subject %s): the account graph does not lead there",
			s.sub.Subject, s.account, m.Subject, pi, p.account, p.subject)
		return
	case m.Subject != want:
		ct.refuse("account-graph", "subscription %q in account %s got publisher %d's message (account %s, subject %s) as %s, want %s",
			s.sub.Subject, s.account, pi, p.account, p.subject, m.Subject, want)
		return
	}
	s.record(pi, d.seq)
	ct.arrived(&p.stream, d.seq)
}

// ready: every client is connected with its subscriptions confirmed, and
// the whole mesh has been up long enough for the interest to cross it.
func (ct *clusterTraffic) ready() bool {
	now := ct.r.w.Elapsed()
	for _, c := range ct.clients {
		if !c.Connected() {
			return false
		}
	}
	for _, s := range ct.allSubs() {
		if !s.sub.Confirmed() {
			return false
		}
		if _, at := s.sub.ConfirmedAt(); at > now-interestSettle {
			return false
		}
	}
	return ct.routes.meshStable(now-interestSettle, now)
}

// allSubs lists the plain subscriptions, then the queue members.
func (ct *clusterTraffic) allSubs() []*csub {
	out := append([]*csub(nil), ct.plain...)
	for _, g := range ct.queues {
		out = append(out, g.members...)
	}
	return out
}

// final has every publisher send finalRound messages; each must reach
// every plain subscription and queue group the graph leads it to.
func (ct *clusterTraffic) final() {
	ct.inFinal = true
	for _, p := range ct.pubs {
		receivers := 0
		for _, s := range ct.plain {
			if _, ok := s.want[p.idx]; ok {
				receivers++
			}
		}
		for _, g := range ct.queues {
			if _, ok := g.members[0].want[p.idx]; ok {
				receivers++
			}
		}
		ct.sendFinal(&p.stream, ct.timing.finalRound, receivers, func() { ct.publish(p) })
	}
}
