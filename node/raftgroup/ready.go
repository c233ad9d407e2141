package raftgroup

import (
	"errors"

	"jsnode/node/mutant"
	"jsnode/node/raft"
)

// process runs raft's Ready loop until nothing is left, following the
// contract exactly: persist (save, then sync when required), then send,
// then apply, then Advance. Callbacks it makes (the application, the
// proposers' and readers' callbacks, the transport) may call back into
// the group; a nested process returns at once and this loop picks up
// whatever the callback produced.
func (g *Group) process() {
	if g.processing || g.stopped || g.syncing != nil {
		return
	}
	g.processing = true
	defer func() { g.processing = false }()
	if rd := g.synced; rd != nil {
		g.synced = nil
		if !g.finishReady(rd) {
			return
		}
	}
	for !g.stopped && g.rn.HasReady() {
		rd := g.rn.Ready()
		if g.syncAsync(&rd) {
			return
		}
		if err := g.persist(&rd); err != nil {
			g.fail(err)
			return
		}
		if !g.finishReady(&rd) {
			return
		}
	}
	if err := g.rn.Err(); err != nil && !g.stopped {
		g.fail(err)
	}
}

// syncAsync saves rd and hands its sync to the Syncer; the Ready loop
// then waits for done, and nothing else is saved meanwhile. It reports
// false, having done nothing, when rd is persisted inline instead: no
// Syncer, nothing to sync, or a mutant that syncs its own way.
func (g *Group) syncAsync(rd *raft.Ready) bool {
	if g.cfg.Syncer == nil || !rd.MustSync || mutant.On(mutant.LogNeverSync) || mutant.On(mutant.AckBeforeFsync) {
		return false
	}
	if err := g.store.save(rd); err != nil {
		g.fail(err)
		return true
	}
	work, finish, err := g.store.startSync()
	if err != nil {
		g.fail(err)
		return true
	}
	g.syncing = rd
	g.stats.Syncs++
	if g.obs != nil {
		g.obs.Syncing(g, rd)
	}
	g.cfg.Syncer.Sync(work, func(err error) { g.syncDone(rd, finish, err) })
	return true
}

// syncDone is the Syncer's done for rd's sync: the log records the
// outcome, then the Ready loop finishes rd and goes on. A group stopped
// meanwhile left its log open for the job; it is closed now.
func (g *Group) syncDone(rd *raft.Ready, finish func(error) error, err error) {
	if g.syncing != rd {
		return
	}
	g.syncing = nil
	err = finish(err)
	if g.stopped {
		g.store.close()
		return
	}
	if err != nil {
		g.fail(err)
		return
	}
	g.synced = rd
	g.process()
}

// finishReady does what follows the persisting of rd: observe, send,
// apply, compact and Advance. It reports false if the group failed.
func (g *Group) finishReady(rd *raft.Ready) bool {
	g.track(rd)
	if g.obs != nil {
		g.obs.Saved(g, rd)
	}
	g.send(rd.Messages)
	if err := g.apply(rd); err != nil {
		g.fail(err)
		return false
	}
	if err := g.storeCompaction(rd.Compaction); err != nil {
		g.fail(err)
		return false
	}
	g.reads.setIndexes(rd.ReadStates)
	g.rn.Advance(*rd)
	g.reads.release(g.applied)
	g.maybeCompact()
	return true
}

// persist saves the Ready's snapshot, entries and hard state, and syncs
// them when raft says a message depends on them.
func (g *Group) persist(rd *raft.Ready) error {
	if err := g.store.save(rd); err != nil {
		return err
	}
	if !rd.MustSync || mutant.On(mutant.LogNeverSync) {
		return nil
	}
	if mutant.On(mutant.AckBeforeFsync) {
		g.syncLater = true // the messages leave now, the sync on the next tick
		return nil
	}
	return g.store.sync()
}

// track follows role, leader, term and commit from the Ready. A leader
// change fails the reads still waiting for a read index: their request
// may have died with the old leader.
func (g *Group) track(rd *raft.Ready) {
	if ss := rd.SoftState; ss != nil {
		if ss.Lead != g.lead {
			g.reads.failUnindexed(ErrLeaderChanged)
			if g.cfg.Log != nil {
				g.cfg.Log.Debugf("RAFT [%s - %s] leader is now %s (role %s)", g.cfg.Group, g.cfg.Self, g.nameOf(ss.Lead), ss.Role)
			}
		}
		g.role, g.lead = ss.Role, ss.Lead
	}
	if !rd.HardState.IsEmpty() {
		g.term, g.commit = rd.HardState.Term, rd.HardState.Commit
	}
	if rd.Snapshot != nil {
		g.commit = max(g.commit, rd.Snapshot.Meta.Index)
	}
}

// nameOf is a member's server name, or its token when unknown.
func (g *Group) nameOf(id raft.ID) string {
	if id == raft.None {
		return "none"
	}
	if n, ok := g.names[id]; ok {
		return n
	}
	return MemberToken(id)
}

// apply restores a received snapshot into the application, then applies
// the committed entries and answers their proposers.
func (g *Group) apply(rd *raft.Ready) error {
	if s := rd.Snapshot; s != nil {
		if err := g.sm.Restore(s.Meta.Index, s.Data); err != nil {
			return err
		}
		g.applied, g.snapIndex = s.Meta.Index, s.Meta.Index
		g.compactAt = 0
		g.stats.Restores++
		g.resolveThrough(s.Meta.Index)
		if g.obs != nil {
			g.obs.Restored(g, s.Meta)
		}
	}
	for _, e := range rd.CommittedEntries {
		if e.Index <= g.applied {
			continue // covered by a snapshot restored above
		}
		var result []byte
		if e.Type == raft.EntryNormal && len(e.Data) > 0 {
			result = g.sm.Apply(e.Index, e.Data)
		}
		g.applied = e.Index
		g.stats.Applied++
		if g.obs != nil {
			g.obs.Applied(g, e)
		}
		g.resolve(e, result)
		if g.stopped {
			return nil
		}
	}
	return nil
}

// storeCompaction stores a snapshot raft produced for Compact.
func (g *Group) storeCompaction(snap *raft.Snapshot) error {
	if snap == nil {
		return nil
	}
	g.compactAt = 0
	err := g.store.compact(*snap)
	if errors.Is(err, raft.ErrSnapshotOutOfDate) {
		return nil // a newer snapshot arrived from the leader meanwhile
	}
	if err != nil {
		return err
	}
	g.snapIndex = snap.Meta.Index
	g.stats.Snapshots++
	return nil
}

// maybeCompact asks raft for a snapshot once SnapshotEvery entries have
// been applied since the last one.
func (g *Group) maybeCompact() {
	if g.compactAt != 0 || g.applied < g.snapIndex+g.cfg.SnapshotEvery {
		return
	}
	if err := g.rn.Compact(g.applied, g.sm.Snapshot()); err != nil {
		if errors.Is(err, raft.ErrInvalidCompaction) {
			return
		}
		g.fail(err)
		return
	}
	g.compactAt = g.applied
}
