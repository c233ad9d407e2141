package jetstream

import (
	"encoding/json"
	"errors"
	"time"

	"jsnode/node/monitor"
)

// config is the server's JetStream configuration as /varz and /jsz show it.
func (js *JetStream) config() monitor.JetStreamConfig {
	return monitor.JetStreamConfig{MaxMemory: js.opts.MaxMemory, MaxStore: js.opts.MaxStore,
		StoreDir: js.opts.StoreDir, SyncInterval: js.opts.SyncInterval, SyncAlways: js.opts.SyncAlways,
		Domain: js.opts.Domain, CompressOK: true}
}

// statsNow sums the resource use of every account.
func (js *JetStream) statsNow() monitor.JetStreamStats {
	mem, store, resMem, resStore := js.usage()
	return monitor.JetStreamStats{Memory: mem, Store: store, ReservedMemory: resMem, ReservedStore: resStore,
		Accounts: len(js.order), API: monitor.JetStreamAPIStats{Level: APILevel, Total: js.stats.Total,
			Errors: js.stats.Errors}}
}

// Varz is the jetstream part of /varz.
func (js *JetStream) Varz() *monitor.JetStreamVarz {
	cfg, stats := js.config(), js.statsNow()
	return &monitor.JetStreamVarz{Config: &cfg, Stats: &stats, Limits: &monitor.JSLimitOpts{}}
}

// Unhealthy reports why JetStream is not healthy ("" when it is): a
// stream whose store failed.
func (js *JetStream) Unhealthy() string {
	if js.stopped {
		return "JetStream has been shut down"
	}
	return js.failedStream()
}

// streamDetail is a stream of /jsz?streams=true.
type streamDetail struct {
	Name    string        `json:"name"`
	Created time.Time     `json:"created"`
	Cluster *ClusterInfo  `json:"cluster,omitempty"`
	Config  *StreamConfig `json:"config,omitempty"`
	State   StreamState   `json:"state"`
}

// Jsz answers /jsz.
func (js *JetStream) Jsz(opts *monitor.JszOptions) (*monitor.JSInfo, error) {
	var o monitor.JszOptions
	if opts != nil {
		o = *opts
	}
	o = o.Normalize()
	info := &monitor.JSInfo{JetStreamStats: js.statsNow(), ID: js.serverID, Now: js.now().UTC(),
		Config: js.config()}
	for _, jsa := range js.order {
		info.Streams += len(jsa.streams)
		for _, mset := range jsa.streams {
			st := mset.store.State()
			info.Messages += st.Msgs
			info.Bytes += st.Bytes
		}
	}
	if !o.Accounts && o.Account == "" {
		return info, nil
	}
	var details []*monitor.AccountDetail
	for _, jsa := range js.order {
		if o.Account != "" && jsa.acc.Name() != o.Account {
			continue
		}
		details = append(details, jsa.detail(&o))
	}
	info.Total = len(details)
	lo := min(o.Offset, len(details))
	hi := min(lo+o.Limit, len(details))
	info.AccountDetails = details[lo:hi]
	return info, nil
}

// JszAccount answers $SYS.REQ.ACCOUNT.<account>.JSZ: the account's part
// of /jsz, its streams included.
func (js *JetStream) JszAccount(opts *monitor.JszOptions) (*monitor.AccountDetail, error) {
	o := *opts
	jsa := js.accounts[o.Account]
	if jsa == nil {
		return nil, errors.New("account not found or not JetStream enabled")
	}
	o.Streams = true
	return jsa.detail(&o), nil
}

// detail is the account's entry in /jsz?accounts=true.
func (jsa *jsAccount) detail(o *monitor.JszOptions) *monitor.AccountDetail {
	u := jsa.usage()
	d := &monitor.AccountDetail{Name: jsa.acc.Name(), ID: jsa.acc.Name(),
		JetStreamStats: monitor.JetStreamStats{Memory: u.Memory, Store: u.Store, ReservedMemory: u.ReservedMemory,
			ReservedStore: u.ReservedStore, API: monitor.JetStreamAPIStats{Level: APILevel, Total: jsa.api.Total,
				Errors: jsa.api.Errors}}}
	if !o.Streams {
		return d
	}
	for _, name := range jsa.streamNames("") {
		mset := jsa.streams[name]
		si := mset.info(false, "", 0)
		sd := streamDetail{Name: name, Created: si.Created, Cluster: si.Cluster, State: si.State}
		if o.Config {
			sd.Config = &si.Config
		}
		b, err := json.Marshal(sd)
		if err == nil {
			d.Streams = append(d.Streams, b)
		}
	}
	return d
}
