package fleetwatch

import (
	"context"
	"time"
)

// MaxAcceptance is the longest a risk may be accepted for at once.
const MaxAcceptance = 366 * 24 * time.Hour

// Acceptance is an organization admin's decision to live with an open
// exposure for a while, with a justification. While it holds, the
// exposure's SLA clock is paused: its due date moves later by the accepted
// period (unless it was already breached, which stays a breach); reports
// show accepted exposures apart.
type Acceptance struct {
	ID            int64     `json:"-"`
	UUID          string    `json:"id"`
	ExposureID    int64     `json:"-"`
	ExposureUUID  string    `json:"exposure_id"`
	Justification string    `json:"justification"`
	AcceptedAt    time.Time `json:"accepted_at"`
	ExpiresAt     time.Time `json:"expires_at"`
	AcceptedBy    *string   `json:"accepted_by" doc:"The org admin who accepted it"`
	// AcceptedByName and RevokedByName name those users (their e-mail when unnamed).
	AcceptedByName *string    `json:"accepted_by_name" doc:"Their name, or e-mail when unnamed"`
	RevokedAt      *time.Time `json:"revoked_at"`
	RevokedBy      *string    `json:"revoked_by"`
	RevokedByName  *string    `json:"revoked_by_name" doc:"Their name, or e-mail when unnamed"`
	// DueShift is how much the acceptance moved the due date.
	DueShift time.Duration `json:"-"`
}

// Active reports whether the acceptance holds at t.
func (a *Acceptance) Active(t time.Time) bool {
	return a.RevokedAt == nil && t.Before(a.ExpiresAt)
}

// AcceptanceStore keeps risk acceptances.
type AcceptanceStore interface {
	// CreateAcceptance records an acceptance of an open exposure and moves
	// its due date by a.DueShift, in one transaction. ECONFLICT when the
	// exposure is resolved or already has an active acceptance at
	// a.AcceptedAt.
	CreateAcceptance(ctx context.Context, a *Acceptance, by int64) error
	// FindActiveAcceptance returns the acceptance of the exposure that holds
	// at t; ENOTFOUND when none does.
	FindActiveAcceptance(ctx context.Context, exposureID int64, t time.Time) (*Acceptance, error)
	// RevokeAcceptance ends an acceptance at t and moves the exposure's due
	// date back by the part of the acceptance not used.
	RevokeAcceptance(ctx context.Context, id int64, t time.Time, by int64) error
}
