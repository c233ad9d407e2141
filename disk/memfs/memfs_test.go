package memfs

import (
	"testing"

	"jsnode/disk"
	"jsnode/disk/internal/fstest"
)

func TestConformance(t *testing.T) {
	fstest.Run(t, func(t *testing.T) disk.FS { return New() })
}
