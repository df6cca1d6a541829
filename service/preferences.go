package service

import (
	"context"
	"fmt"

	"github.com/fleetwatch/fleetwatch"
)

// NotificationPreferences returns the caller's preferences, the defaults when
// none were saved, with the webhook's secret opened.
func (s *Auth) NotificationPreferences(ctx context.Context) (*fleetwatch.NotificationPreferences, error) {
	u, err := s.Me(ctx)
	if err != nil {
		return nil, err
	}
	sp, err := decodeStoredPreferences(u.NotificationPreferences)
	if err != nil {
		return nil, fmt.Errorf("preferences of user %d: %w", u.ID, err)
	}
	p := sp.preferences()
	if p.Webhook.Secret, err = s.webhooks.secret(sp); err != nil {
		return nil, fmt.Errorf("preferences of user %d: %w", u.ID, err)
	}
	return &p, nil
}

// SetNotificationPreferences replaces the caller's preferences, storing the
// webhook's secret sealed.
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
	b, err := s.webhooks.encode(p) // the secret sealed
	if err != nil {
		return nil, err
	}
	if err := s.Store.SetNotificationPreferences(ctx, u.ID, b); err != nil {
		return nil, err
	}
	return &p, nil
}
