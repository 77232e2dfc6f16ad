package pay

import (
	"fmt"
	"os"
	"sync"

	"github.com/settle/settle/internal/collect"
)

// Registry picks the provider for a creditor and a method. The server's
// defaults come from configuration; a creditor with its own provider account
// names the environment variable that holds its key, read on first use.
type Registry struct {
	// Default providers by name ("mollie", "stripe").
	Default map[string]Provider
	// Method maps a method to the default provider name for it.
	Method map[Method]string
	// New builds a provider for a creditor's own key.
	New func(name, apiKey string) Provider

	mu  sync.Mutex
	own map[string]Provider
}

// CreditorSetup is what the registry needs to know of a creditor.
type CreditorSetup struct {
	ID            string
	IdealProvider string
	CardProvider  string
	MollieKeyEnv  string
	StripeKeyEnv  string
}

// SetupOf is the part of a creditor the registry needs.
func SetupOf(c collect.Creditor) CreditorSetup {
	return CreditorSetup{ID: c.ID, IdealProvider: c.IdealProvider, CardProvider: c.CardProvider, MollieKeyEnv: c.MollieKeyEnv, StripeKeyEnv: c.StripeKeyEnv}
}

// For returns the provider that serves method for a creditor.
func (r *Registry) For(c CreditorSetup, m Method) (Provider, error) {
	name := r.Method[m]
	if m == IDEAL && c.IdealProvider != "" {
		name = c.IdealProvider
	}
	if m == Card && c.CardProvider != "" {
		name = c.CardProvider
	}
	if name == "" {
		return nil, fmt.Errorf("no provider for method %q", m)
	}
	return r.ByName(c, name)
}

// ByName returns the named provider for a creditor: its own account when it
// has one, else the server's.
func (r *Registry) ByName(c CreditorSetup, name string) (Provider, error) {
	env := c.MollieKeyEnv
	if name == "stripe" {
		env = c.StripeKeyEnv
	}
	if env != "" && r.New != nil {
		key := os.Getenv(env)
		if key == "" {
			return nil, fmt.Errorf("creditor %s: environment variable %s for its %s key is empty", c.ID, env, name)
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.own == nil {
			r.own = map[string]Provider{}
		}
		k := name + "\x00" + env
		if p, ok := r.own[k]; ok {
			return p, nil
		}
		p := r.New(name, key)
		r.own[k] = p
		return p, nil
	}
	p, ok := r.Default[name]
	if !ok {
		return nil, fmt.Errorf("provider %q is not configured", name)
	}
	return p, nil
}
