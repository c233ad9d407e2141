package jetstream

import (
	"crypto/hmac"
	"crypto/sha256"
	"math/rand/v2"
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
func openFileStore(js *JetStream, dir string, cfg *StreamConfig, recovered func(uint64, int64, []byte)) (store.Store, error) {
	fc := filestore.Config{Syncer: js.syncer, Clock: js.clock, FirstSeq: cfg.FirstSeq,
		SyncInterval: js.relaxedInterval(cfg), OnRecover: recovered}
	fc.Compression = fileCompression(cfg.Compression)
	if js.opts.Cipher != "" {
		fc.Cipher, fc.Key, fc.Rand = js.opts.Cipher, streamKey(js.opts.Key, dir), randReader{js.rand}
	}
	return filestore.Open(js.fs, dir, fc)
}

// streamKey derives a stream's encryption key from the server's key and
// the stream's directory (account and name), so no two streams share one.
func streamKey(serverKey, dir string) []byte {
	h := hmac.New(sha256.New, []byte(serverKey))
	h.Write([]byte(dir))
	return h.Sum(nil)
}

// randReader reads from the node's seeded source (the salts of
// encrypted stores).
type randReader struct{ r *rand.Rand }

func (r randReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.r.Uint32())
	}
	return len(p), nil
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

func fileCompression(c Compression) filestore.Compression {
	if c == S2Compression {
		return filestore.S2
	}
	return filestore.NoCompression
}

// setCompression applies a changed compression to the blocks a file
// stream seals from now on (a memory stream stores nothing compressed).
func (mset *stream) setCompression() {
	if fs, ok := mset.store.(*filestore.Store); ok {
		fs.SetCompression(fileCompression(mset.cfg.Compression))
	}
}
