package jetstream

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"jsnode/node/store"
)

// ErrNoStream means the account has no stream of that name (never
// created, or not recovered at startup).
var ErrNoStream = errors.New("jetstream: no such stream")

// StreamStatus is what an operator's probe (or the simulator) sees of a
// stream without going through the API: its store's summary and, if the
// store failed, why it refuses writes.
type StreamStatus struct {
	State store.State
	// Err is the store's failure (a write or sync error): the stream
	// takes no more messages until the node restarts and reopens it.
	Err error
}

// storeErr is implemented by stores that can fail (the file store).
type storeErr interface{ Err() error }

// Status reports the named stream of account, or ErrNoStream.
func (js *JetStream) Status(account, name string) (StreamStatus, error) {
	jsa := js.accounts[account]
	if jsa == nil || jsa.streams[name] == nil {
		return StreamStatus{}, ErrNoStream
	}
	mset := jsa.streams[name]
	return StreamStatus{State: mset.store.State(), Err: mset.storeFailure()}, nil
}

// storeFailure is the error the stream's store failed with, or nil.
func (mset *stream) storeFailure() error {
	if se, ok := mset.store.(storeErr); ok {
		return se.Err()
	}
	return nil
}

// failedStream names the first stream (accounts and streams in name
// order) whose store failed, for Unhealthy; "" if none.
func (js *JetStream) failedStream() string {
	for _, jsa := range js.order {
		for _, name := range slices.Sorted(maps.Keys(jsa.streams)) {
			if err := jsa.streams[name].storeFailure(); err != nil {
				return fmt.Sprintf("JetStream stream '%s > %s' store failed: %v", jsa.acc.Name(), name, err)
			}
		}
	}
	return ""
}
