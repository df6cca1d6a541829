package fleetwatch

import (
	"context"
	"time"
)

// Organization is a customer of the platform: an agency or an in-house team
// that owns sites and users. Soft-deleting one hides its sites and users.
type Organization struct {
	ID        int64     `json:"-"`
	UUID      string    `json:"id"`
	Name      string    `json:"name"`
	TaxID     string    `json:"tax_id"`
	IsActive  bool      `json:"is_active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	CreatedBy *string   `json:"created_by"` // the user's uuid
	UpdatedBy *string   `json:"updated_by"`
}

// OrganizationFilter narrows a list of organizations.
type OrganizationFilter struct {
	ListOptions
	// ID limits the list to one organization (a non-admin sees only theirs).
	ID       int64
	IsActive *bool
}

// OrganizationUpdate holds the fields of a partial update; nil means unchanged.
type OrganizationUpdate struct {
	Name     *string
	TaxID    *string
	IsActive *bool
}

// OrganizationStore persists organizations.
type OrganizationStore interface {
	// FindOrganizationByUUID returns ENOTFOUND for an unknown or deleted organization.
	FindOrganizationByUUID(ctx context.Context, uuid string) (*Organization, error)
	// FindOrganizationByID returns ENOTFOUND for an unknown or deleted organization.
	FindOrganizationByID(ctx context.Context, id int64) (*Organization, error)
	FindOrganizations(ctx context.Context, f OrganizationFilter) ([]*Organization, int, error)
	// CreateOrganization fills ID, UUID and the timestamps of o.
	CreateOrganization(ctx context.Context, o *Organization, by int64) error
	// UpdateOrganization returns ENOTFOUND for an unknown or deleted organization.
	UpdateOrganization(ctx context.Context, id int64, upd OrganizationUpdate, by int64) (*Organization, error)
	// DeleteOrganization soft-deletes the organization; its sites and users
	// disappear with it. ENOTFOUND when already gone.
	DeleteOrganization(ctx context.Context, id int64, by int64) error
}

// OrganizationSortFields are the fields a list of organizations sorts by.
var OrganizationSortFields = []string{"name", "created_at", "updated_at"}
