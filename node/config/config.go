// Package config turns a parsed nats-server configuration file (node/conf)
// into server options. It is shared by cmd/jsnode and the simulator, so a
// scenario's node block reads exactly like a real node's config file.
//
// Every key jsnode understands is mapped; keys of features jsnode does not
// have yet are refused with an error naming them, and unknown keys are
// errors, both with file:line:col.
package config

import (
	"fmt"
	"strings"

	"jsnode/node/conf"
	"jsnode/node/server"
)

// Process holds the settings that belong to the process rather than to the
// node: logging, the pid file and the profiling listener.
type Process struct {
	LogFile    string
	PidFile    string
	Logtime    bool
	LogtimeSet bool
	LogtimeUTC bool
	// LogSizeLimit rotates the log file once it passes this many bytes
	// (logfile_size_limit; 0: never). LogMaxNum keeps that many log files,
	// the live one included (logfile_max_num; 0: keep all).
	LogSizeLimit  int64
	LogMaxNum     int
	ProfPort      int // prof_port: pprof over HTTP on this port (0: off)
	ProfBlockRate int // prof_block_rate: runtime.SetBlockProfileRate
}

// Apply reads the top-level map m into opts and proc. Keys compare
// case-insensitively, as nats-server's do. Once every key is read, the
// accounts, their imports and exports, the system account and
// no_auth_user are checked as nats-server checks them when it loads a
// file (server.ValidateAccounts).
func Apply(m *conf.Map, opts *server.Options, proc *Process) error {
	for _, key := range m.Keys {
		v, _ := m.Get(key)
		if err := applyTop(strings.ToLower(key), m, key, v, opts, proc); err != nil {
			return err
		}
	}
	return validateAccounts(m, opts)
}

func applyTop(k string, m *conf.Map, key string, v *conf.Value, o *server.Options, p *Process) error {
	var err error
	switch k {
	case "listen":
		err = applyListen(v, o)
	case "host", "net":
		o.Host, err = v.AsString()
	case "port":
		o.Port, err = asInt(v)
	case "server_name":
		o.ServerName, err = v.AsString()
		if err == nil && strings.ContainsAny(o.ServerName, " \t\r\n") {
			err = v.Errorf("server_name cannot contain spaces")
		}
	case "client_advertise":
		o.ClientAdvertise, err = v.AsString()
	case "max_connections", "max_conn":
		o.MaxConn, err = asInt(v)
	case "max_subscriptions", "max_subs":
		o.MaxSubs, err = asInt(v)
	case "max_payload":
		var n int64
		n, err = v.AsSize()
		if err == nil && (n <= 0 || n > 1<<31-1) {
			err = v.Errorf("max_payload must be between 1 and %d bytes", int32(1<<31-1))
		}
		o.MaxPayload = int32(n)
	case "max_control_line":
		var n int64
		n, err = v.AsSize()
		if err == nil && (n <= 0 || n > 1<<31-1) {
			err = v.Errorf("max_control_line must be between 1 and %d bytes", int32(1<<31-1))
		}
		o.MaxControlLine = int32(n)
	case "max_pending":
		o.MaxPending, err = v.AsSize()
	case "max_closed_clients":
		o.MaxClosedClients, err = asInt(v)
		if err == nil && o.MaxClosedClients < 0 {
			err = v.Errorf("max_closed_clients must not be negative")
		}
	case "ping_interval":
		o.PingInterval, err = v.AsDuration()
	case "ping_max":
		o.MaxPingsOut, err = asInt(v)
	case "write_deadline":
		o.WriteDeadline, err = v.AsDuration()
	case "lame_duck_duration":
		o.LameDuckDuration, err = lameDuckDuration(v)
	case "lame_duck_grace_period":
		o.LameDuckGracePeriod, err = lameDuckGrace(v)
	case "no_header_support":
		o.NoHeaderSupport, err = v.AsBool()
	case "debug":
		o.Debug, err = v.AsBool()
	case "trace", "trace_verbose":
		o.Trace, err = v.AsBool()
	case "trace_headers":
		o.TraceHeaders, err = v.AsBool()
		o.Trace = o.TraceHeaders
	case "logtime":
		p.Logtime, err = v.AsBool()
		p.LogtimeSet = true
	case "log_file", "logfile":
		p.LogFile, err = v.AsString()
	case "logfile_size_limit", "log_size_limit":
		p.LogSizeLimit, err = v.AsSize()
	case "logfile_max_num", "log_max_num":
		p.LogMaxNum, err = asInt(v)
	case "pid_file", "pidfile":
		p.PidFile, err = v.AsString()
	case "no_auth_user":
		o.Auth.NoAuthUser, err = v.AsString()
	case "authorization":
		err = applyAuthorization(v, o)
	case "cluster":
		err = applyCluster(v, o)
	case "jetstream":
		err = applyJetStream(v, o)
	case "store_dir", "storedir":
		if o.JetStream.StoreDir != "" {
			return v.Errorf("Duplicate 'store_dir' configuration")
		}
		o.JetStream.StoreDir, err = v.AsString()
	case "accounts":
		err = applyAccounts(v, o)
	case "system_account", "system":
		o.SystemAccount, err = v.AsString()
		if err != nil {
			err = v.Errorf("system account name must be a string")
		}
	case "no_system_account", "no_system", "no_sys_acc":
		o.NoSystemAccount, err = v.AsBool()
	case "mappings", "maps":
		o.Mappings, err = parseMappings(v)
	case "http":
		err = applyHTTP(v, o)
	case "http_port", "monitor_port":
		o.HTTPPort, err = asInt(v)
	case "http_base_path":
		o.HTTPBasePath, err = v.AsString()
	default:
		return applyTuning(k, m, key, v, o, p)
	}
	return err
}

// applyListen takes "host:port", ":port" or a bare port.
func applyListen(v *conf.Value, o *server.Options) error {
	if v.Kind == conf.KindInt {
		n, err := asInt(v)
		o.Port = n
		return err
	}
	s, err := v.AsString()
	if err != nil {
		return err
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return v.Errorf("listen %q: expected host:port", s)
	}
	var port int
	if _, err := fmt.Sscanf(s[i+1:], "%d", &port); err != nil || port < 0 || port > 65535 {
		return v.Errorf("listen %q: bad port", s)
	}
	if host := strings.Trim(s[:i], "[]"); host != "" {
		o.Host = host
	}
	o.Port = port
	return nil
}

func asInt(v *conf.Value) (int, error) {
	n, err := v.AsInt()
	if err != nil {
		return 0, err
	}
	if n < -1<<31 || n > 1<<31-1 {
		return 0, v.Errorf("value %d out of range", n)
	}
	return int(n), nil
}
