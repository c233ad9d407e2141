package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"jsnode/disk"
	"jsnode/disk/osfs"
	"jsnode/node/jetstream"
	"jsnode/node/server"
)

// jsStoreSubdir is the directory JetStream keeps under the store
// directory, as nats-server does: <store_dir>/jetstream/<account>/...
const jsStoreSubdir = "jetstream"

// prepareJetStream fills in the host's JetStream defaults before the
// server is built: the store directory (nats-server's temporary one when
// none is given) and 75% of the memory and of the disk space free there.
// It returns the file system rooted at the store directory.
func prepareJetStream(o *server.Options, log server.Logger) (disk.FS, error) {
	js := &o.JetStream
	if !js.Enabled {
		return nil, nil
	}
	dir := js.StoreDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "nats")
		log.Warnf("Temporary storage directory used, data could be lost on system reboot")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("jetstream store directory %q: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Join(abs, jsStoreSubdir), 0o750); err != nil {
		return nil, fmt.Errorf("jetstream store directory %q: %w", dir, err)
	}
	js.StoreDir = filepath.Join(abs, jsStoreSubdir)
	if js.MaxMemory <= 0 {
		js.MaxMemory = systemMemory() / 4 * 3
	}
	if js.MaxStore <= 0 {
		js.MaxStore = diskAvailable(abs) / 4 * 3
	}
	return osfs.New(abs), nil
}

// startJetStream enables JetStream on the started server (on the loop).
func startJetStream(s *server.Server, fs disk.FS) error {
	js, err := jetstream.Start(s, fs)
	if js != nil {
		// Recovery read every block once; give what it freed back to the
		// system now rather than over the scavenger's next minutes.
		debug.FreeOSMemory()
	}
	return err
}

// systemMemory is the machine's memory in bytes (0 if unknown, which
// leaves the JetStream default).
func systemMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// diskAvailable is the space free to unprivileged users under dir (0 if
// unknown).
func diskAvailable(dir string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0
	}
	return int64(st.Bavail) * int64(st.Bsize)
}
