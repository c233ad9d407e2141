package sim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"jsnode/node/jetstream"
	"jsnode/node/server"
)

// jsWorkload is js_publish (scenario_jspub.go): a setup client creates
// the stream, publishers publish with message ids and retry until acked,
// readers get messages, and once the faults heal a verifier reads every
// sequence back (jspub_verify.go). The checks are in jspub_check.go.
type jsWorkload struct {
	spec    JSPublishSpec
	r       *run
	node    *NodeHandle
	setup   *Client
	created bool
	pubs    []*jsPublisher
	readers []*jsReader
	hist    jsHistory
	notes   []worldNote
	stopped bool
	inFinal bool
	verify  *jsVerifier
	obs     jsObserved
	// problems are failures no check owns (bad replies, setup);
	// violations are tagged with their check.
	problems      []string
	violations    []error
	excusedIfLost []jsExcuse
	// missing is set while the running server lacks the stream (it was
	// not recovered at boot): the node counts as halted.
	missing error
}

// JetStream API subjects the workload uses.
const (
	jsAPIPrefix       = "$JS.API."
	jsRetryBackoff    = 50 * time.Millisecond
	jsSetupTimeout    = 500 * time.Millisecond
	jsProbePercent    = 10 // publishes that resend an acked id
	jsProbeWindow     = 20 // how far back a probe may reach
	jsNotFoundErrCode = 10037
)

func newJSWorkload(spec JSPublishSpec) *jsWorkload {
	return &jsWorkload{spec: spec, obs: newJSObserved()}
}

func (p *jsWorkload) start(r *run) {
	p.r = r
	p.node = r.nodes[0]
	r.w.OnNote(func(at time.Duration, host, kind, detail string) {
		if kind != "phase" && kind != "violation" {
			p.notes = append(p.notes, worldNote{at: at, host: host, kind: kind, detail: detail})
		}
	})
	if r.sc.Faults.Disk.flipsAtRest() {
		// Only the block files: a damaged meta.inf fails its checksum
		// and the whole stream is not recovered (reported in the log),
		// after which the workload has nothing to publish to. And only
		// while the node runs: a flip in the newest synced records before a
		// later syncmark is durable looks exactly like a torn write to
		// recovery, which cuts it without a report; flipping the disk
		// of a crashed node would hit that blind spot every time.
		n := p.node
		n.host.disk.flipOnly = func(name string) bool { return n.Alive() && strings.HasSuffix(name, ".blk") }
	}
	p.node.OnBoot(p.booted)
	p.setup = p.newClient()
	for i := 0; i < p.spec.Publishers; i++ {
		p.pubs = append(p.pubs, &jsPublisher{p: p, c: p.newClient(), idx: i, pid: p.hist.newClientID()})
	}
	for i := 0; i < p.spec.Readers; i++ {
		p.readers = append(p.readers, &jsReader{p: p, c: p.newClient(), pid: p.hist.newClientID()})
	}
	p.createStream()
}

// newClient creates one of the workload's clients on the node.
func (p *jsWorkload) newClient() *Client {
	r := p.r
	opts := r.sc.Workload.clientOptions()
	opts.Name = clientHostName(len(r.clients) + 1)
	c := r.w.NewClient(opts.Name, []string{p.node.Addr()}, opts)
	r.clock.setDrift(r, c.Host())
	r.clients = append(r.clients, c) // connection resets pick from these
	return c
}

// createStream sends STREAM.CREATE until it succeeds, then starts the
// traffic.
func (p *jsWorkload) createStream() {
	cfg := jetstream.StreamConfig{Name: p.spec.Stream, Subjects: []string{jsStreamSubjects},
		Storage: jetstream.FileStorage, MaxMsgsPer: int64(p.spec.MaxMsgsPer), MaxMsgs: -1, MaxBytes: -1,
		Retention: jetstream.LimitsPolicy, Discard: jetstream.DiscardOld, Replicas: 1}
	body, err := json.Marshal(cfg)
	if err != nil {
		p.problem("encoding the stream config: %v", err)
		return
	}
	retry := func() { p.setup.host.After(jsRetryBackoff, p.createStream) }
	err = p.setup.Request(jsAPIPrefix+"STREAM.CREATE."+p.spec.Stream, body, jsSetupTimeout, func(m Msg, err error) {
		if err != nil {
			retry()
			return
		}
		var resp struct {
			Error *jsAPIError `json:"error"`
		}
		if json.Unmarshal(m.Data, &resp) != nil || resp.Error != nil {
			retry()
			return
		}
		p.created = true
		for _, pub := range p.pubs {
			pub.scheduleNext()
		}
		for _, rd := range p.readers {
			rd.scheduleNext()
		}
	})
	if err != nil {
		retry()
	}
}

// jsAPIError is the error of an API response or a PubAck.
type jsAPIError struct {
	Code        int    `json:"code"`
	ErrCode     int    `json:"err_code"`
	Description string `json:"description"`
}

// booted checks the stream on each (re)start of the node: it must be
// there, and its last sequence no lower than any sequence acked.
func (p *jsWorkload) booted(n *NodeHandle) {
	p.missing = nil
	if !p.created || n.JetStream() == nil {
		return
	}
	st, err := n.JetStream().Status(server.GlobalAccount, p.spec.Stream)
	if err != nil {
		if n.host.disk.injected > 0 {
			p.missing = err // e.g. meta.inf unreadable after an EIO: restart it
			p.r.w.noteEvent(n.Name(), "js-stream-missing", err.Error())
			return
		}
		p.violate(checkJSAckedDurable, "%s: stream %s, created, not recovered at boot (incarnation %d): %v", n.Name(), p.spec.Stream, n.host.Incarnation(), err)
		return
	}
	if last := st.State.LastSeq; last < p.obs.maxAcked {
		p.violate(checkJSSeqDense, "%s restarted with last_seq %d below the acked sequence %d", n.Name(), last, p.obs.maxAcked)
	}
}

func (p *jsWorkload) problem(format string, args ...any) {
	if len(p.problems) < violationsMax {
		p.problems = append(p.problems, fmt.Sprintf("t=%v: ", p.r.w.Elapsed())+fmt.Sprintf(format, args...))
	}
}

func (p *jsWorkload) violate(check, format string, args ...any) {
	if len(p.violations) < violationsMax {
		p.violations = append(p.violations, violationf(check, "js_publish: t=%v: "+format, append([]any{p.r.w.Elapsed()}, args...)...))
	}
}

func (p *jsWorkload) stop() { p.stopped = true }

var _ haltingPart = (*jsWorkload)(nil)

// streamErr is why the node's stream takes no writes, or nil.
func (p *jsWorkload) streamErr(n *NodeHandle) error {
	if p.missing != nil {
		return p.missing
	}
	if js := n.JetStream(); js != nil && p.created {
		if st, err := js.Status(server.GlobalAccount, p.spec.Stream); err == nil {
			return st.Err
		}
	}
	return nil
}

// halted: the node is up and its stream's store failed (or the stream
// was not recovered after a disk fault); the supervisor restarts it.
func (p *jsWorkload) halted(n *NodeHandle) bool { return n.Alive() && p.streamErr(n) != nil }

// reported: a stream reports damage in its state and keeps running, so
// no node stays down for it.
func (p *jsWorkload) reported(*NodeHandle) bool { return false }

// ready: the node is up with a working stream and every client is
// connected and idle.
func (p *jsWorkload) ready() bool {
	if !p.created || !p.node.Alive() || p.node.JetStream() == nil || p.halted(p.node) {
		return false
	}
	for _, pub := range p.pubs {
		if !pub.c.Connected() || (p.stopped && pub.cur != nil) {
			return false
		}
	}
	for _, rd := range p.readers {
		if !rd.c.Connected() {
			return false
		}
	}
	return p.setup.Connected()
}

func (p *jsWorkload) final() {
	p.inFinal = true
	for _, pub := range p.pubs {
		pub.finalLeft = p.spec.FinalRound
		if pub.finalLeft > 0 && pub.cur == nil {
			pub.begin()
		}
	}
	p.maybeVerify()
}

// maybeVerify starts the read-back once every publisher is done.
func (p *jsWorkload) maybeVerify() {
	if p.verify != nil || !p.inFinal {
		return
	}
	for _, pub := range p.pubs {
		if pub.finalLeft > 0 || pub.cur != nil {
			return
		}
	}
	p.verify = newJSVerifier(p)
	p.verify.start()
}

func (p *jsWorkload) finalDone() bool { return p.verify != nil && p.verify.done }

func (p *jsWorkload) addStats(stats map[string]int) {
	var acked, attempts, probes, retries int
	for _, pub := range p.pubs {
		acked += pub.stats.acked
		attempts += pub.stats.attempts
		probes += pub.stats.probes
		retries += pub.stats.retries
	}
	var reads int
	for _, rd := range p.readers {
		reads += rd.reads
	}
	stats["js-acked"] = acked
	stats["js-attempts"] = attempts
	stats["js-probes"] = probes
	stats["js-retries"] = retries
	stats["js-reads"] = reads
	if p.verify != nil {
		stats["js-last-seq"] = int(p.verify.info.LastSeq)
		stats["js-lost"] = len(p.verify.info.Lost)
	}
	d := p.node.host.disk
	stats["disk-faults"] = d.injected
	stats["bitflips-at-rest"] = d.corruptedAtRest
	stats["bitflips-on-read"] = d.corruptedOnRead
	ss := p.node.host.SyncStats()
	stats["disk-syncs"] = ss.Done
	stats["disk-syncs-dropped"] = ss.Dropped
}

// jsSubject is the subject of key k.
func jsSubject(k int) string { return jsSubjectPrefix + "k" + strconv.Itoa(k) }

// jsPayload is the payload of message id: the id, padded to size.
func jsPayload(id string, size int) []byte {
	b := make([]byte, 0, max(size, len(id)+1))
	b = append(append(b, id...), '|')
	for len(b) < size {
		b = append(b, byte('a'+len(b)%26))
	}
	return b
}

// jsMsgID returns the id a stored message's payload names, checking
// that the payload and the Nats-Msg-Id header are exactly what a
// publisher sent.
func jsMsgID(hdr, data []byte, size int) (string, error) {
	id, _, ok := strings.Cut(string(data), "|")
	if !ok || string(jsPayload(id, size)) != string(data) {
		return "", fmt.Errorf("payload %q is no message's", data)
	}
	if got := headerValue(hdr, jsMsgIDHeader); got != id {
		return "", fmt.Errorf("payload of %s with Nats-Msg-Id %q", id, got)
	}
	return id, nil
}

const jsMsgIDHeader = "Nats-Msg-Id"

// headerValue is the value of key in a NATS/1.0 header block ("" if
// none).
func headerValue(hdr []byte, key string) string {
	for _, line := range strings.Split(string(hdr), "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), key) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
