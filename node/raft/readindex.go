package raft

// ReadState answers a ReadIndex request: once the application has applied
// the log up to Index, a read of its state is linearizable with respect to
// every write committed before the request was made.
type ReadState struct {
	Index   uint64
	Context uint64
}

// readRequest is one read waiting on the leader.
type readRequest struct {
	from  ID // requesting node (the leader itself for local reads)
	ctx   uint64
	index uint64 // commit index when the request was accepted
	round uint64 // heartbeat round that must be acknowledged by a quorum
}

// readIndexState is the leader's read-index bookkeeping (Raft thesis
// §6.4): a read is answered with the commit index at the time it arrived,
// once a heartbeat round sent after it is acknowledged by a quorum, which
// proves no newer leader existed at that moment.
type readIndexState struct {
	// waiting are reads that arrived before the leader committed an entry
	// of its term (until then its commit index may be stale).
	waiting []readRequest
	// queue are reads waiting for their round, in round order.
	queue []readRequest
	// round is the last heartbeat round issued; acks holds, per member,
	// the highest round it acknowledged.
	round uint64
	acks  map[ID]uint64
}

func (s *readIndexState) reset() {
	s.waiting = s.waiting[:0]
	s.queue = s.queue[:0]
	clear(s.acks)
}

func (s *readIndexState) pending() int { return len(s.waiting) + len(s.queue) }

// lastRound is the round heartbeats should carry: the newest one still
// awaiting acknowledgements, so a lost heartbeat is retried by the next.
func (s *readIndexState) lastRound() uint64 {
	if len(s.queue) == 0 {
		return 0
	}
	return s.queue[len(s.queue)-1].round
}

// readIndex starts a read on behalf of the application.
func (r *raft) readIndex(ctx uint64) error {
	if r.role == RoleLeader {
		return r.leaderRead(r.id, ctx)
	}
	if r.lead == None {
		return &NotLeaderError{Leader: None}
	}
	r.send(Message{Type: MsgReadIndex, To: r.lead, Context: ctx})
	return nil
}

// leaderRead accepts a read from a member (or the leader itself).
func (r *raft) leaderRead(from ID, ctx uint64) error {
	if r.reads.pending() >= ReadIndexPendingMax {
		return ErrTooManyReads
	}
	req := readRequest{from: from, ctx: ctx}
	if r.log.termOrZero(r.log.committed) != r.term {
		r.reads.waiting = append(r.reads.waiting, req)
		return nil
	}
	r.issueReads([]readRequest{req})
	return nil
}

// releaseWaitingReads issues the reads that waited for the leader's first
// commit in its term.
func (r *raft) releaseWaitingReads() {
	if len(r.reads.waiting) == 0 || r.log.termOrZero(r.log.committed) != r.term {
		return
	}
	waiting := r.reads.waiting
	r.reads.waiting = nil
	r.issueReads(waiting)
}

// issueReads records reads at the current commit index and starts a
// heartbeat round to confirm leadership for them.
func (r *raft) issueReads(reqs []readRequest) {
	index := r.log.committed
	if r.membership.IsVoter(r.id) && r.membership.quorum() == 1 {
		for _, req := range reqs {
			req.index = index
			r.answerRead(req)
		}
		return
	}
	r.reads.round++
	for _, req := range reqs {
		req.index, req.round = index, r.reads.round
		r.reads.queue = append(r.reads.queue, req)
	}
	r.bcastHeartbeat(r.reads.round)
}

// readAck records a member's acknowledgement of a heartbeat round and
// answers every read whose round a quorum has now acknowledged.
func (r *raft) readAck(from ID, round uint64) {
	if !r.membership.IsVoter(from) || round > r.reads.round {
		return
	}
	if r.reads.acks == nil {
		r.reads.acks = map[ID]uint64{}
	}
	if round <= r.reads.acks[from] {
		return
	}
	r.reads.acks[from] = round
	done := 0
	for _, req := range r.reads.queue {
		if !r.roundConfirmed(req.round) {
			break
		}
		r.answerRead(req)
		done++
	}
	r.reads.queue = append(r.reads.queue[:0], r.reads.queue[done:]...)
}

// roundConfirmed reports whether a quorum of voters (the leader counting
// itself) acknowledged round or a later one.
func (r *raft) roundConfirmed(round uint64) bool {
	acked := 0
	for _, id := range r.membership.Voters {
		if id == r.id || r.reads.acks[id] >= round {
			acked++
		}
	}
	return acked >= r.membership.quorum()
}

func (r *raft) answerRead(req readRequest) {
	if req.from == r.id {
		r.addReadState(ReadState{Index: req.index, Context: req.ctx})
		return
	}
	r.send(Message{Type: MsgReadIndexResp, To: req.from, Index: req.index, Context: req.ctx})
}

func (r *raft) addReadState(rs ReadState) {
	if len(r.readStates) >= ReadIndexPendingMax {
		return // the application is not draining Ready; it will time out
	}
	r.readStates = append(r.readStates, rs)
}
