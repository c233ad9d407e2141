package config

import (
	"strings"

	"jsnode/node/conf"
	"jsnode/node/server"
)

// The jetstream {} keys of nats-server jsnode does not have yet; they are
// refused by name rather than ignored.
var jetstreamNotSupported = set("prev_key", "prev_ek", "prev_encryption_key", "extension_hint", "limits", "tpm", "unique_tag", "max_outstanding_catchup", "max_buffered_size",
	"max_buffered_msgs", "request_queue_limit", "info_queue_limit", "meta_compact", "meta_compact_size",
	"meta_compact_sync", "max_concurrent_io", "strict")

// applyJetStream reads the top-level jetstream: a bool, "enabled" or
// "disabled", or a block.
func applyJetStream(v *conf.Value, o *server.Options) error {
	js := &o.JetStream
	if v.Kind != conf.KindMap {
		on, err := enabledValue(v)
		js.Enabled = on
		return err
	}
	m, _ := v.AsMap()
	js.Enabled = true
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		if err := applyJetStreamKey(m, key, val, o); err != nil {
			return err
		}
	}
	if js.Cipher != "" && js.Key == "" {
		return v.Errorf("jetstream cipher %q needs a key", js.Cipher)
	}
	return nil
}

func applyJetStreamKey(m *conf.Map, key string, v *conf.Value, o *server.Options) error {
	js := &o.JetStream
	var err error
	switch k := strings.ToLower(key); k {
	case "store", "store_dir", "storedir":
		if js.StoreDir != "" {
			return v.Errorf("Duplicate 'store_dir' configuration")
		}
		js.StoreDir, err = v.AsString()
	case "sync", "sync_interval":
		if s, e := v.AsString(); e == nil && strings.EqualFold(s, "always") {
			js.SyncAlways, js.SyncInterval = true, 0
			return nil
		}
		js.SyncInterval, err = v.AsDuration()
		if err == nil && js.SyncInterval <= 0 {
			err = v.Errorf("sync_interval must be positive or \"always\"")
		}
	case "max_memory_store", "max_mem_store", "max_mem":
		js.MaxMemory, err = v.AsSize()
	case "max_file_store", "max_file":
		js.MaxStore, err = v.AsSize()
	case "domain":
		js.Domain, err = v.AsString()
		if err == nil && strings.ContainsAny(js.Domain, " \t\r\n.*>") {
			err = v.Errorf("invalid domain name: may not contain spaces, '.', '*' or '>'")
		}
	case "enable", "enabled":
		js.Enabled, err = v.AsBool()
	case "key", "ek", "encryption_key":
		js.Key, err = v.AsString()
		if err == nil && js.Cipher == "" {
			js.Cipher = "chachapoly" // nats-server's default cipher
		}
	case "cipher":
		var c string
		if c, err = v.AsString(); err == nil {
			switch strings.ToLower(c) {
			case "chacha", "chachapoly", "chacha20", "chacha20poly1305":
				js.Cipher = "chachapoly"
			case "aes", "aes-gcm", "aesgcm":
				js.Cipher = "aes"
			default:
				err = v.Errorf("Unknown cipher type: %q", c)
			}
		}
	default:
		if jetstreamNotSupported[k] {
			return refuse(m, key)
		}
		return otherKey("", m, key, "")
	}
	return err
}

// enabledValue reads true/false or "enabled"/"disabled".
func enabledValue(v *conf.Value) (bool, error) {
	if b, err := v.AsBool(); err == nil {
		return b, nil
	}
	s, err := v.AsString()
	if err != nil {
		return false, v.Errorf("Expected 'enabled' or 'disabled' for string value, got %v", v)
	}
	switch strings.ToLower(s) {
	case "enabled", "enable":
		return true, nil
	case "disabled", "disable":
		return false, nil
	}
	return false, v.Errorf("Expected 'enabled' or 'disabled' for string value, got '%s'", s)
}

// applyAccountJetStream reads an account's jetstream: enabled, or its
// limits block.
func applyAccountJetStream(v *conf.Value, acc *server.AccountOpts) error {
	if v.Kind != conf.KindMap {
		on, err := enabledValue(v)
		if err != nil {
			return err
		}
		acc.JetStream = nil
		if on {
			lim := server.JetStreamUnlimited
			acc.JetStream = &lim
		}
		return nil
	}
	m, _ := v.AsMap()
	lim := server.JetStreamUnlimited
	for _, key := range m.Keys {
		val, _ := m.Get(key)
		if err := applyAccountJetStreamKey(m, key, val, &lim); err != nil {
			return err
		}
	}
	acc.JetStream = &lim
	return nil
}

func applyAccountJetStreamKey(m *conf.Map, key string, v *conf.Value, lim *server.JetStreamAccountOpts) error {
	var err error
	switch strings.ToLower(key) {
	case "max_memory", "max_mem", "mem", "memory":
		lim.MaxMemory, err = v.AsSize()
	case "max_store", "max_file", "max_disk", "store", "disk":
		lim.MaxStore, err = v.AsSize()
	case "max_streams", "streams":
		lim.MaxStreams, err = asInt(v)
	case "max_consumers", "consumers":
		lim.MaxConsumers, err = asInt(v)
	case "max_bytes_required", "max_stream_bytes", "max_bytes":
		lim.MaxBytesRequired, err = v.AsBool()
	case "mem_max_stream_bytes", "memory_max_stream_bytes":
		lim.MemoryMaxStreamBytes, err = v.AsSize()
	case "disk_max_stream_bytes", "store_max_stream_bytes":
		lim.StoreMaxStreamBytes, err = v.AsSize()
	case "max_ack_pending":
		lim.MaxAckPending, err = asInt(v)
	case "cluster_traffic":
		return refuse(m, key)
	default:
		return otherKey("", m, key, "")
	}
	return err
}
