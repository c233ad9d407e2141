package subject

import (
	"flag"
	"os"
	"testing"
)

// propertyChecks and propertySteps raise rapid's defaults (100 × 30) for
// this package's cheap properties; explicit -rapid.* flags still win.
const (
	propertyChecks = "500"
	propertySteps  = "100"
)

func TestMain(m *testing.M) {
	flag.Parse()
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for name, v := range map[string]string{"rapid.checks": propertyChecks, "rapid.steps": propertySteps} {
		if !set[name] {
			if err := flag.Set(name, v); err != nil {
				panic(err)
			}
		}
	}
	os.Exit(m.Run())
}
