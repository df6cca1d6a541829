package fleetwatch

import (
	"context"
	"time"
)

// Site is one Drupal installation that pushes its inventory.
type Site struct {
	ID               int64      `json:"-"`
	UUID             string     `json:"id"`
	URL              string     `json:"url"`
	Name             string     `json:"name"`
	Description      string     `json:"description"`
	OrganizationID   int64      `json:"-"`
	OrganizationUUID string     `json:"organization_id"`
	IsActive         bool       `json:"is_active"`
	FirstSeenAt      *time.Time `json:"first_seen_at"`
	LastSeenAt       *time.Time `json:"last_seen_at"`
	CoreVersion      string     `json:"core_version"`
	PHPVersion       string     `json:"php_version"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	CreatedBy        *string    `json:"created_by"`
	UpdatedBy        *string    `json:"updated_by"`
	// Platforms are PHP and Drupal core as the site last reported them,
	// judged against their end of life (filled by service.Sites).
	Platforms []PlatformVerdict `json:"platforms,omitempty" doc:"PHP and Drupal core judged against their end of life; absent for a site that never reported them"`
}

// SiteFilter narrows a list of sites.
type SiteFilter struct {
	ListOptions
	OrganizationID int64 // 0: all
	IsActive       *bool
	URL            string
}

// SiteUpdate holds the fields of a partial update; nil means unchanged.
type SiteUpdate struct {
	URL         *string
	Name        *string
	Description *string
	IsActive    *bool
}

// SiteStore persists sites.
type SiteStore interface {
	// FindSiteByUUID returns ENOTFOUND for an unknown or deleted site, or one
	// whose organization is deleted.
	FindSiteByUUID(ctx context.Context, uuid string) (*Site, error)
	FindSiteByID(ctx context.Context, id int64) (*Site, error)
	FindSites(ctx context.Context, f SiteFilter) ([]*Site, int, error)
	// CreateSite fills ID, UUID and timestamps; ENOTFOUND when the organization is gone.
	CreateSite(ctx context.Context, s *Site, by int64) error
	UpdateSite(ctx context.Context, id int64, upd SiteUpdate, by int64) (*Site, error)
	DeleteSite(ctx context.Context, id int64, by int64) error
}

// ActivityLog is one entry of the trail of who did what: logins, 2FA and key
// changes, role changes, deletions, policy changes.
type ActivityLog struct {
	ID               int64     `json:"-"`
	UUID             string    `json:"id"`
	OrganizationID   int64     `json:"-"`
	OrganizationUUID *string   `json:"organization_id"`
	OrganizationName *string   `json:"organization_name" doc:"The organization's name, null for none"`
	UserID           int64     `json:"-"`
	UserUUID         *string   `json:"user_id"`
	UserName         *string   `json:"user_name" doc:"Who did it: the user's name (or e-mail when unnamed), null for the system"`
	Action           string    `json:"action"`      // "user.login", "site.deleted", …
	TargetType       string    `json:"target_type"` // "site", "user", …
	TargetUUID       string    `json:"target_id"`
	RemoteAddr       string    `json:"remote_addr"`
	Details          string    `json:"details"` // JSON text
	CreatedAt        time.Time `json:"created_at"`
}

// ActivityFilter narrows the activity trail.
type ActivityFilter struct {
	ListOptions
	OrganizationID int64
	Action         string
}

// ActivityStore records and lists the activity trail.
type ActivityStore interface {
	CreateActivity(ctx context.Context, a *ActivityLog) error
	FindActivity(ctx context.Context, f ActivityFilter) ([]*ActivityLog, int, error)
}

// SiteSortFields are the fields a list of sites sorts by.
var SiteSortFields = []string{"name", "url", "created_at", "updated_at", "last_seen_at"}

// ActivitySortFields are the fields the activity trail sorts by.
var ActivitySortFields = []string{"created_at", "action"}
