package sim

import "jsnode/net"

// pipe carries one end's writes to its peer: queued segments, each due at
// its delivery time (non-decreasing, so order is kept), then optionally a
// FIN after the data or a RST that overtakes it.
type pipe struct {
	w     *World
	from  *end
	segs  []segment
	head  int
	bytes int // undelivered bytes

	lastAt     int64 // due time of the last write, for ordering
	wireFree   int64 // when a throttled link has carried what was written (slow_links.go)
	fin        bool
	finAt      int64
	rst        bool
	rstAt      int64
	progressAt int64 // last delivery progress, for write deadlines
	checking   bool  // a write-deadline check is scheduled

	scheduled bool
	schedAt   int64
	gen       uint64
}

type segment struct {
	data []byte
	off  int
	at   int64
}

// compactMin is the consumed-segment count above which the queue is
// compacted, once consumed segments are also half of it.
const compactMin = 64

func (p *pipe) pending() bool { return p.bytes > 0 || p.fin }

func (p *pipe) push(b []byte, at int64) {
	p.segs = append(p.segs, segment{data: b, at: at})
	p.bytes += len(b)
}

// discard drops queued data and any FIN (a RST, if set, stays).
func (p *pipe) discard() {
	clear(p.segs)
	p.segs, p.head, p.bytes, p.fin = p.segs[:0], 0, 0, false
}

// kick makes sure a delivery event is scheduled no later than at.
func (p *pipe) kick(at int64) {
	if p.scheduled && p.schedAt <= at {
		return
	}
	p.scheduled, p.schedAt = true, at
	p.gen++
	gen := p.gen
	p.w.scheduleAt(at, nil, func() {
		if p.gen != gen {
			return
		}
		p.scheduled = false
		p.deliver()
	})
}

// deliver hands over whatever is due now, then schedules the next step.
func (p *pipe) deliver() {
	w := p.w
	from, to := p.from, p.from.peer()
	if to == nil {
		return
	}
	if to.finished {
		p.discard()
		p.rst = false
		if from.closing {
			from.finish(net.ErrLocalClose)
		}
		from.checkDrained()
		return
	}
	if w.isBlocked(from.host().name, to.host().name) {
		return // Heal kicks every pipe
	}
	if until := to.inc.pausedUntil; until > w.now {
		p.kick(until) // a paused process reads nothing until it resumes
		return
	}
	if p.rst {
		if p.rstAt <= w.now {
			p.rst = false
			to.finish(net.ErrReset)
			return
		}
		p.kick(p.rstAt)
	}
	if to.paused || !to.established {
		return // ResumeReading and establish kick
	}
	if p.bytes > 0 && p.segs[p.head].at <= w.now {
		p.deliverData(to)
		if to.finished || from.finished {
			return
		}
	}
	if p.bytes == 0 && p.fin && p.finAt <= w.now {
		p.fin = false
		w.record(to.host().name, "fin", to.id, nil)
		if !to.closing {
			to.finish(net.ErrClosedByPeer)
		}
		from.finish(net.ErrLocalClose)
		return
	}
	p.rearm()
}

// rearm schedules the next delivery step, if anything is queued.
func (p *pipe) rearm() {
	switch {
	case p.bytes > 0:
		p.kick(p.segs[p.head].at)
	case p.fin:
		p.kick(p.finAt)
	}
}

// deliverData hands the due bytes, up to one read buffer and possibly cut
// at a seeded random point, to the peer's handler in one Data call.
func (p *pipe) deliverData(to *end) {
	w := p.w
	due := 0
	for i := p.head; i < len(p.segs) && p.segs[i].at <= w.now && due < len(w.readBuf); i++ {
		due += len(p.segs[i].data) - p.segs[i].off
	}
	due = min(due, len(w.readBuf))
	r := p.from.host().rng
	if due > 1 && w.opts.SplitProb > 0 && r.Float64() < w.opts.SplitProb {
		due = 1 + r.IntN(due-1)
	}
	buf := p.take(due)
	p.progressAt = w.now
	w.record(to.host().name, "data", to.id, buf)
	to.handler.Data(buf)
	p.from.checkDrained()
}

// take removes n bytes from the front of the queue. A slice of a single
// segment is returned as is; bytes spanning segments are gathered into
// the world's read buffer.
func (p *pipe) take(n int) []byte {
	s := &p.segs[p.head]
	var buf []byte
	if len(s.data)-s.off >= n {
		buf = s.data[s.off : s.off+n]
		s.off += n
	} else {
		buf = p.w.readBuf[:0]
		for len(buf) < n {
			s = &p.segs[p.head]
			k := min(len(s.data)-s.off, n-len(buf))
			buf = append(buf, s.data[s.off:s.off+k]...)
			s.off += k
			if s.off == len(s.data) {
				p.popHead()
			}
		}
	}
	if p.head < len(p.segs) && p.segs[p.head].off == len(p.segs[p.head].data) {
		p.popHead()
	}
	p.bytes -= n
	return buf
}

func (p *pipe) popHead() {
	p.segs[p.head] = segment{}
	p.head++
	if p.head == len(p.segs) {
		p.segs, p.head = p.segs[:0], 0
		return
	}
	if p.head >= compactMin && p.head*2 >= len(p.segs) {
		n := copy(p.segs, p.segs[p.head:])
		clear(p.segs[n:])
		p.segs, p.head = p.segs[:n], 0
	}
}
