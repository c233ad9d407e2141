package jetstream

import "jsnode/node/store"

// openFileStore opens a stream's file store (until the file store lands,
// file storage is refused with a clear error).
func openFileStore(js *JetStream, dir string, cfg *StreamConfig) (store.Store, error) {
	return nil, errNoFileStore
}
