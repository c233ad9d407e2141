package sim

import (
	"fmt"
	"strconv"
	"strings"
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

// clusterTraffic checks, for a message published by a client on node P:
//
//   - a plain subscriber on node S receives it exactly once if both
//     sessions outlived the settle window, the subscription was
//     confirmed before the publish, and (when S != P) the route between P
//     and S was the same connection, not partitioned, from before the
//     interest could cross it until the settle window ended;
//   - the queue group receives it exactly once if no member's session
//     broke around it, some member was subscribed, and every route of the
//     cluster was intact the same way;
//   - nothing is ever delivered twice to one subscription on one session
//     (no loops), nothing unpublished is delivered, and no message reaches
//     two members of the queue group.
type clusterTraffic struct {
	spec    ClusterSpec
	r       *run
	clients []*Client
	pubs    []*cpub
	plain   []*csub
	queue   []*csub
	routes  routeTracker
	// nodeOf maps a client and its session generation to the node it
	// connected to.
	nodeOf   map[*Client]map[int]string
	stopped  bool
	inFinal  bool
	finalGot int
	finalDue int
	badMsgs  []string
}

type cpub struct {
	idx        int
	c          *Client
	sent       []cmsg // seq n is sent[n-1]
	finalStart int
}

type cmsg struct {
	at   time.Duration
	gen  int
	node string
}

type csub struct {
	c   *Client
	sub *Sub
	got map[int][]arrival // publisher index -> arrivals in order
}

// arrival is one delivery of seq on the client's session gen. A client
// that moved to another node may get a message again on its new session:
// a copy delayed on a route reaches the new subscription there. Within
// one session a message arrives at most once.
type arrival struct{ seq, gen int }

func newClusterTraffic(spec ClusterSpec) *clusterTraffic {
	return &clusterTraffic{spec: spec, nodeOf: make(map[*Client]map[int]string)}
}

// start creates the clients, node by node, then subscriptions and
// traffic, and starts sampling the route tables.
func (ct *clusterTraffic) start(r *run) {
	ct.r = r
	ct.routes.init(r)
	next := len(r.clients) + 1
	newClient := func(n *NodeHandle) *Client {
		opts := r.sc.Workload.clientOptions()
		opts.Name = clientHostName(next)
		c := r.w.NewClient(opts.Name, []string{n.Addr()}, opts)
		next++
		r.clock.setDrift(r, c.Host())
		ct.trackSessions(c)
		ct.clients = append(ct.clients, c)
		r.clients = append(r.clients, c) // connection resets pick from these
		return c
	}
	for _, n := range r.nodes {
		for i := 0; i < ct.spec.PublishersPerNode; i++ {
			p := &cpub{idx: len(ct.pubs), c: newClient(n)}
			ct.pubs = append(ct.pubs, p)
			ct.schedulePublish(p)
		}
		for i := 0; i < ct.spec.SubscribersPerNode; i++ {
			subject := clusterPrefix + ">"
			if len(ct.plain)%2 == 1 {
				subject = clusterPrefix + "*"
			}
			ct.plain = append(ct.plain, ct.subscribe(newClient(n), subject, ""))
		}
		for i := 0; i < ct.spec.QueueSubscribersPerNode; i++ {
			ct.queue = append(ct.queue, ct.subscribe(newClient(n), clusterPrefix+"*", clusterQueueGroup))
		}
	}
	ct.routes.sample()
}

// trackSessions records which node each session of c is on.
func (ct *clusterTraffic) trackSessions(c *Client) {
	ct.nodeOf[c] = make(map[int]string)
	c.OnConnect = func() {
		host, _, _ := splitAddr(c.cc.conn.RemoteAddr())
		ct.nodeOf[c][c.gen] = host
	}
}

func (ct *clusterTraffic) subscribe(c *Client, subject, queue string) *csub {
	s := &csub{c: c, got: make(map[int][]arrival)}
	s.sub = c.Subscribe(subject, queue, func(m Msg) { ct.receive(s, m) })
	return s
}

// schedulePublish publishes p's next message after a seeded gap in
// [Interval/2, 3*Interval/2).
func (ct *clusterTraffic) schedulePublish(p *cpub) {
	iv := int64(ct.spec.Interval)
	gap := time.Duration(iv/2 + p.c.host.rng.Int64N(iv))
	p.c.host.After(gap, func() {
		if ct.stopped {
			return
		}
		ct.publish(p)
		ct.schedulePublish(p)
	})
}

func (ct *clusterTraffic) publish(p *cpub) {
	seq := len(p.sent) + 1
	payload := []byte(fmt.Sprintf("%d %d ", p.idx, seq))
	for len(payload) < ct.spec.PayloadSize {
		payload = append(payload, 'x')
	}
	if p.c.Publish(clusterPrefix+strconv.Itoa(p.idx), "", payload) != nil {
		return
	}
	gen := p.c.ConnGen()
	p.sent = append(p.sent, cmsg{at: ct.r.w.Elapsed(), gen: gen, node: ct.nodeOf[p.c][gen]})
}

func (ct *clusterTraffic) receive(s *csub, m Msg) {
	f := strings.Fields(string(m.Data))
	if len(f) < 2 {
		ct.badMsgs = append(ct.badMsgs, fmt.Sprintf("malformed payload %.40q", m.Data))
		return
	}
	pi, err1 := strconv.Atoi(f[0])
	seq, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || pi < 0 || pi >= len(ct.pubs) || m.Subject != clusterPrefix+f[0] {
		ct.badMsgs = append(ct.badMsgs, fmt.Sprintf("bad message %s %.40q", m.Subject, m.Data))
		return
	}
	s.got[pi] = append(s.got[pi], arrival{seq: seq, gen: s.c.gen})
	if ct.inFinal && seq > ct.pubs[pi].finalStart {
		ct.finalGot++
	}
}

func (ct *clusterTraffic) stop() { ct.stopped = true }

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

func (ct *clusterTraffic) allSubs() []*csub {
	return append(ct.plain[:len(ct.plain):len(ct.plain)], ct.queue...)
}

// final has every publisher send FinalRound messages; each must reach
// every plain subscription and the queue group.
func (ct *clusterTraffic) final() {
	receivers := len(ct.plain)
	if len(ct.queue) > 0 {
		receivers++
	}
	ct.inFinal = true
	for _, p := range ct.pubs {
		p.finalStart = len(p.sent)
		for i := 0; i < ct.spec.FinalRound; i++ {
			ct.publish(p)
		}
		ct.finalDue += (len(p.sent) - p.finalStart) * receivers
	}
}

func (ct *clusterTraffic) finalDone() bool { return ct.finalGot >= ct.finalDue }
