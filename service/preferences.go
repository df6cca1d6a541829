package service

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/fleetwatch/fleetwatch"
)

// NotificationPreferences returns the caller's preferences, the defaults when
// none were saved.
func (s *Auth) NotificationPreferences(ctx context.Context) (*fleetwatch.NotificationPreferences, error) {
	u, err := s.Me(ctx)
	if err != nil {
		return nil, err
	}
	p := fleetwatch.DefaultNotificationPreferences()
	if saved := string(u.NotificationPreferences); saved != "" && saved != "{}" && saved != "null" {
		// Saved preferences replace the defaults whole: a channel turned
		// off is saved without "enabled", which must not read as the default.
		p = fleetwatch.NotificationPreferences{}
		if err := json.Unmarshal(u.NotificationPreferences, &p); err != nil {
			return nil, fmt.Errorf("decode preferences of user %d: %w", u.ID, err)
		}
	}
	return &p, nil
}

// SetNotificationPreferences replaces the caller's preferences.
func (s *Auth) SetNotificationPreferences(ctx context.Context, p fleetwatch.NotificationPreferences) (*fleetwatch.NotificationPreferences, error) {
	u, err := s.Me(ctx)
	if err != nil {
		return nil, err
	}
	var v fleetwatch.Validation
	for ptr, sev := range map[string]string{"/email/min_severity": p.Email.MinSeverity, "/webhook/min_severity": p.Webhook.MinSeverity} {
		if sev != "" && fleetwatch.SeverityRank(sev) == 0 {
			v.Add(ptr, "min_severity must be one of highly_critical, critical, moderately_critical, less_critical, not_critical")
		}
	}
	if p.Webhook.Enabled || p.Webhook.URL != "" {
		p.Webhook.URL = checkSiteURL(&v, "/webhook/url", p.Webhook.URL)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode preferences: %w", err)
	}
	if err := s.Store.SetNotificationPreferences(ctx, u.ID, b); err != nil {
		return nil, err
	}
	return &p, nil
}
