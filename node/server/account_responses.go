package server

import (
	"encoding/json"
	"time"

	"jsnode/clock"
	"jsnode/node/monitor"
)

// Response mappings: where the replies to a service-import request go.
//
// An exporting account draws one reply prefix "_R_.<6 base-62>." the first
// time it needs one, and subscribes internally to "<prefix>>" (ordinary
// interest of that account, so responders on other servers route their
// replies here). Each request gets "<prefix><6 base-62>"; the mapping
// from it to the requester's account and reply subject lives until the
// first reply (singleton), or until no reply came for the export's
// response threshold or an empty message ends the stream (stream,
// chunked). Every mapping also expires after the threshold without
// traffic, and an account holds at most maxResponseMappings: the oldest
// goes first, so a flood of unanswered requests cannot grow memory.

// maxResponseMappings bounds the live response mappings of one account.
const maxResponseMappings = 1 << 16

// responseSweepInterval is how often expired mappings are looked for.
const responseSweepInterval = time.Second

// replyIDLen is the length of each random part of an _R_ subject.
const replyIDLen = 6

// response is one live mapping.
type response struct {
	reply    string   // the _R_ subject
	importer *Account // where replies go
	to       string   // the requester's reply subject
	typ      ResponseType
	thresh   time.Duration
	last     time.Time
	gone     bool
}

// responseMap is an exporting account's live mappings. order holds them
// in creation order for expiry and eviction (entries already removed are
// skipped and compacted away).
type responseMap struct {
	prefix  string
	unsub   func()
	byReply map[string]*response
	order   []*response
	head    int
	timer   clock.Timer
}

// add creates the mapping for one request from im's importer.
func (m *responseMap) add(exp *Account, im *serviceImport, reply string) *response {
	if m.prefix == "" && !m.start(exp) {
		return nil
	}
	if len(m.byReply) >= maxResponseMappings {
		m.evictOldest()
	}
	s := exp.srv
	var r string
	for {
		r = m.prefix + s.randomName(replyIDLen)
		if m.byReply[r] == nil {
			break
		}
	}
	thresh := im.export.respThresh
	resp := &response{reply: r, importer: im.acc, to: reply, typ: im.export.respType,
		thresh: thresh, last: s.env.monoNow()}
	m.byReply[r] = resp
	m.order = append(m.order, resp)
	if m.timer == nil {
		m.timer = s.env.Clock.AfterFunc(responseSweepInterval, func() { m.sweep(exp) })
	}
	return resp
}

// start draws the prefix and subscribes to the replies.
func (m *responseMap) start(exp *Account) bool {
	prefix := serviceReplyPref + exp.srv.randomName(replyIDLen) + "."
	unsub, err := exp.subscribeInternal(prefix+">", "", func(msg *Msg) { m.deliver(exp, msg) })
	if err != nil {
		return false
	}
	m.prefix, m.unsub = prefix, unsub
	m.byReply = make(map[string]*response)
	return true
}

// remove forgets one mapping.
func (m *responseMap) remove(r *response) {
	if r.gone {
		return
	}
	r.gone = true
	delete(m.byReply, r.reply)
}

// evictOldest drops the oldest live mapping.
func (m *responseMap) evictOldest() {
	for m.head < len(m.order) {
		r := m.order[m.head]
		m.order[m.head] = nil
		m.head++
		if !r.gone {
			m.remove(r)
			return
		}
	}
}

// sweep removes mappings older than their threshold and compacts the
// order; it re-arms itself while any mapping lives.
func (m *responseMap) sweep(exp *Account) {
	m.timer = nil
	now := exp.srv.env.monoNow()
	live := m.order[:0]
	for _, r := range m.order[m.head:] {
		if r.gone {
			continue
		}
		if now.Sub(r.last) > r.thresh {
			m.remove(r)
			continue
		}
		live = append(live, r)
	}
	clear(m.order[len(live):])
	m.order, m.head = live, 0
	if len(live) > 0 {
		m.timer = exp.srv.env.Clock.AfterFunc(responseSweepInterval, func() { m.sweep(exp) })
	}
}

// Len is the number of live mappings.
func (m *responseMap) Len() int { return len(m.byReply) }

// deliver sends a reply that arrived on an _R_ subject to the requester.
func (m *responseMap) deliver(exp *Account, msg *Msg) {
	r := m.byReply[msg.Subject]
	if r == nil {
		return
	}
	eof := len(msg.Data) == 0 && len(msg.Header) == 0
	switch {
	case r.typ == Singleton:
		m.remove(r)
	case eof:
		m.remove(r)
		return
	default:
		r.last = exp.srv.env.monoNow()
	}
	body := msg.Data
	if len(msg.Header) > 0 {
		body = append(append(make([]byte, 0, len(msg.Header)+len(msg.Data)), msg.Header...), msg.Data...)
	}
	r.importer.route(exp.internal, []byte(r.to), []byte(msg.Reply), len(msg.Header), body)
}

// requestInfoHeader returns the request's header block with
// Nats-Request-Info set to who sent it (nats-server's ClientInfo JSON),
// so the responder may know the requesting account and user. Server and
// cluster are shared only with share set or with the system account.
func requestInfoHeader(src *client, im *serviceImport, hdr []byte) []byte {
	info := monitor.ClientInfo{Account: im.acc.name, Service: im.exporter.name, Kind: "Client", ClientType: "nats"}
	if src.conn != nil {
		start := src.start.UTC()
		info.Start, info.ID, info.Host, info.User = &start, src.cid, src.host, src.user
		info.Name, info.Lang, info.Version, info.RTT = src.opts.Name, src.opts.Lang, src.opts.Version, src.rtt
	}
	if im.share || im.system || im.exporter.isSystem {
		info.Server = src.srv.info.Name
		info.Cluster = src.srv.clusterName()
	}
	js, _ := json.Marshal(&info)
	return setHeader(hdr, requestInfoHeaderName, js)
}

// requestInfoHeaderName is nats-server's ClientInfoHdr.
const requestInfoHeaderName = "Nats-Request-Info"

// setHeader returns a header block (new) with key set to value, replacing
// any earlier value; hdr may be empty.
func setHeader(hdr []byte, key string, value []byte) []byte {
	out := make([]byte, 0, len(hdr)+len(key)+len(value)+16)
	if len(hdr) == 0 {
		out = append(out, "NATS/1.0\r\n"...)
	} else {
		line, rest, _ := cutCRLF(hdr)
		out = append(append(out, line...), "\r\n"...)
		for len(rest) > 0 {
			var l []byte
			l, rest, _ = cutCRLF(rest)
			if len(l) == 0 {
				break
			}
			if headerKeyIs(l, key) {
				continue
			}
			out = append(append(out, l...), "\r\n"...)
		}
	}
	out = append(append(append(out, key...), ": "...), value...)
	return append(out, "\r\n\r\n"...)
}

func cutCRLF(b []byte) (line, rest []byte, ok bool) {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '\r' && b[i+1] == '\n' {
			return b[:i], b[i+2:], true
		}
	}
	return b, nil, false
}

// headerKeyIs reports whether a "Key: value" line has key (any case).
func headerKeyIs(line []byte, key string) bool {
	if len(line) <= len(key) || line[len(key)] != ':' {
		return false
	}
	for i := 0; i < len(key); i++ {
		a, b := line[i], key[i]
		if a|0x20 != b|0x20 {
			return false
		}
	}
	return true
}
