package jetstream

import (
	"slices"

	"jsnode/node/server"
	"jsnode/node/store"
)

// account is what JetStream uses of a server account: its name and its
// internal messaging (*server.Account; a fake in tests).
type account interface {
	Name() string
	Subscribe(subj, queue string, handler server.MsgHandler) (unsubscribe func(), err error)
	Publish(subj, reply string, hdr, msg []byte)
}

// jsAccount is JetStream in one account: its API, streams and limits.
type jsAccount struct {
	js      *JetStream
	acc     account
	limits  AccountLimits
	streams map[string]*stream
	unsubs  []func()
	api     APIStats
	used    [2]uint64 // bytes the account's streams hold, by store.Kind
}

// apiPrefixes are the subject prefixes the account's API answers on: the
// plain one and, with a domain, $JS.<domain>.API.
func (js *JetStream) apiPrefixes() []string {
	p := []string{"$JS.API."}
	if d := js.opts.Domain; d != "" {
		p = append(p, "$JS."+d+".API.")
	}
	return p
}

// apiSubjects are the API subjects an account subscribes to, after the
// prefix. DIRECT.GET is not among them: each allow_direct stream answers
// its own, so a get on any other stream finds no responder, as with
// nats-server.
var apiSubjects = []string{"INFO", "STREAM.>"}

// subscribeAPI subscribes the account to its API subjects.
func (jsa *jsAccount) subscribeAPI() error {
	for _, prefix := range jsa.js.apiPrefixes() {
		for _, subj := range apiSubjects {
			unsub, err := jsa.acc.Subscribe(prefix+subj, "", func(m *server.Msg) {
				jsa.handleAPI(m.Subject[len(prefix):], m)
			})
			if err != nil {
				return err
			}
			jsa.unsubs = append(jsa.unsubs, unsub)
		}
	}
	return nil
}

// subscribeNotEnabled answers INFO in an account without JetStream, as
// nats-server does; every other API request finds no responder.
func (js *JetStream) subscribeNotEnabled(acc account) error {
	for _, prefix := range js.apiPrefixes() {
		_, err := acc.Subscribe(prefix+"INFO", "", func(m *server.Msg) {
			if m.Reply != "" {
				respond(acc, m.Reply, &apiResponse{Type: typeAccountInfo, Error: errNotEnabledForAccount.ptr()})
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// stop stops the account's API and streams.
func (jsa *jsAccount) stop() {
	for _, u := range jsa.unsubs {
		u()
	}
	jsa.unsubs = nil
	for _, name := range jsa.streamNames("") {
		jsa.streams[name].stop(false)
	}
}

// usage is what the account's streams hold and reserve.
func (jsa *jsAccount) usage() tierUsage {
	u := tierUsage{Limits: jsa.limits, Streams: len(jsa.streams),
		Memory: jsa.used[store.Memory], Store: jsa.used[store.File]}
	for _, mset := range jsa.streams {
		res := uint64(max(mset.cfg.MaxBytes, 0))
		if mset.kind() == store.Memory {
			u.ReservedMemory += res
		} else {
			u.ReservedStore += res
		}
	}
	return u
}

// streamNames lists the account's streams, sorted, that capture subject
// filter (all with "").
func (jsa *jsAccount) streamNames(filter string) []string {
	names := make([]string, 0, len(jsa.streams))
	for name, mset := range jsa.streams {
		if filter == "" || mset.captures(filter) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}
