package fleetwatch

import (
	"context"
	"encoding/json"
	"time"
)

// User is a person who signs in to the dashboard or the API.
type User struct {
	ID                      int64           `json:"-"`
	UUID                    string          `json:"id"`
	Name                    string          `json:"name"`
	Email                   string          `json:"email"`
	OrganizationID          int64           `json:"-"` // 0: none (admins only)
	OrganizationUUID        *string         `json:"organization_id"`
	Role                    string          `json:"role" enum:"admin,org_admin,member,viewer"`
	IsActive                bool            `json:"is_active"`
	LastLogin               *time.Time      `json:"last_login"`
	NotificationPreferences json.RawMessage `json:"-"`
	TOTPEnabled             bool            `json:"totp_enabled"`
	CreatedAt               time.Time       `json:"created_at"`
	UpdatedAt               time.Time       `json:"updated_at"`
	CreatedBy               *string         `json:"created_by"`
	UpdatedBy               *string         `json:"updated_by"`

	HashedPassword string `json:"-"`
	// TOTPSecret is the encrypted TOTP secret; empty when 2FA is off.
	TOTPSecret string `json:"-"`
	// OrganizationActive is false when the user's organization is
	// inactive (true when they have none); read with the user.
	OrganizationActive bool `json:"-"`
}

// UserFilter narrows a list of users.
type UserFilter struct {
	ListOptions
	OrganizationID int64 // 0: all
	Role           string
	IsActive       *bool
	Email          string
}

// UserUpdate holds the fields of a partial update; nil means unchanged.
type UserUpdate struct {
	Name           *string
	Email          *string
	Role           *string
	IsActive       *bool
	OrganizationID *int64 // pointer to 0 removes the organization
	HashedPassword *string
}

// UserStore persists users.
type UserStore interface {
	// FindUserByUUID returns ENOTFOUND for an unknown or deleted user, or one
	// whose organization is deleted.
	FindUserByUUID(ctx context.Context, uuid string) (*User, error)
	// FindUserByID returns ENOTFOUND like FindUserByUUID.
	FindUserByID(ctx context.Context, id int64) (*User, error)
	// FindUserByEmail matches the e-mail case-insensitively; ENOTFOUND otherwise.
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	FindUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	// CreateUser fills ID, UUID and timestamps; ECONFLICT when the e-mail is taken.
	CreateUser(ctx context.Context, u *User, by int64) error
	// UpdateUser returns ENOTFOUND or ECONFLICT (e-mail taken).
	UpdateUser(ctx context.Context, id int64, upd UserUpdate, by int64) (*User, error)
	// DeleteUser soft-deletes; ENOTFOUND when already gone.
	DeleteUser(ctx context.Context, id int64, by int64) error
	// SetLastLogin records a successful login.
	SetLastLogin(ctx context.Context, id int64, at time.Time) error
}

// UserSortFields are the fields a list of users sorts by.
var UserSortFields = []string{"name", "email", "role", "created_at", "updated_at", "last_login"}
