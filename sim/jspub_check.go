package sim

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"
)

// The checks of js_publish.
const (
	// checkJSAckedDurable: after the heal, every acked sequence holds the
	// message it was acked for (or the stream's limits removed it).
	checkJSAckedDurable = "js-acked-durable"
	// checkJSCorruption: with stored bits flipped, an acked message may
	// be gone only if the stream reports it lost; no message is served
	// with bytes its publisher did not send.
	checkJSCorruption = "js-corruption-reported"
	// checkJSDedupe: one id is stored at one sequence, and every ack for
	// it names that sequence.
	checkJSDedupe = "js-dedupe"
	// checkJSSeqDense: acked sequences are unique and the last sequence
	// never goes back below an acked one across restarts.
	checkJSSeqDense = "js-seq-dense"
	// checkJSLinearizable: the history fits an append-only log.
	checkJSLinearizable = "js-linearizable"
)

// jsObserved is what the clients learned: acks and served messages.
type jsObserved struct {
	maxAcked   uint64
	ackSeq     map[string]uint64 // id -> acked sequence
	ackSubj    map[string]string
	seqID      map[uint64]string // acked sequence -> id
	servedSeq  map[string]uint64 // id -> sequence it was served at
	servedID   map[uint64]string // sequence -> id served there
	servedSubj map[string]string // id -> subject it was served on
	dupOnFirst int               // first acks that said duplicate (a lost ack's retry)
}

func newJSObserved() jsObserved {
	return jsObserved{ackSeq: map[string]uint64{}, ackSubj: map[string]string{}, seqID: map[uint64]string{},
		servedSeq: map[string]uint64{}, servedID: map[uint64]string{}, servedSubj: map[string]string{}}
}

// acked records a PubAck for in.
func (o *jsObserved) acked(p *jsWorkload, in jsInput, ack pubAck) {
	id, seq := in.ID, ack.Seq
	if prev, ok := o.ackSeq[id]; ok && prev != seq {
		p.violateUnlessLost(prev, checkJSDedupe, "%s acked at seq %d, then at %d", id, prev, seq)
	}
	if prev := o.ackSeq[id]; in.Probe && !ack.Duplicate {
		p.violateUnlessLost(prev, checkJSDedupe, "%s sent again was stored again (seq %d), not acked as a duplicate", id, seq)
	}
	if other, ok := o.seqID[seq]; ok && other != id {
		p.violate(checkJSSeqDense, "seq %d acked for %s and for %s", seq, other, id)
	}
	if !in.Probe && ack.Duplicate {
		o.dupOnFirst++
	}
	if _, ok := o.ackSeq[id]; !ok {
		o.ackSeq[id], o.ackSubj[id], o.seqID[seq] = seq, in.Subj, id
	}
	o.maxAcked = max(o.maxAcked, seq)
}

// servedAt records a message served at seq.
func (o *jsObserved) servedAt(p *jsWorkload, id string, seq uint64, subj string) {
	if s, ok := o.servedSeq[id]; ok && s != seq {
		p.violateUnlessLost(min(s, seq), checkJSDedupe, "%s served at seq %d and at %d", id, s, seq)
	}
	if a, ok := o.ackSeq[id]; ok && a != seq {
		p.violateUnlessLost(a, checkJSDedupe, "%s acked at seq %d but served at %d", id, a, seq)
	}
	if x, ok := o.servedID[seq]; ok && x != id {
		p.violate(checkJSSeqDense, "seq %d served as %s, later as %s", seq, x, id)
	}
	if s, ok := o.ackSubj[id]; ok && s != subj {
		p.violate(p.wrongBytesCheck(), "%s published on %s, served on %s", id, s, subj)
	}
	o.servedSeq[id], o.servedID[seq], o.servedSubj[id] = seq, id, subj
}

// violateUnlessLost is violate, except where stored bits flip and the
// stream reports seq lost: a message lost to damage takes its id out of
// the dedupe window, so the id may rightly be stored again. Whether it
// was reported is known only from the read-back, so the check waits.
func (p *jsWorkload) violateUnlessLost(seq uint64, check, format string, args ...any) {
	if !p.r.sc.Faults.Disk.flipsAtRest() {
		p.violate(check, format, args...)
		return
	}
	n := len(p.violations)
	p.violate(check, format, args...)
	if len(p.violations) > n {
		p.excusedIfLost = append(p.excusedIfLost, jsExcuse{at: n, seq: seq})
	}
}

// jsExcuse marks violation at as void if seq is reported lost.
type jsExcuse struct {
	at  int
	seq uint64
}

// pendingViolations drops the violations a reported loss excuses.
func (p *jsWorkload) pendingViolations() []error {
	void := map[int]bool{}
	for _, e := range p.excusedIfLost {
		if p.verify != nil && p.verify.lost(e.seq) {
			void[e.at] = true
		}
	}
	var out []error
	for i, v := range p.violations {
		if !void[i] {
			out = append(out, v)
		}
	}
	return out
}

// wrongBytesCheck owns a message served with bytes no publisher sent.
func (p *jsWorkload) wrongBytesCheck() string {
	if p.r.sc.Faults.Disk.flipsAtRest() {
		return checkJSCorruption
	}
	return checkJSAckedDurable
}

func (p *jsWorkload) check(stats map[string]int) error {
	for _, pub := range p.pubs {
		pub.endInFlight()
	}
	var errs []error
	if !p.finalDone() {
		errs = append(errs, violation("liveness", errors.New("js_publish: liveness round not completed: "+p.whyNotDone())))
	} else {
		errs = append(errs, p.checkFinal()...)
	}
	errs = append(errs, p.pendingViolations()...)
	for _, pr := range p.problems {
		errs = append(errs, errors.New("js_publish: "+pr))
	}
	p.addStats(stats)
	if p.r.checks.on(checkJSLinearizable) {
		errs = append(errs, p.checkLinearizable()...)
	}
	return errors.Join(errs...)
}

func (p *jsWorkload) whyNotDone() string {
	switch {
	case !p.created:
		return "stream never created"
	case !p.inFinal:
		return fmt.Sprintf("not ready: node up %v, stream error %v", p.node.Alive(), p.streamErr(p.node))
	case p.verify == nil:
		var owed []string
		for _, pub := range p.pubs {
			if pub.finalLeft > 0 || pub.cur != nil {
				owed = append(owed, fmt.Sprintf("%s owes %d (in flight %v)", pub.c.host.name, pub.finalLeft, pub.cur != nil))
			}
		}
		return strings.Join(owed, ", ")
	}
	return fmt.Sprintf("read back %d of %d sequences (have info %v)", len(p.verify.final), p.verify.info.LastSeq, p.verify.haveInfo)
}

// checkFinal compares the read-back with every ack.
func (p *jsWorkload) checkFinal() []error {
	v := p.verify
	var errs []error
	if v.info.LastSeq < p.obs.maxAcked {
		errs = append(errs, violationf(checkJSSeqDense, "js_publish: last_seq %d after the heal is below the acked seq %d", v.info.LastSeq, p.obs.maxAcked))
	}
	d := p.node.host.disk
	if len(v.info.Lost) > 0 && d.corruptedAtRest+d.corruptedOnRead == 0 {
		errs = append(errs, violationf(checkJSAckedDurable, "js_publish: stream reports lost %v, but no bit was flipped", v.info.Lost))
	}
	for _, id := range slices.Sorted(maps.Keys(p.obs.ackSeq)) {
		if err := p.checkAcked(id, p.obs.ackSeq[id]); err != nil {
			errs = append(errs, err)
			if len(errs) >= violationsMax {
				break
			}
		}
	}
	return errs
}

// checkAcked: the acked message id is at seq, or removed by the
// per-subject limit, or (with flipped bits) reported lost.
func (p *jsWorkload) checkAcked(id string, seq uint64) error {
	v := p.verify
	got := v.final[seq]
	switch {
	case got.Found && got.ID == id:
		return nil
	case got.Found:
		return violationf(checkJSAckedDurable, "js_publish: seq %d acked for %s holds %s", seq, id, got.ID)
	case v.lost(seq) && p.r.sc.Faults.Disk.flipsAtRest():
		return nil // reported: the corruption check's condition holds
	case p.removedByLimit(id, seq):
		return nil
	case p.r.sc.Faults.Disk.flipsAtRest():
		return violationf(checkJSCorruption, "js_publish: acked %s at seq %d is gone and not reported lost", id, seq)
	}
	return violationf(checkJSAckedDurable, "js_publish: acked %s at seq %d is gone (lost %v)", id, seq, v.lost(seq))
}

// removedByLimit: max_msgs_per_subject later messages on the same
// subject are stored, so the stream rightly removed seq.
func (p *jsWorkload) removedByLimit(id string, seq uint64) bool {
	if p.spec.MaxMsgsPer == 0 {
		return false
	}
	subj, later := p.obs.ackSubj[id], 0
	for s := seq + 1; s <= p.verify.info.LastSeq; s++ {
		if got := p.verify.final[s]; got.Found && p.obs.servedSubj[got.ID] == subj {
			later++
		}
	}
	return later >= p.spec.MaxMsgsPer
}

func (p *jsWorkload) checkLinearizable() []error {
	res, path, err := p.hist.check(p.spec.MaxMsgsPer, p.r.sc.Name, p.r.w.Seed(), annotations(p.notes, nil))
	var errs []error
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("js_publish: writing the visualization: %w", err))
	case res == porcupine.Illegal:
		errs = append(errs, violationf(checkJSLinearizable, "js_publish: history of %d operations is not linearizable", len(p.hist.ops)))
	case res == porcupine.Unknown:
		errs = append(errs, violationf(checkJSLinearizable, "js_publish: linearizability check undecided after %v", linearizabilityBudget))
	}
	if path != "" {
		errs = append(errs, fmt.Errorf("js_publish: history visualization: %s", path))
	}
	return errs
}
