package jetstream

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"time"

	"jsnode/disk"
	"jsnode/node/mutant"
	"jsnode/node/store"
)

// Files of a stream's directory.
const (
	metaFile    = "meta.inf" // the stream's config and creation time (JSON)
	streamsDir  = "streams"
	jsDir       = "jetstream"
	metaVersion = 1
)

// streamMeta is what meta.inf holds. Sum is the SHA-256 of the file's
// JSON encoded without Sum: a damaged meta.inf must not be read as a
// different config (a lower max_msgs would delete messages).
type streamMeta struct {
	Version int          `json:"version"`
	Config  StreamConfig `json:"config"`
	Created time.Time    `json:"created"`
	Sum     string       `json:"sum,omitempty"`
}

// encodeMeta encodes meta with its checksum.
func encodeMeta(meta streamMeta) ([]byte, error) {
	meta.Sum = ""
	b, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(b)
	meta.Sum = hex.EncodeToString(h[:])
	return json.Marshal(meta)
}

// decodeMeta decodes a meta.inf and checks its checksum.
func decodeMeta(b []byte) (streamMeta, error) {
	var meta streamMeta
	if err := json.Unmarshal(b, &meta); err != nil {
		return meta, fmt.Errorf("%s: %w", metaFile, err)
	}
	if meta.Version != metaVersion {
		return meta, fmt.Errorf("%s: version %d, want %d", metaFile, meta.Version, metaVersion)
	}
	again, err := encodeMeta(meta)
	if err != nil {
		return meta, err
	}
	var check streamMeta
	if json.Unmarshal(again, &check) != nil || check.Sum != meta.Sum {
		return meta, fmt.Errorf("%s: checksum mismatch (the file is damaged)", metaFile)
	}
	return meta, nil
}

// accountDir is where the account's streams live on the store's FS.
func (jsa *jsAccount) accountDir() string {
	return path.Join(jsDir, jsa.acc.Name(), streamsDir)
}

// errNoFileStore means file storage was asked for on a node without a
// store directory.
var errNoFileStore = errors.New("file storage is not available on this server (no store directory)")

// openStore opens the store for a stream (creating it when new);
// recovered, if set, sees each message a file store recovers.
func (jsa *jsAccount) openStore(cfg *StreamConfig, dir string, recovered func(seq uint64, ts int64, hdr []byte)) (store.Store, error) {
	if cfg.Storage == MemoryStorage {
		return store.NewMemory(store.MemoryConfig{FirstSeq: cfg.FirstSeq}), nil
	}
	if jsa.js.fs == nil {
		return nil, errNoFileStore
	}
	return openFileStore(jsa.js, dir, cfg, recovered)
}

// addStream creates a stream from a checked config.
func (jsa *jsAccount) addStream(cfg StreamConfig) (*stream, *apiError) {
	js := jsa.js
	mset := &stream{jsa: jsa, cfg: cfg, created: js.now().UTC(), dedupe: newDedupe(cfg.Duplicates)}
	if cfg.Storage == FileStorage {
		mset.dir = path.Join(jsa.accountDir(), cfg.Name)
		if err := jsa.writeMeta(mset); err != nil {
			return nil, errStreamCreate.with("err", err.Error())
		}
	}
	st, err := jsa.openStore(&cfg, mset.dir, nil)
	if err != nil {
		if mset.dir != "" {
			_ = js.fs.RemoveAll(mset.dir)
		}
		return nil, errStreamCreate.with("err", err.Error())
	}
	mset.store = st
	if err := mset.start(); err != nil {
		_ = mset.stop(true)
		return nil, errStreamCreate.with("err", err.Error())
	}
	jsa.streams[cfg.Name] = mset
	return mset, nil
}

// writeMeta stores the stream's config durably (written, synced,
// renamed into place, directory synced).
func (jsa *jsAccount) writeMeta(mset *stream) error {
	fs := jsa.js.fs
	if fs == nil {
		return errNoFileStore
	}
	b, err := encodeMeta(streamMeta{Version: metaVersion, Config: mset.cfg, Created: mset.created})
	if err != nil {
		return err
	}
	if err := fs.MkdirAll(mset.dir); err != nil {
		return err
	}
	if err := disk.WriteFileAtomic(fs, path.Join(mset.dir, metaFile), b); err != nil {
		return err
	}
	// MkdirAll may just have created any directory above the stream; a
	// new entry is durable only once its parent is synced. Without this an
	// acknowledged stream create was lost on power loss until the first
	// publish synced them.
	return disk.SyncAncestors(fs, path.Dir(mset.dir))
}

// removeFiles deletes the stream's store and directory.
func (mset *stream) removeFiles() error {
	err := mset.store.Delete()
	if mset.dir != "" {
		err = errors.Join(err, mset.js().fs.RemoveAll(mset.dir), mset.js().fs.SyncDir(path.Dir(mset.dir)))
	}
	return err
}

// recoverStreams opens the account's file streams from the store
// directory. A stream whose meta.inf is missing or unreadable is
// reported and skipped (its files are left alone for an operator).
func (jsa *jsAccount) recoverStreams() error {
	fs := jsa.js.fs
	if fs == nil {
		return nil
	}
	dir := jsa.accountDir()
	names, err := fs.List(dir)
	if errors.Is(err, disk.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := jsa.recoverStream(path.Join(dir, name)); err != nil {
			jsa.js.log.Errorf("JetStream: not recovering stream in %q: %v", path.Join(dir, name), err)
		}
	}
	return nil
}

func (jsa *jsAccount) recoverStream(dir string) error {
	fs := jsa.js.fs
	b, err := disk.ReadFile(fs, path.Join(dir, metaFile))
	if err != nil {
		return err
	}
	meta, err := decodeMeta(b)
	if err != nil {
		return err
	}
	cfg, e := jsa.checkConfig(&meta.Config, false)
	if e != nil {
		return fmt.Errorf("%s: %s", metaFile, e.Description)
	}
	if path.Base(dir) != cfg.Name {
		return fmt.Errorf("%s names stream %q", metaFile, cfg.Name)
	}
	if jsa.streams[cfg.Name] != nil {
		return fmt.Errorf("stream %q already exists", cfg.Name)
	}
	mset := &stream{jsa: jsa, cfg: cfg, created: meta.Created, dir: dir, dedupe: newDedupe(cfg.Duplicates)}
	var seen recoveredIDs
	st, err := jsa.openStore(&cfg, dir, seen.collector(jsa.js.now().UnixNano()-int64(cfg.Duplicates)))
	if err != nil {
		return err
	}
	mset.store = st
	mset.restoreDedupe(&seen)
	mset.account()
	if err := mset.start(); err != nil {
		mset.unaccount()
		_ = st.Stop()
		return err
	}
	jsa.streams[cfg.Name] = mset
	jsa.js.log.Noticef("  Restored %d messages for stream '%s > %s'", st.State().Msgs, jsa.acc.Name(), cfg.Name)
	return nil
}

// recoveredIDs collects, while a file store recovers, the message ids of
// the duplicate window and the id of the last message.
type recoveredIDs struct {
	entries []dedupeEntry
	lastSeq uint64
	lastID  string
}

// collector returns the store's recovery hook for messages stored after
// cut (Unix ns).
func (r *recoveredIDs) collector(cut int64) func(seq uint64, ts int64, hdr []byte) {
	return func(seq uint64, ts int64, hdr []byte) {
		id := header(hdr, hdrMsgID) // a copy: hdr lives only during the call
		if seq > r.lastSeq {
			r.lastSeq, r.lastID = seq, id
		}
		if id != "" && ts > cut {
			r.entries = append(r.entries, dedupeEntry{id, seq, ts})
		}
	}
}

// restoreDedupe rebuilds the dedupe window (and the last message id)
// from what recovery saw, so a publisher retrying across a restart is
// still deduplicated. Recovery made every message it saw durable before
// the store opened, so answering a retry as a duplicate acknowledges
// nothing that a power loss could still take.
func (mset *stream) restoreDedupe(r *recoveredIDs) {
	if mutant.On(mutant.JSForgetDedupe) {
		return // planted bug: the window is not rebuilt
	}
	if r.lastSeq != 0 && r.lastSeq == mset.store.State().LastSeq {
		mset.lastMsgID = r.lastID
	}
	entries := r.entries
	if len(entries) > DedupeMax {
		entries = entries[len(entries)-DedupeMax:]
	}
	for _, e := range entries {
		mset.dedupe.ids[e.id] = e.seq
		mset.dedupe.fifo = append(mset.dedupe.fifo, e)
	}
}
