package filestore

import (
	"testing"

	"jsnode/node/store/storetest"
)

func TestConformance(t *testing.T) { storetest.Run(t, opener(Config{})) }

// Small blocks put every test across many blocks and compactions.
func TestConformanceSmallBlocks(t *testing.T) {
	storetest.Run(t, opener(Config{BlockSize: MinBlockSize}))
}

func TestRapid(t *testing.T) { storetest.Rapid(t, opener(Config{BlockSize: MinBlockSize})) }

func TestConformanceCompressed(t *testing.T) {
	storetest.Run(t, opener(Config{testBlockSize: 1024, Compression: S2}))
}

func TestRapidCompressed(t *testing.T) {
	storetest.Rapid(t, opener(Config{testBlockSize: 1024, Compression: S2}))
}
