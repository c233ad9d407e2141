package raftlog

import (
	"bytes"
	"fmt"

	"jsnode/disk"
	"jsnode/node/raft"
)

// dumpWAL renders the WAL of fs (segments, records, snapshots) for
// failure messages.
func dumpWAL(fs disk.FS) string {
	var b bytes.Buffer
	names, _ := fs.List(testDir + "/wal")
	for _, n := range names {
		data, _ := disk.ReadFile(fs, testDir+"/wal/"+n)
		first, epoch, why := parseSegmentHeader(data)
		fmt.Fprintf(&b, "%s (%d bytes) first %d epoch %d %s:", n, len(data), first, epoch, why)
		off := segmentHeaderSize
		for off < len(data) {
			t, p, size, st := parseRecord(data[off:])
			if st != recordOK {
				fmt.Fprintf(&b, " BAD@%d", off)
				break
			}
			switch t {
			case recEntry:
				e, _ := raft.UnmarshalEntry(p)
				fmt.Fprintf(&b, " %d/%d", e.Index, e.Term)
			case recCommit:
				v, _ := parseUvarintPayload(p)
				fmt.Fprintf(&b, " c%d", v)
			case recSyncMark:
				v, _ := parseUvarintPayload(p)
				fmt.Fprintf(&b, " m%d", v)
			}
			off += size
		}
		b.WriteString("\n")
	}
	snaps, _ := fs.List(testDir + "/snap")
	fmt.Fprintf(&b, "snaps %v\n", snaps)
	return b.String()
}
