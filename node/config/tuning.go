package config

import (
	"fmt"
	"strings"
	"time"

	"jsnode/node/conf"
	"jsnode/node/server"
)

// applyTuning reads the top-level keys that tune rather than add a
// feature: each is stored and takes effect where jsnode has the
// mechanism (see server.Options); the rest of the keys go to otherKey.
func applyTuning(k string, m *conf.Map, key string, v *conf.Value, o *server.Options, p *Process) error {
	var err error
	switch k {
	case "max_traced_msg_len":
		o.MaxTracedMsgLen, err = asInt(v)
	case "connect_error_reports":
		o.ConnectErrorReports, err = asInt(v)
	case "reconnect_error_reports":
		o.ReconnectErrorReports, err = asInt(v)
	case "disable_sublist_cache", "no_sublist_cache":
		o.NoSublistCache, err = v.AsBool()
	case "no_fast_producer_stall":
		o.NoFastProducerStall, err = v.AsBool()
	case "allow_non_tls":
		// Without TLS every connection is a non-TLS one already.
		_, err = v.AsBool()
	case "write_timeout":
		err = writeTimeoutPolicy(m, key, v)
	case "logtime_utc":
		p.LogtimeUTC, err = v.AsBool()
	case "prof_port":
		p.ProfPort, err = asInt(v)
	case "prof_block_rate":
		p.ProfBlockRate, err = asInt(v)
	default:
		return otherKey(blockTop, m, key, "")
	}
	return err
}

// writeTimeoutPolicy reads write_timeout (top level or cluster).
// jsnode closes a connection whose write deadline passes, which is the
// "close" policy and nats-server's default for clients and routes;
// "retry" is refused until it exists.
func writeTimeoutPolicy(m *conf.Map, key string, v *conf.Value) error {
	s, err := v.AsString()
	if err != nil {
		return err
	}
	switch s {
	case "default", "close":
		return nil
	case "retry":
		return &conf.Error{Pos: m.KeyPos(key), Msg: fmt.Sprintf("%q", key+": retry") + notSupportedSuffix}
	}
	return v.Errorf("write_timeout must be 'default', 'close' or 'retry'")
}

// lameDuckDuration reads lame_duck_duration. nats-server's 30s floor is
// checked by Load and LoadString (minLameDuck), not here: the simulator
// reads its scenario node blocks through Apply and runs lame duck over a
// few virtual seconds.
func lameDuckDuration(v *conf.Value) (time.Duration, error) {
	return v.AsDuration()
}

// minLameDuck is nats-server's lowest lame_duck_duration.
const minLameDuck = 30 * time.Second

// checkLameDuckMinimum refuses, at its position, a lame_duck_duration
// below nats-server's minimum in a real configuration file.
func checkLameDuckMinimum(m *conf.Map, o *server.Options) error {
	for _, key := range m.Keys {
		if !strings.EqualFold(key, "lame_duck_duration") {
			continue
		}
		if v, _ := m.Get(key); o.LameDuckDuration < minLameDuck {
			return v.Errorf("invalid lame_duck_duration of %v, minimum is 30 seconds", o.LameDuckDuration)
		}
	}
	return nil
}

func lameDuckGrace(v *conf.Value) (time.Duration, error) {
	d, err := v.AsDuration()
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, v.Errorf("invalid lame_duck_grace_period, needs to be positive")
	}
	return d, nil
}
