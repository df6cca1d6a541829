package fleetwatch

import "time"

// Severities of drupal.org security advisories, most severe first.
const (
	SeverityHighlyCritical     = "highly_critical"
	SeverityCritical           = "critical"
	SeverityModeratelyCritical = "moderately_critical"
	SeverityLessCritical       = "less_critical"
	SeverityNotCritical        = "not_critical"
)

// Severities lists every severity, most severe first.
var Severities = []string{SeverityHighlyCritical, SeverityCritical, SeverityModeratelyCritical, SeverityLessCritical, SeverityNotCritical}

// SeverityRank orders severities: higher is more severe; 0 for unknown.
func SeverityRank(s string) int {
	for i, v := range Severities {
		if v == s {
			return len(Severities) - i
		}
	}
	return 0
}

// NotificationChannel says which events a user wants on one channel.
type NotificationChannel struct {
	Enabled bool `json:"enabled,omitempty"`
	// MinSeverity is the least severity of a new exposure that notifies.
	MinSeverity string `json:"min_severity,omitempty" enum:"highly_critical,critical,moderately_critical,less_critical,not_critical"`
	SLABreach   bool   `json:"sla_breach,omitempty"`
	DailyDigest bool   `json:"daily_digest,omitempty"`
	// PlatformEndOfLife asks for a notice when PHP or Drupal core on a
	// site reaches its end of life within 90 days, and when it reached it.
	PlatformEndOfLife bool `json:"platform_end_of_life,omitempty"`
}

// WebhookChannel is a notification channel to a Slack-compatible webhook,
// signed with HMAC-SHA256 of the secret.
type WebhookChannel struct {
	NotificationChannel
	URL    string `json:"url,omitempty" maxLength:"2048"`
	Secret string `json:"secret,omitempty" maxLength:"200" doc:"Signs each delivery (X-Fleetwatch-Signature: sha256=…)"`
}

// NotificationPreferences are a user's choices of what reaches them, and how.
type NotificationPreferences struct {
	Email   NotificationChannel `json:"email,omitempty"`
	Webhook WebhookChannel      `json:"webhook,omitempty"`
}

// DefaultNotificationPreferences are a new user's: e-mail for critical and
// worse exposures, for breaches and for platforms reaching their end of
// life, nothing else.
func DefaultNotificationPreferences() NotificationPreferences {
	return NotificationPreferences{
		Email: NotificationChannel{Enabled: true, MinSeverity: SeverityCritical, SLABreach: true, PlatformEndOfLife: true},
	}
}

// NotificationChannels says which channels this server can send on: a
// channel it cannot is saved in the preferences but nothing goes out on it.
type NotificationChannels struct {
	Email   bool `json:"email" doc:"A mail server is configured (--smtp-url): e-mail can be sent"`
	Webhook bool `json:"webhook" doc:"Webhooks can be posted"`
}

// NotificationTest is the answer to a test notification: where it went.
type NotificationTest struct {
	Channel string    `json:"channel" enum:"email,webhook"`
	Target  string    `json:"target" doc:"The e-mail address, or the webhook's host"`
	SentAt  time.Time `json:"sent_at"`
}
