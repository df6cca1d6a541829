package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/fleetwatch/fleetwatch/service"
)

// parseIdentityProviders reads --identity-providers: a JSON array of
// providers, each the body of POST /api/v1/admin/identity-providers with
// its slug, given inline or, after an @, as a file's path.
func parseIdentityProviders(v string) ([]service.IdentityProviderInput, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	data := []byte(v)
	if path, ok := strings.CutPrefix(v, "@"); ok {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return nil, err
		}
	}
	var ins []service.IdentityProviderInput
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ins); err != nil {
		return nil, fmt.Errorf("not a JSON array of providers: %w", err)
	}
	for i, in := range ins {
		if in.Slug == nil || *in.Slug == "" {
			return nil, fmt.Errorf("provider %d has no slug", i+1)
		}
	}
	return ins, nil
}

// configureSSO applies the providers of the --identity-providers flag.
func (m *Main) configureSSO(ctx context.Context) error {
	ins, err := parseIdentityProviders(m.Config.IdentityProviders)
	if err != nil {
		return fmt.Errorf("--identity-providers: %w", err)
	}
	if err := m.SSO.SyncProviders(ctx, ins); err != nil {
		return fmt.Errorf("--identity-providers: %w", err)
	}
	return nil
}
