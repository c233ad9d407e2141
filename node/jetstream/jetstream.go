package jetstream

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"jsnode/clock"
	"jsnode/disk"
	"jsnode/node/server"
)

// Defaults and limits, named as nats-server names them where it has them.
const (
	// APILevel is the JetStream API level this server speaks.
	APILevel = 1
	// MaxMemoryDefault and MaxStoreDefault are the server limits when the
	// host gives none (nats-server's fallbacks when it cannot measure).
	MaxMemoryDefault = 256 << 20
	MaxStoreDefault  = 1 << 40
	// NameMax bounds stream (and consumer) names; DescriptionMax and
	// MetadataMax their description and metadata.
	NameMax        = 255
	DescriptionMax = 4 << 10
	MetadataMax    = 128 << 10
	// NamesLimit and ListLimit are the page sizes of NAMES and LIST.
	NamesLimit = 1024
	ListLimit  = 256
	// SubjectDetailsMax bounds the subjects STREAM.INFO lists per page.
	SubjectDetailsMax = 100_000
	// DuplicatesDefault is a stream's duplicate_window when none is given.
	DuplicatesDefault = 2 * time.Minute
	// MaxReplicas is the most replicas a stream may ask for.
	MaxReplicas = 5
	// HeadersMax bounds a stored message's header block.
	HeadersMax = 64 << 10
	// APIRequestMax bounds an API request body.
	APIRequestMax = 1 << 20
)

// JetStream is the node's JetStream.
type JetStream struct {
	srv      *server.Server
	opts     server.JetStreamOptions
	clock    clock.Clock
	fs       disk.FS // nil: file storage is refused
	syncer   disk.Syncer
	log      server.Logger
	rand     *rand.Rand
	accounts map[string]*jsAccount
	order    []*jsAccount // by name
	stopped  bool
	stats    APIStats
	used     [2]uint64 // bytes all streams hold, by store.Kind
	// The server's identity and limits, read once at Start.
	serverID, serverName, clusterName string
	maxPending                        int64
}

// Start enables JetStream on the started server s, as its options say:
// every account with JetStream gets its API and its recovered streams.
// fs holds the store directory (nil: memory streams only); the server's
// Syncer runs the stores' syncs (see disk.Syncer).
func Start(s *server.Server, fs disk.FS) (*JetStream, error) {
	opts := s.JetStreamOptions()
	if !opts.Enabled {
		return nil, nil
	}
	if s.Clustered() {
		// Streams would be separate on every node while their subjects
		// are routed between them: refuse rather than mislead.
		return nil, errors.New("jetstream: JetStream in a cluster (replicated streams, the meta group) is not supported by jsnode yet; run JetStream on a server without cluster {}")
	}
	env := s.Env()
	js := &JetStream{srv: s, opts: opts, clock: env.Clock, fs: fs, syncer: s.Syncer(), log: s.Logger(),
		rand: env.Rand, accounts: map[string]*jsAccount{}}
	if js.opts.MaxMemory <= 0 {
		js.opts.MaxMemory = MaxMemoryDefault
	}
	if js.opts.MaxStore <= 0 {
		js.opts.MaxStore = MaxStoreDefault
	}
	js.stats.Level = APILevel
	js.serverID, js.serverName, js.clusterName, js.maxPending = s.ID(), s.Name(), s.ClusterName(), s.MaxPending()
	for _, name := range s.AccountNames() {
		if err := js.enableAccount(name); err != nil {
			js.Shutdown()
			return nil, err
		}
	}
	s.AttachJetStream(js)
	js.logConfig()
	return js, nil
}

// logConfig prints the JetStream banner, as nats-server does at start.
func (js *JetStream) logConfig() {
	o := &js.opts
	js.log.Noticef("Starting JetStream")
	js.log.Noticef("  Max Memory:      %d bytes", o.MaxMemory)
	js.log.Noticef("  Max Storage:     %d bytes", o.MaxStore)
	js.log.Noticef("  Store Directory: %q", o.StoreDir)
	if o.Domain != "" {
		js.log.Noticef("  Domain:          %s", o.Domain)
	}
	if o.Cipher != "" {
		js.log.Noticef("  Encryption:      %s", o.Cipher)
	}
	if i := js.relaxedInterval(&StreamConfig{}); i > 0 {
		js.log.Warnf("  Sync:            every %v (relaxed: a power loss can lose acknowledged messages)", i)
	} else {
		js.log.Noticef("  Sync:            before every acknowledgement (group commit)")
	}
}

// enableAccount starts JetStream in one account: the full API when the
// account has JetStream, only an INFO that says it has not otherwise.
func (js *JetStream) enableAccount(name string) error {
	acc := js.srv.Account(name)
	if acc == nil || acc.IsSystem() {
		return nil
	}
	lim := js.srv.AccountJetStream(name)
	if lim == nil {
		return js.subscribeNotEnabled(acc)
	}
	jsa := &jsAccount{js: js, acc: acc, limits: accountLimits(*lim), streams: map[string]*stream{}}
	if err := jsa.subscribeAPI(); err != nil {
		return err
	}
	js.accounts[name] = jsa
	js.order = append(js.order, jsa)
	slices.SortFunc(js.order, func(a, b *jsAccount) int { return strings.Compare(a.acc.Name(), b.acc.Name()) })
	if err := jsa.recoverStreams(); err != nil {
		return fmt.Errorf("jetstream: account %s: %w", name, err)
	}
	return nil
}

func accountLimits(o server.JetStreamAccountOpts) AccountLimits {
	return AccountLimits{MaxMemory: o.MaxMemory, MaxStore: o.MaxStore, MaxStreams: o.MaxStreams,
		MaxConsumers: o.MaxConsumers, MaxAckPending: o.MaxAckPending,
		MemoryMaxStreamBytes: o.MemoryMaxStreamBytes, StoreMaxStreamBytes: o.StoreMaxStreamBytes,
		MaxBytesRequired: o.MaxBytesRequired}
}

// Enabled reports whether account has JetStream.
func (js *JetStream) Enabled(account string) bool { return js.accounts[account] != nil }

// Shutdown stops every stream; what is durable stays so.
func (js *JetStream) Shutdown() {
	if js.stopped {
		return
	}
	js.stopped = true
	for _, jsa := range js.order {
		jsa.stop()
	}
}

// now is the node's time.
func (js *JetStream) now() time.Time { return js.clock.Now() }

// usage sums what every account's streams hold, by storage.
func (js *JetStream) usage() (mem, store, resMem, resStore uint64) {
	for _, jsa := range js.order {
		u := jsa.usage()
		resMem, resStore = resMem+u.ReservedMemory, resStore+u.ReservedStore
	}
	return js.used[1], js.used[0], resMem, resStore
}
