package jetstream

import (
	"path"
	"testing"

	"jsnode/disk"
	"jsnode/disk/memfs"
)

// TestWriteMetaSurvivesPowerLoss: once writeMeta returns (and the stream
// create is acknowledged), a power loss that keeps only synced state
// still finds meta.inf, although MkdirAll had just created every
// directory above it. Found by the FUSE power-cut test
// (cmd/jsnode/e2e_powercut_test.go, round after-create): only the stream
// directory's parent was synced, not the account and jetstream
// directories nor the store root, so the stream vanished.
func TestWriteMetaSurvivesPowerLoss(t *testing.T) {
	fs := memfs.New()
	js := &JetStream{fs: fs}
	jsa := &jsAccount{js: js, acc: &fakeAccount{name: "A"}, streams: map[string]*stream{}}
	mset := &stream{jsa: jsa, cfg: StreamConfig{Name: "S", Storage: FileStorage}, dir: path.Join(jsa.accountDir(), "S")}
	if err := jsa.writeMeta(mset); err != nil {
		t.Fatal(err)
	}
	after := fs.CrashClone(memfs.CrashOptions{Seed: 1}) // nothing unsynced kept
	b, err := disk.ReadFile(after, path.Join(mset.dir, metaFile))
	if err != nil {
		t.Fatalf("meta.inf after a power loss: %v", err)
	}
	if meta, err := decodeMeta(b); err != nil || meta.Config.Name != "S" {
		t.Fatalf("meta.inf after a power loss: %+v %v", meta, err)
	}
}
