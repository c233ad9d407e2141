package jetstream

import (
	"time"

	"jsnode/node/store"
	"jsnode/node/store/filestore"
)

// RelaxedSyncDefault is the sync interval of a persist_mode async stream
// on a server without a sync_interval (nats-server's default interval).
const RelaxedSyncDefault = 2 * time.Minute

// openFileStore opens a stream's file store under dir. The store is
// durable before ack unless the server runs relaxed (a sync_interval)
// or the stream asks for persist_mode async.
func openFileStore(js *JetStream, dir string, cfg *StreamConfig) (store.Store, error) {
	fc := filestore.Config{Syncer: js.syncer, Clock: js.clock, FirstSeq: cfg.FirstSeq,
		SyncInterval: js.relaxedInterval(cfg)}
	return filestore.Open(js.fs, dir, fc)
}

// relaxedInterval is the sync interval of a relaxed stream, 0 for one
// durable before ack.
func (js *JetStream) relaxedInterval(cfg *StreamConfig) time.Duration {
	switch {
	case js.opts.SyncAlways:
		return 0
	case js.opts.SyncInterval > 0:
		return js.opts.SyncInterval
	case cfg.PersistMode == PersistAsync:
		return RelaxedSyncDefault
	}
	return 0
}
