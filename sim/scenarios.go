package sim

import (
	"fmt"
	"path/filepath"
)

// Scenarios loads every scenario file of ScenarioDir, sorted by file
// name. A file that does not load is a bug in the repository, so it
// panics with the file:line:col of the problem; callers that want the
// error use LoadScenarios.
func Scenarios() []*Scenario {
	scs, err := LoadScenarios(ScenarioDir())
	if err != nil {
		panic(fmt.Sprintf("sim: loading scenarios: %v", err))
	}
	return scs
}

// ScenarioByName loads the scenario file name+ScenarioExt of ScenarioDir,
// or returns nil when there is none or it does not load.
func ScenarioByName(name string) *Scenario {
	if !validName(name) {
		return nil
	}
	sc, err := LoadScenarioFile(filepath.Join(ScenarioDir(), name+ScenarioExt))
	if err != nil {
		return nil
	}
	return sc
}
