package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

func TestParseConfig_IdentityProviders(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		cfg, err := parseConfig("serve", nil, io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.IdentityProviders != "" || cfg.SSOClockSkew != 2*time.Minute {
			t.Errorf("defaults = %q %s", cfg.IdentityProviders, cfg.SSOClockSkew)
		}
	})
	t.Run("Bad", func(t *testing.T) {
		_, err := parseConfig("serve", []string{"--identity-providers", `[{"name": "no slug"}]`, "--sso-clock-skew", "1h"}, io.Discard, nil)
		for _, want := range []string{"--identity-providers: provider 1 has no slug", "--sso-clock-skew"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v does not say %q", err, want)
			}
		}
		_, err = parseConfig("serve", []string{"--identity-providers", `[{"slug": "x", "colour": "red"}]`}, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), `unknown field "colour"`) {
			t.Errorf("unknown field: %v", err)
		}
	})
	t.Run("File", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "idps.json")
		if err := os.WriteFile(path, []byte(`[{"slug": "corp", "name": "Corp", "issuer_url": "https://id.example.com", "client_id": "fw"}]`), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("FLEETWATCH_IDENTITY_PROVIDERS", "@"+path)
		cfg, err := parseConfig("serve", nil, io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		ins, err := parseIdentityProviders(cfg.IdentityProviders)
		if err != nil || len(ins) != 1 || *ins[0].Slug != "corp" {
			t.Errorf("providers from the file: %v %v", ins, err)
		}
	})
}

// TestMain_IdentityProvidersFromConfig: providers given at start are
// created, then updated by slug at the next start; a bad one stops the
// start with a message that names it.
func TestMain_IdentityProvidersFromConfig(t *testing.T) {
	cfg := testConfig(t, sqlstoretest.Backends(t)[0])
	cfg.IdentityProviders = `[{"slug": "corp", "name": "Corp", "issuer_url": "https://id.example.com", "client_id": "fw", "client_secret": "s"}]`
	m := startMain(t, cfg)
	p, err := m.Store.FindIdentityProviderBySlug(context.Background(), "corp")
	if err != nil || p.Name != "Corp" || !p.ClientSecretSet || !p.Enabled {
		t.Fatalf("provider from the configuration: %+v %v", p, err)
	}
	cfg.IdentityProviders = `[{"slug": "corp", "name": "Corp SSO", "enabled": false}]`
	m2 := startMain(t, cfg)
	p, err = m2.Store.FindIdentityProviderBySlug(context.Background(), "corp")
	if err != nil || p.Name != "Corp SSO" || p.Enabled || !p.ClientSecretSet {
		t.Fatalf("provider updated by the configuration: %+v %v", p, err)
	}
	cfg.IdentityProviders = `[{"slug": "bad", "name": "Bad", "issuer_url": "http://id.example.com", "client_id": "fw"}]`
	bad := NewMain(cfg, m.Logger)
	defer bad.Close()
	if err := bad.Open(context.Background()); err == nil || !strings.Contains(err.Error(), `identity provider 1 ("bad")`) || !strings.Contains(err.Error(), "https") {
		t.Errorf("a bad provider at start: %v", err)
	}
}
