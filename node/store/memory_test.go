package store_test

import (
	"testing"

	"jsnode/node/store"
	"jsnode/node/store/storetest"
)

func openMemory(*testing.T) store.Store { return store.NewMemory(store.MemoryConfig{}) }

func TestMemoryConformance(t *testing.T) { storetest.Run(t, openMemory) }

func TestMemoryRapid(t *testing.T) { storetest.Rapid(t, openMemory) }
