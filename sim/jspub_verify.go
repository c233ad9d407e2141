package sim

import "encoding/json"

// jsVerifier is the read-back once the faults have healed and every
// publisher is done: STREAM.INFO (last sequence, messages reported
// lost), then a get of every sequence, a window of them in flight.
type jsVerifier struct {
	p    *jsWorkload
	c    *Client
	pid  int
	info struct {
		LastSeq uint64
		Lost    []uint64
	}
	haveInfo bool
	next     uint64 // the next sequence to ask for
	inflight int
	final    map[uint64]jsOutput
	done     bool
}

const jsVerifyWindow = 32

func newJSVerifier(p *jsWorkload) *jsVerifier {
	return &jsVerifier{p: p, c: p.setup, pid: p.hist.newClientID(), final: map[uint64]jsOutput{}}
}

type streamInfoReply struct {
	State *struct {
		LastSeq uint64 `json:"last_seq"`
		Lost    *struct {
			Msgs []uint64 `json:"msgs"`
		} `json:"lost"`
	} `json:"state"`
	Error *jsAPIError `json:"error"`
}

func (v *jsVerifier) start() {
	p := v.p
	retry := func() { v.c.host.After(jsRetryBackoff, v.start) }
	err := v.c.Request(jsAPIPrefix+"STREAM.INFO."+p.spec.Stream, nil, p.spec.Timeout, func(m Msg, err error) {
		var rep streamInfoReply
		if err != nil || json.Unmarshal(m.Data, &rep) != nil || rep.Error != nil || rep.State == nil {
			retry()
			return
		}
		v.info.LastSeq = rep.State.LastSeq
		if rep.State.Lost != nil {
			v.info.Lost = rep.State.Lost.Msgs
		}
		v.haveInfo, v.next = true, 1
		v.fill()
	})
	if err != nil {
		retry()
	}
}

// fill keeps the window of gets full; done once every sequence is in.
func (v *jsVerifier) fill() {
	for v.inflight < jsVerifyWindow && v.next <= v.info.LastSeq {
		v.ask(v.next)
		v.next++
	}
	if v.inflight == 0 && uint64(len(v.final)) == v.info.LastSeq {
		v.done = true
	}
}

// ask gets seq until the get succeeds.
func (v *jsVerifier) ask(seq uint64) {
	p := v.p
	in := jsInput{Kind: jsGetSeq, Seq: seq}
	call := p.r.w.Elapsed()
	v.inflight++
	err := p.get(v.c, in, func(out jsOutput, ok bool) {
		v.inflight--
		if !ok {
			v.retry(seq)
			return
		}
		p.hist.add(v.pid, in, out, call, p.r.w.Elapsed())
		v.final[seq] = out
		v.fill()
	})
	if err != nil {
		v.inflight--
		v.retry(seq)
	}
}

func (v *jsVerifier) retry(seq uint64) {
	v.inflight++ // the retry holds its slot
	v.c.host.After(jsRetryBackoff, func() {
		v.inflight--
		v.ask(seq)
	})
}

// lost reports whether the stream listed seq as lost to damage.
func (v *jsVerifier) lost(seq uint64) bool {
	for _, s := range v.info.Lost {
		if s == seq {
			return true
		}
	}
	return false
}
