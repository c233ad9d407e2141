package jetstream

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"jsnode/node/mapping"
	"jsnode/node/subject"
)

// validName reports whether name may name a stream or a consumer: not
// empty, no whitespace, '.', '*', '>' or path separators.
func validName(name string) bool {
	return name != "" && !strings.ContainsAny(name, " \t\r\n\f.*>\\/")
}

// checkConfig validates a requested stream config and fills in its
// defaults, as nats-server does (pedantic: refuse instead of adjusting).
func (jsa *jsAccount) checkConfig(in *StreamConfig, pedantic bool) (StreamConfig, *apiError) {
	cfg := *in
	if e := checkIdentity(&cfg); e != nil {
		return cfg, e
	}
	if e := checkUnsupported(&cfg); e != nil {
		return cfg, e
	}
	if cfg.Retention == "" {
		cfg.Retention = LimitsPolicy
	}
	if cfg.Discard == "" {
		cfg.Discard = DiscardOld
	}
	if cfg.Storage == "" {
		cfg.Storage = FileStorage
	}
	if cfg.Compression == "" {
		cfg.Compression = NoCompression
	}
	if cfg.Replicas == 0 {
		cfg.Replicas = 1
	}
	switch {
	case cfg.Replicas > MaxReplicas:
		return cfg, invalidConfig(fmt.Sprintf("maximum replicas is %d", MaxReplicas))
	case cfg.Replicas < 0:
		return cfg, errReplicasCountCannotBeNegative.ptr()
	case cfg.Replicas > 1:
		return cfg, errStreamReplicasNotSupported.ptr()
	}
	if e := checkLimits(&cfg, pedantic); e != nil {
		return cfg, e
	}
	if e := checkDuplicates(&cfg, pedantic); e != nil {
		return cfg, e
	}
	if e := checkFeatures(&cfg, pedantic); e != nil {
		return cfg, e
	}
	if e := checkSubjects(&cfg); e != nil {
		return cfg, e
	}
	if e := jsa.checkMaxBytes(&cfg); e != nil {
		return cfg, e
	}
	if e := checkTransforms(&cfg, pedantic); e != nil {
		return cfg, e
	}
	if cfg.Placement != nil && reflect.DeepEqual(cfg.Placement, &Placement{}) {
		cfg.Placement = nil
	}
	if cfg.Placement != nil && cfg.Placement.Preferred != "" {
		return cfg, invalidConfig("preferred server not permitted in placement")
	}
	return cfg, nil
}

func checkIdentity(cfg *StreamConfig) *apiError {
	if !validName(cfg.Name) {
		return invalidConfig(`stream name is required and can not contain '.', '*', '>', '\', '/'`)
	}
	if len(cfg.Name) > NameMax {
		return invalidConfig(fmt.Sprintf("stream name is too long, maximum allowed is %d", NameMax))
	}
	if len(cfg.Description) > DescriptionMax {
		return invalidConfig(fmt.Sprintf("stream description is too long, maximum allowed is %d", DescriptionMax))
	}
	n := 0
	for k, v := range cfg.Metadata {
		n += len(k) + len(v)
	}
	if n > MetadataMax {
		return invalidConfig(fmt.Sprintf("stream metadata exceeds maximum size of %d bytes", MetadataMax))
	}
	return nil
}

// checkUnsupported refuses, by name, the stream features jsnode does not
// have yet, rather than accepting a config it would not honour.
// allow_atomic and allow_batched are accepted (nats bench sets them on
// every stream it creates); a batch publish itself is refused by name
// (batchRefusal).
func checkUnsupported(cfg *StreamConfig) *apiError {
	var what string
	switch {
	case cfg.Mirror != nil:
		what = "mirror"
	case len(cfg.Sources) > 0:
		what = "sources"
	case cfg.AllowMsgCounter:
		what = "allow_msg_counter"
	case cfg.AllowMsgSchedules:
		what = "allow_msg_schedules"
	default:
		return nil
	}
	return invalidConfig(what + " is not supported by this server yet")
}

// checkLimits turns 0 and values below -1 into -1 (unlimited), as
// nats-server does; pedantic refuses values below -1.
func checkLimits(cfg *StreamConfig, pedantic bool) *apiError {
	for _, l := range []struct {
		name string
		v    *int64
	}{{"max_msgs", &cfg.MaxMsgs}, {"max_msgs_per_subject", &cfg.MaxMsgsPer}, {"max_bytes", &cfg.MaxBytes}} {
		if *l.v == 0 || *l.v < -1 {
			if pedantic && *l.v < -1 {
				return pedanticErr(l.name + " must be set to -1")
			}
			*l.v = -1
		}
	}
	if cfg.MaxMsgSize == 0 || cfg.MaxMsgSize < -1 {
		if pedantic && cfg.MaxMsgSize < -1 {
			return pedanticErr("max_msg_size must be set to -1")
		}
		cfg.MaxMsgSize = -1
	}
	if cfg.MaxConsumers == 0 || cfg.MaxConsumers < -1 {
		if pedantic && cfg.MaxConsumers < -1 {
			return pedanticErr("max_consumers must be set to -1")
		}
		cfg.MaxConsumers = -1
	}
	if cfg.MaxAge < 0 {
		return invalidConfig("max age can not be negative")
	}
	if cfg.MaxAge != 0 && cfg.MaxAge < 100*time.Millisecond {
		return invalidConfig("max age needs to be >= 100ms")
	}
	return nil
}

func checkDuplicates(cfg *StreamConfig, pedantic bool) *apiError {
	if cfg.Duplicates == 0 {
		if cfg.MaxAge != 0 && cfg.MaxAge < DuplicatesDefault {
			if pedantic {
				return pedanticErr("duplicate window cannot be bigger than max age")
			}
			cfg.Duplicates = cfg.MaxAge
		} else {
			cfg.Duplicates = DuplicatesDefault
		}
	}
	switch {
	case cfg.Duplicates < 0:
		return invalidConfig("duplicates window can not be negative")
	case cfg.MaxAge != 0 && cfg.Duplicates > cfg.MaxAge:
		return invalidConfig("duplicates window can not be larger then max age")
	case cfg.Duplicates < 100*time.Millisecond:
		return invalidConfig("duplicates window needs to be >= 100ms")
	}
	return nil
}

func checkFeatures(cfg *StreamConfig, pedantic bool) *apiError {
	if cfg.DenyPurge && cfg.AllowRollup {
		return invalidConfig("roll-ups require the purge permission")
	}
	if cfg.DiscardNewPer {
		if cfg.Discard != DiscardNew {
			return invalidConfig("discard new per subject requires discard new policy to be set")
		}
		if cfg.MaxMsgsPer <= 0 {
			return invalidConfig("discard new per subject requires max msgs per subject > 0")
		}
	}
	if cfg.SubjectDeleteMarkerTTL < 0 {
		return invalidConfig("subject delete marker TTL must not be negative")
	}
	if cfg.SubjectDeleteMarkerTTL > 0 {
		if cfg.SubjectDeleteMarkerTTL < time.Second {
			return invalidConfig("subject delete marker TTL must be at least 1 second")
		}
		if !cfg.AllowMsgTTL {
			if pedantic {
				return invalidConfig("subject delete marker cannot be set if message TTLs are disabled")
			}
			cfg.AllowMsgTTL = true
		}
		if !cfg.AllowRollup {
			if pedantic {
				return invalidConfig("subject delete marker cannot be set if roll-ups are disabled")
			}
			cfg.AllowRollup, cfg.DenyPurge = true, false
		}
	}
	if cfg.PersistMode == PersistAsync && cfg.Storage != FileStorage {
		return invalidConfig("async persist mode is only supported on file storage")
	}
	return nil
}

// apiNamespaces are the subjects a stream may capture only with no_ack.
var apiNamespaces = []string{"$JS.>", "$JSC.>", "$NRG.>"}

func checkSubjects(cfg *StreamConfig) *apiError {
	if len(cfg.Subjects) == 0 {
		cfg.Subjects = []string{cfg.Name}
	}
	for i, subj := range cfg.Subjects {
		if !subject.ValidSubscribe(subj) {
			return invalidConfig("invalid subject")
		}
		for _, other := range cfg.Subjects[:i] {
			if other == subj {
				return invalidConfig("duplicate subjects detected")
			}
		}
		if subj == ">" {
			if !cfg.NoAck {
				return invalidConfig("capturing all subjects requires no-ack to be true")
			}
		}
		if !cfg.NoAck {
			for _, ns := range apiNamespaces {
				if collide(subj, ns) && !subject.SubsetOf(subj, "$JS.EVENT.>") {
					return invalidConfig("subjects that overlap with jetstream api require no-ack to be true")
				}
			}
			if collide(subj, "$SYS.>") && !subject.SubsetOf(subj, "$SYS.ACCOUNT.>") {
				return invalidConfig("subjects that overlap with system api require no-ack to be true")
			}
		}
		for _, other := range cfg.Subjects[i+1:] {
			if collide(other, subj) {
				return invalidConfig(fmt.Sprintf("subject %q overlaps with %q", subj, other))
			}
		}
	}
	return nil
}

// collide reports whether two subject patterns match a common subject.
func collide(a, b string) bool {
	_, ok := subject.Intersect(a, b)
	return ok
}

func checkTransforms(cfg *StreamConfig, pedantic bool) *apiError {
	if t := cfg.SubjectTransform; t != nil {
		if t.Source != "" && !subject.ValidSubscribe(t.Source) {
			return errStreamTransformInvalidSource.with("err", "invalid subject "+t.Source)
		}
		src := t.Source
		if src == "" {
			src = ">"
		}
		if _, err := mapping.New(src, t.Destination); err != nil {
			return errStreamTransformInvalidDestination.with("err", err.Error())
		}
	}
	rp := cfg.RePublish
	if rp == nil {
		return nil
	}
	if rp.Source == "" {
		if pedantic {
			return pedanticErr("republish source can not be empty")
		}
		rp = &RePublish{Source: ">", Destination: rp.Destination, HeadersOnly: rp.HeadersOnly}
		cfg.RePublish = rp
	}
	for _, subj := range cfg.Subjects {
		if collide(rp.Destination, subj) {
			return invalidConfig("stream configuration for republish destination forms a cycle")
		}
	}
	if _, err := mapping.NewRepublish(rp.Source, rp.Destination); err != nil {
		return invalidConfig(fmt.Sprintf("stream configuration for republish with transform from '%s' to '%s' not valid",
			rp.Source, rp.Destination))
	}
	return nil
}

// checkMaxBytes applies the account's per-stream byte limits.
func (jsa *jsAccount) checkMaxBytes(cfg *StreamConfig) *apiError {
	limit := jsa.limits.StoreMaxStreamBytes
	if cfg.Storage == MemoryStorage {
		limit = jsa.limits.MemoryMaxStreamBytes
	}
	if jsa.limits.MaxBytesRequired && cfg.MaxBytes <= 0 {
		return errStreamMaxBytesRequired.ptr()
	}
	if limit > 0 && cfg.MaxBytes > limit {
		return errStreamMaxStreamBytesExceeded.ptr()
	}
	return nil
}

// checkUpdate validates an update of old to the requested config.
func (jsa *jsAccount) checkUpdate(old *StreamConfig, in *StreamConfig, pedantic bool) (StreamConfig, *apiError) {
	cfg, e := jsa.checkConfig(in, pedantic)
	if e != nil {
		return cfg, e
	}
	bad := func(why string) (StreamConfig, *apiError) { return cfg, invalidConfig(why) }
	switch {
	case cfg.Name != old.Name:
		return bad("stream configuration name must match original")
	case cfg.Storage != old.Storage:
		return bad("stream configuration update can not change storage type")
	case cfg.Retention != old.Retention && (old.Retention == WorkQueuePolicy || cfg.Retention == WorkQueuePolicy):
		return bad("stream configuration update can not change retention policy to/from workqueue")
	case !cfg.Sealed && old.Sealed:
		return bad("stream configuration update can not unseal a sealed stream")
	case !cfg.DenyDelete && old.DenyDelete:
		return bad("stream configuration update can not cancel deny message deletes")
	case !cfg.DenyPurge && old.DenyPurge:
		return bad("stream configuration update can not cancel deny purge")
	case old.AllowMsgTTL && !cfg.AllowMsgTTL:
		return bad("message TTL status can not be disabled")
	case old.PersistMode != cfg.PersistMode:
		return bad("stream configuration update can not change persist mode")
	}
	if cfg.Sealed {
		cfg.MaxAge, cfg.Discard = 0, DiscardNew
		cfg.DenyDelete, cfg.DenyPurge, cfg.AllowRollup = true, true, false
	}
	return cfg, nil
}
