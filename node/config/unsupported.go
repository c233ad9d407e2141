package config

import (
	"fmt"
	"strings"

	"jsnode/node/conf"
)

// Every key nats-server v2.15 accepts gets an answer here: it is mapped
// (the switch of its block), or it belongs to a feature jsnode does not
// have yet and is refused by name, at its position, so it never reads
// like a typo. Only keys nats-server does not know are "unknown field".
// testdata/nats-server-keys.txt holds nats-server's whole list and the
// test over it keeps this file honest.

// Blocks, for notSupported.
const (
	blockTop           = "top"
	blockCluster       = "cluster"
	blockAuth          = "authorization"
	blockClusterAuth   = "cluster authorization"
	blockUser          = "user"
	blockAccount       = "account"
	blockExport        = "export"
	blockImport        = "import"
	notSupportedSuffix = " is not supported by jsnode yet"
)

// notSupported lists, per block, the nats-server keys (lower case) of
// features jsnode lacks.
var notSupported = map[string]map[string]bool{
	blockTop: set(
		// JetStream's default domain for leaf nodes
		"default_js_domain",
		// gateways, leaf nodes, websocket, MQTT
		"gateway", "leaf", "leafnodes", "websocket", "ws", "mqtt",
		// TLS and OCSP, HTTPS monitoring
		"tls", "ocsp", "ocsp_cache", "https", "https_port",
		// operator mode and account resolvers, auth callout sentinels
		"operator", "operators", "roots", "root", "root_operators", "root_operator",
		"resolver", "account_resolver", "accounts_resolver", "resolver_tls",
		"resolver_preload", "resolver_pinned_accounts", "trusted", "trusted_keys",
		"default_sentinel",
		// logging to syslog
		"syslog", "remote_syslog",
		// proxies, server tags and metadata, feature flags, ports file
		"proxy_protocol", "proxies", "server_tags", "server_metadata",
		"feature_flags", "ports_file_dir", "max_sub_tokens", "max_subscription_tokens",
	),
	blockCluster: set("tls", "permissions", "accounts", "compression"),
	blockAuth:    set("auth_callout", "auth_hook", "proxy_required"),
	blockClusterAuth: set("permissions", "auth_callout", "auth_hook", "proxy_required",
		"default_permission", "default_permissions"),
	blockUser:    set("allowed_connection_types", "connection_types", "clients", "proxy_required"),
	blockAccount: set("msg_trace", "trace_dest"),
	blockExport:  set("latency", "allow_trace"),
	blockImport:  set("allow_trace"),
}

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// refuse is the error for a nats-server key jsnode does not support yet.
func refuse(m *conf.Map, key string) error {
	return &conf.Error{Pos: m.KeyPos(key), Msg: fmt.Sprintf("%q", key) + notSupportedSuffix}
}

// otherKey answers a key a block's switch did not map: nothing for a
// key the file defined only to use as a $variable, the refusal for a
// nats-server feature jsnode lacks, else nats-server's unknown-field
// error (unknownFmt, with %q for the key; "" for `unknown field %q`).
func otherKey(block string, m *conf.Map, key, unknownFmt string) error {
	if m.IsVariable(key) {
		return nil
	}
	if notSupported[block][strings.ToLower(key)] {
		return refuse(m, key)
	}
	if unknownFmt == "" {
		unknownFmt = "unknown field %q"
	}
	return &conf.Error{Pos: m.KeyPos(key), Msg: fmt.Sprintf(unknownFmt, key)}
}
