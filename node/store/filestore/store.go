// Package filestore is the file store: a stream's messages in numbered,
// bounded block files of checksummed records over the disk seam, with the
// shared in-memory index (sequence slots, per-subject lists, TTL heap)
// rebuilt from the files alone on Open.
//
// Durability is group commit: appends, removes and purges are records
// buffered on the loop; WhenDurable writes the buffer with one Write and
// hands one sync job at a time to the Syncer; callers that arrive while
// a job runs share the next one. A new block's directory entry is synced
// by the job before any done that covers a record in it. Removes are
// tombstone records and purges are "first sequence is now N" records, so
// recovery rebuilds exactly the synced state, and the next sequence is
// past every sequence ever durable.
package filestore

import (
	"errors"
	"fmt"
	"io"
	"path"
	"time"

	"jsnode/clock"
	"jsnode/disk"
	"jsnode/node/store"
	"jsnode/node/store/internal/msgindex"
)

// Block size bounds (REFERENCE.md: nats-server's stream blocks).
const (
	DefaultBlockSize = 8 << 20
	MinBlockSize     = 32 << 10
	MaxBlockSize     = 8 << 20

	// flushBytes is how much may sit in the write buffer before it is
	// written without waiting for a WhenDurable.
	flushBytes = 256 << 10
)

// Config configures a file store.
type Config struct {
	// Syncer runs the sync jobs (required).
	Syncer disk.Syncer
	// Clock drives the relaxed mode's sync timer (required if
	// SyncInterval > 0).
	Clock clock.Clock
	// BlockSize bounds a block file (0: DefaultBlockSize; clamped to
	// [MinBlockSize, MaxBlockSize]).
	BlockSize int64
	// SyncInterval 0 (the default) makes WhenDurable wait for the sync.
	// A positive interval is the relaxed mode: done runs once the bytes
	// are written, and a timer syncs every interval, so a power loss can
	// lose acknowledged writes.
	SyncInterval time.Duration
	// FirstSeq is the first sequence of a new store (0: 1); ignored when
	// the directory already holds a store.
	FirstSeq uint64
	// Compression is applied to sealed blocks (the active block is
	// written as records arrive). With a Cipher it is not applied:
	// records are sealed one by one, and ciphertext does not compress.
	Compression Compression
	// Cipher ("chachapoly" or "aes"; "": none) encrypts message records
	// at rest with Key (32 bytes). Rand (required with a cipher) gives
	// each Open its random salt.
	Cipher string
	Key    []byte
	Rand   io.Reader
	// OnRecover, if set, sees every message record recovery indexes, in
	// sequence order, while Open runs (hdr is only valid during the
	// call): the stream rebuilds its dedupe window from it without
	// reading the messages a second time.
	OnRecover func(seq uint64, ts int64, hdr []byte)

	// testBlockSize, if set, is the block size without the clamp, so
	// tests cross many blocks with few messages.
	testBlockSize int64
}

// loc is where a message's record lies.
type loc struct {
	blk uint32
	off uint32
	n   uint32
}

// Store is a file store. It implements store.Store.
type Store struct {
	fs      disk.FS
	dir     string
	msgsDir string
	cfg     Config

	x      *msgindex.Index[loc]
	blocks []*block // ascending by number
	byNum  map[uint32]*block
	active *block
	// lastNum is the largest block number in use or on disk (damaged
	// blocks keep their files and numbers).
	lastNum uint32
	spare   []byte // the last sealed block's buffer, for the next one
	sealer  *sealer
	scratch []byte // a plain record being sealed

	sync   syncState
	maint  maintenance
	cache  chunk
	lost   store.Lost
	report Recovery

	failed  error
	stopped bool
	deleted bool
}

var _ store.Store = (*Store)(nil)

// Open opens the store in dir (creating it if missing) and recovers its
// state from the block files.
func Open(fs disk.FS, dir string, cfg Config) (*Store, error) {
	if cfg.Syncer == nil {
		return nil, errors.New("filestore: Config.Syncer is required")
	}
	if cfg.SyncInterval > 0 && cfg.Clock == nil {
		return nil, errors.New("filestore: Config.Clock is required with SyncInterval")
	}
	switch {
	case cfg.BlockSize == 0:
		cfg.BlockSize = DefaultBlockSize
	case cfg.BlockSize < MinBlockSize:
		cfg.BlockSize = MinBlockSize
	case cfg.BlockSize > MaxBlockSize:
		cfg.BlockSize = MaxBlockSize
	}
	if cfg.testBlockSize > 0 {
		cfg.BlockSize = cfg.testBlockSize
	}
	s := &Store{
		fs: fs, dir: dir, msgsDir: path.Join(dir, "msgs"), cfg: cfg,
		x: msgindex.New[loc](0), byNum: map[uint32]*block{},
	}
	if cfg.Cipher != "" {
		c, err := newSealer(cfg.Cipher, cfg.Key, cfg.Rand)
		if err != nil {
			return nil, err
		}
		s.sealer = c
		s.cfg.Compression = NoCompression
	}
	if err := s.recover(); err != nil {
		s.closeFiles()
		return nil, fmt.Errorf("filestore: open %s: %w", dir, err)
	}
	return s, nil
}

// Kind is store.File.
func (s *Store) Kind() store.Kind { return store.File }

// SetCompression changes how the blocks sealed from now on are stored.
// Blocks already sealed stay as they are: each block's header says how
// its file holds its records, so a store reads any mix.
func (s *Store) SetCompression(c Compression) { s.cfg.Compression = c }

// Recovery is what Open found.
func (s *Store) Recovery() Recovery { return s.report }

// writable is the error a write gets, if any.
func (s *Store) writable() error {
	switch {
	case s.stopped:
		return store.ErrStopped
	case s.failed != nil:
		return s.failed
	}
	return nil
}

// fail puts the store in the failed state: every waiter and every later
// write gets the error.
func (s *Store) fail(err error) error {
	if s.failed == nil {
		s.failed = fmt.Errorf("%w: %w", store.ErrFailed, err)
	}
	waiting := s.sync.waiting
	s.sync.waiting = nil
	for _, done := range waiting {
		done(s.failed)
	}
	return s.failed
}

// State is the summary.
func (s *Store) State() store.State {
	var lost *store.Lost
	if len(s.lost.Msgs) > 0 {
		l := store.Lost{Msgs: append([]uint64(nil), s.lost.Msgs...), Bytes: s.lost.Bytes}
		lost = &l
	}
	return store.StateOf(s.x.State(), lost)
}

// SubjectState is the entry of a literal subject.
func (s *Store) SubjectState(subj string) store.SubjectState {
	return store.SubjectState(s.x.SubjectState(subj))
}

// Subjects returns the entries of the subjects matching filter.
func (s *Store) Subjects(filter string) map[string]store.SubjectState {
	return store.SubjectsOf(s.x, filter)
}

// FilteredState counts the messages at or after start matching filter.
func (s *Store) FilteredState(filter string, start uint64) store.SubjectState {
	return store.SubjectState(s.x.Filtered(filter, start))
}

// Deleted lists the sequences in [FirstSeq, LastSeq] without a message.
func (s *Store) Deleted() []uint64 { return s.x.Deleted() }

// NextExpiry is the earliest expiry of a message with a TTL, or 0.
func (s *Store) NextExpiry() int64 { return s.x.NextExpiry() }

// Expired lists up to max sequences expired at now, by expiry.
func (s *Store) Expired(now int64, max int) []uint64 { return s.x.Expired(now, max) }

// Err is why the store failed (it then refuses writes), or nil.
func (s *Store) Err() error { return s.failed }
