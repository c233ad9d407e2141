package config

import (
	"jsnode/node/conf"
	"jsnode/node/server"
)

// Load parses the config file at path (read through opts.Source, with
// includes and $variables resolved) and applies it onto o and p.
func Load(path string, opts conf.Options, o *server.Options, p *Process) error {
	m, err := conf.ParseFile(path, opts)
	if err != nil {
		return err
	}
	o.ConfigFile = path
	if err := Apply(m, o, p); err != nil {
		return err
	}
	return checkLameDuckMinimum(m, o)
}

// LoadString is Load for config text already in memory (tests, scenarios).
func LoadString(name, text string, opts conf.Options, o *server.Options, p *Process) error {
	m, err := conf.Parse(name, []byte(text), opts)
	if err != nil {
		return err
	}
	if err := Apply(m, o, p); err != nil {
		return err
	}
	return checkLameDuckMinimum(m, o)
}
