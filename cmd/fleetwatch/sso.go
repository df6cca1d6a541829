package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/sqlstore"
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

// openSSO builds single sign-on and applies the providers of the
// configuration (which win over changes made through the API, at every
// start).
func (m *Main) openSSO(ctx context.Context, store *sqlstore.Store, activity *service.Activity, orgs *service.Organizations, secret []byte) (*service.SSO, error) {
	sso, err := service.NewSSO(store, m.Auth, activity, orgs, m.Config.PublicURL, secret)
	if err != nil {
		return nil, err
	}
	sso.ClockSkew = m.Config.SSOClockSkew
	m.Auth.PasswordPolicy = store
	ins, err := parseIdentityProviders(m.Config.IdentityProviders)
	if err != nil {
		return nil, fmt.Errorf("--identity-providers: %w", err)
	}
	if err := sso.SyncProviders(ctx, ins); err != nil {
		return nil, fmt.Errorf("--identity-providers: %w", err)
	}
	return sso, nil
}
