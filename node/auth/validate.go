package auth

import (
	"errors"
	"fmt"

	"github.com/nats-io/nkeys"
)

// Required reports whether clients must authenticate (INFO auth_required):
// true as soon as any credential is configured. As in nats-server,
// no_auth_user does not change it; it only lets a client that sends no
// credentials in.
func (c *Config) Required() bool {
	return c.Token != "" || c.Username != "" || len(c.Users) > 0 || len(c.Nkeys) > 0
}

// NeedsNonce reports whether INFO must carry a nonce for nkey users to sign.
func (c *Config) NeedsNonce() bool {
	return len(c.Nkeys) > 0
}

// Validate reports every configuration error, in config order, joined into
// one error (nil if none). The texts follow nats-server's where it has one.
func (c *Config) Validate() error {
	var errs []error
	errs = append(errs, c.validateMethods()...)
	errs = append(errs, c.validateUsers()...)
	errs = append(errs, c.validateNkeys()...)
	errs = append(errs, c.validateNoAuthUser()...)
	errs = append(errs, validatePermissions("default_permissions", c.DefaultPermissions)...)
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("authorization timeout %v must not be negative", c.Timeout))
	}
	return errors.Join(errs...)
}

// validateMethods rejects combinations nats-server refuses to load.
func (c *Config) validateMethods() []error {
	var errs []error
	if c.Token != "" && c.Username != "" {
		errs = append(errs, errors.New("Cannot have a user/pass and token"))
	}
	if c.Username != "" && len(c.Users) > 0 {
		errs = append(errs, errors.New("Can not have a single user/pass and a users array"))
	}
	if c.Token != "" && len(c.Users) > 0 {
		errs = append(errs, errors.New("Can not have a token and a users array"))
	}
	if c.Password != "" && c.Username == "" {
		errs = append(errs, errors.New("authorization password set without a user"))
	}
	return errs
}

func (c *Config) validateUsers() []error {
	var errs []error
	seen := make(map[string]bool, len(c.Users))
	for i, u := range c.Users {
		switch {
		case u == nil || u.Username == "":
			errs = append(errs, fmt.Errorf("users[%d]: User entry requires a user", i))
			continue
		case seen[u.Username]:
			errs = append(errs, fmt.Errorf("Duplicate user %q detected", u.Username))
		}
		seen[u.Username] = true
		errs = append(errs, validatePermissions(fmt.Sprintf("user %q", u.Username), u.Permissions)...)
	}
	return errs
}

func (c *Config) validateNkeys() []error {
	var errs []error
	seen := make(map[string]bool, len(c.Nkeys))
	for i, n := range c.Nkeys {
		switch {
		case n == nil || n.Nkey == "":
			errs = append(errs, fmt.Errorf("nkeys[%d]: nkey entry requires an nkey", i))
			continue
		case !nkeys.IsValidPublicUserKey(n.Nkey):
			errs = append(errs, fmt.Errorf("Not a valid public nkey for a user: %q", n.Nkey))
		case seen[n.Nkey]:
			errs = append(errs, fmt.Errorf("Duplicate nkey %q detected", n.Nkey))
		}
		seen[n.Nkey] = true
		errs = append(errs, validatePermissions(fmt.Sprintf("nkey %q", n.Nkey), n.Permissions)...)
	}
	return errs
}

func (c *Config) validateNoAuthUser() []error {
	if c.NoAuthUser == "" {
		return nil
	}
	if len(c.Users) == 0 && len(c.Nkeys) == 0 {
		return []error{fmt.Errorf("no_auth_user: %q present, but users/nkeys are not defined", c.NoAuthUser)}
	}
	if c.findUser(c.NoAuthUser) == nil && c.findNkey(c.NoAuthUser) == nil {
		return []error{fmt.Errorf(
			"no_auth_user: %q not present as user or nkey in authorization block or account configuration",
			c.NoAuthUser)}
	}
	return nil
}

// validatePermissions checks every subject line of p; owner names whose
// permissions they are, for the message.
func validatePermissions(owner string, p *Permissions) []error {
	if p == nil {
		return nil
	}
	var errs []error
	check := func(what string, lines []string, parse func(string) (entry, error)) {
		for _, line := range lines {
			if _, err := parse(line); err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %w", owner, what, err))
			}
		}
	}
	if p.Publish != nil {
		check("publish allow", p.Publish.Allow, parsePublishEntry)
		check("publish deny", p.Publish.Deny, parsePublishEntry)
	}
	if p.Subscribe != nil {
		check("subscribe allow", p.Subscribe.Allow, parseSubscribeEntry)
		check("subscribe deny", p.Subscribe.Deny, parseSubscribeEntry)
	}
	return errs
}
