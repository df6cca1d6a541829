package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// digestItems bounds the exposures a digest lists.
const digestItems = 20

// SendDigests sends the day's digest to every user who asked for one, once
// the UTC hour is DigestHour or later. Each replica makes one pass a day;
// each user's digest is claimed in the database, so it goes out once however
// many replicas pass.
func (n *Notifier) SendDigests(ctx context.Context) {
	now := n.now().UTC()
	if now.Hour() < n.DigestHour {
		return
	}
	day := now.Format(time.DateOnly)
	n.mu.Lock()
	done := n.digestDone == day
	n.mu.Unlock()
	if done {
		return
	}
	texts := map[int64]string{} // by organization (0: all, for admins)
	err := n.eachUser(ctx, 0, func(u *fleetwatch.User, p fleetwatch.NotificationPreferences) {
		email := n.Mailer != nil && p.Email.Enabled && p.Email.DailyDigest
		hook := n.Webhooks != nil && p.Webhook.Enabled && p.Webhook.DailyDigest && p.Webhook.URL != ""
		if !email && !hook {
			return
		}
		if u.OrganizationID == 0 && u.Role != fleetwatch.RoleAdmin {
			return
		}
		text, ok := texts[u.OrganizationID]
		if !ok {
			var err error
			if text, err = n.digestText(ctx, u.OrganizationID, now); err != nil {
				n.Logger.Error("notifier: build digest", "organization", u.OrganizationID, "err", err)
				return
			}
			texts[u.OrganizationID] = text
		}
		subject := "[Fleetwatch] Daily digest " + day
		key := "digest:" + day
		if email {
			n.deliver(ctx, u, fleetwatch.ChannelEmail, fleetwatch.NotificationDigest, key, subject, text, nil, text)
		}
		if hook {
			n.deliver(ctx, u, fleetwatch.ChannelWebhook, fleetwatch.NotificationDigest, key, subject, text, nil, text)
		}
	})
	if err != nil {
		n.Logger.Error("notifier: digest recipients", "err", err)
		return
	}
	n.mu.Lock()
	n.digestDone = day
	n.mu.Unlock()
}

// digestText summarizes an organization's open exposures (every
// organization's for 0) at now.
func (n *Notifier) digestText(ctx context.Context, orgID int64, now time.Time) (string, error) {
	count := func(f fleetwatch.ExposureFilter) (int, error) {
		f.OrganizationID, f.State, f.ListOptions = orgID, fleetwatch.ExposureOpen, fleetwatch.ListOptions{Page: 1, PerPage: 1}
		_, total, err := n.Store.FindExposures(ctx, f)
		return total, err
	}
	var b strings.Builder
	open, err := count(fleetwatch.ExposureFilter{})
	if err != nil {
		return "", fmt.Errorf("count exposures: %w", err)
	}
	overdue, err := count(fleetwatch.ExposureFilter{OverdueAt: &now})
	if err != nil {
		return "", fmt.Errorf("count overdue exposures: %w", err)
	}
	fmt.Fprintf(&b, "Outstanding security updates: %d (%d past their SLA deadline).\n", open, overdue)
	for _, sev := range fleetwatch.Severities {
		c, err := count(fleetwatch.ExposureFilter{Severity: sev})
		if err != nil {
			return "", fmt.Errorf("count exposures: %w", err)
		}
		if c > 0 {
			fmt.Fprintf(&b, "  %s: %d\n", severityLabel(sev), c)
		}
	}
	if open == 0 {
		return b.String(), nil
	}
	items, _, err := n.Store.FindExposures(ctx, fleetwatch.ExposureFilter{OrganizationID: orgID, State: fleetwatch.ExposureOpen,
		ListOptions: fleetwatch.ListOptions{Page: 1, PerPage: digestItems, Sort: []fleetwatch.SortField{{Field: "due_at"}}}})
	if err != nil {
		return "", fmt.Errorf("find exposures: %w", err)
	}
	b.WriteString("\nDue first:\n")
	for _, x := range items {
		state := ""
		if !x.DueAt.IsZero() && !now.Before(x.DueAt) {
			state = " — OVERDUE"
		}
		fmt.Fprintf(&b, "- %s %s on %s (%s), due %s%s\n", x.Project, x.InstalledVersion, x.SiteName,
			severityLabel(x.Severity), x.DueAt.UTC().Format(time.DateOnly), state)
	}
	if open > len(items) {
		fmt.Fprintf(&b, "… and %d more.\n", open-len(items))
	}
	return b.String(), nil
}
