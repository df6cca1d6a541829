// Package notify holds Fleetwatch's notification senders: e-mail over SMTP
// (SMTP) and signed, Slack-compatible webhooks (Webhook). Each call is one
// attempt; service.Notifier decides what to send, retries and logs
// deliveries.
package notify
