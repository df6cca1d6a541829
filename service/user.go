package service

import (
	"context"
	"errors"
	"strings"

	"github.com/fleetwatch/fleetwatch"
)

// UsersStore is what Users needs of the database: user accounts. The
// fleetwatch store interfaces document each method and its errors.
type UsersStore interface {
	CreateUser(ctx context.Context, u *fleetwatch.User, by int64) error
	DeleteUser(ctx context.Context, id int64, by int64) error
	FindOrganizationByUUID(ctx context.Context, uuid string) (*fleetwatch.Organization, error)
	FindUserByUUID(ctx context.Context, uuid string) (*fleetwatch.User, error)
	FindUsers(ctx context.Context, f fleetwatch.UserFilter) ([]*fleetwatch.User, int, error)
	UpdateUser(ctx context.Context, id int64, upd fleetwatch.UserUpdate, by int64) (*fleetwatch.User, error)
}

// Users manages user accounts.
type Users struct {
	Store     UsersStore
	Passwords *Passwords
	Activity  *Activity
	// Auth checks the current password of a user who changes their own
	// e-mail address (within the limits of guesses).
	Auth *Auth
}

// UserInput is the body of a user create or partial update.
type UserInput struct {
	Name           *string
	Email          *string
	Password       *string
	Role           *string
	OrganizationID *string // uuid; "" for none (admins only)
	IsActive       *bool
	// CurrentPassword confirms a change of one's own e-mail address.
	CurrentPassword *string
}

var errUserNotFound = fleetwatch.Errorf(fleetwatch.ENOTFOUND, "User not found.")

// List returns the users the actor may manage: all for an admin, their
// organization's for an org admin.
func (s *Users) List(ctx context.Context, f fleetwatch.UserFilter, orgUUID string) ([]*fleetwatch.User, int, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, 0, err
	}
	if !a.Can(fleetwatch.RoleOrgAdmin) {
		return nil, 0, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only organization admins list users.")
	}
	orgID, visible, err := resolveOrgFilter(ctx, s.Store, a, orgUUID)
	if err != nil || !visible {
		return nil, 0, err
	}
	f.OrganizationID = orgID
	return s.Store.FindUsers(ctx, f)
}

// Get returns a user the actor may see: themselves, or as an org admin a
// user of their organization.
func (s *Users) Get(ctx context.Context, uuid string) (*fleetwatch.User, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.Store.FindUserByUUID(ctx, uuid)
	if err != nil {
		return nil, err
	}
	switch {
	case a.IsAdmin(), u.ID == a.UserID:
	case a.Can(fleetwatch.RoleOrgAdmin) && u.OrganizationID == a.OrganizationID && a.OrganizationID != 0:
	default:
		return nil, errUserNotFound
	}
	return u, nil
}

// Create creates a user. Org admins create users of their own organization
// with a role up to org_admin; only admins create admins.
func (s *Users) Create(ctx context.Context, in UserInput) (*fleetwatch.User, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.Can(fleetwatch.RoleOrgAdmin) {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only organization admins create users.")
	}
	var v fleetwatch.Validation
	u := &fleetwatch.User{IsActive: true, Role: deref(in.Role)}
	u.Name = checkText(&v, "/name", "name", deref(in.Name), true, MaxNameLength)
	u.Email = checkEmail(&v, "/email", deref(in.Email))
	checkPassword(&v, "/password", deref(in.Password))
	checkRole(&v, "/role", u.Role)
	if in.IsActive != nil {
		u.IsActive = *in.IsActive
	}
	orgID, err := s.targetOrganization(ctx, a, in.OrganizationID, &v)
	if err != nil {
		return nil, err
	}
	u.OrganizationID = orgID
	s.checkRoleGrant(a, u.Role, orgID, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if u.HashedPassword, err = s.Passwords.Hash(ctx, *in.Password); err != nil {
		return nil, err
	}
	if err := s.Store.CreateUser(ctx, u, a.UserID); err != nil {
		return nil, err
	}
	s.Activity.Record(ctx, "user.created", "user", u.UUID, u.OrganizationID, map[string]any{"email": u.Email, "role": u.Role})
	return u, nil
}

// Update changes a user. Nobody changes a user more powerful than they are,
// and an org admin grants at most org_admin.
func (s *Users) Update(ctx context.Context, uuid string, in UserInput) (*fleetwatch.User, error) {
	u, err := s.Get(ctx, uuid)
	if err != nil {
		return nil, err
	}
	a := fleetwatch.ActorFromContext(ctx)
	self := u.ID == a.UserID
	var v fleetwatch.Validation
	upd := fleetwatch.UserUpdate{}
	if in.Name != nil {
		name := checkText(&v, "/name", "name", *in.Name, true, MaxNameLength)
		upd.Name = &name
	}
	if in.Email != nil {
		email := checkEmail(&v, "/email", *in.Email)
		upd.Email = &email
	}
	// Whoever holds a session must not be able to move the account to an
	// address of theirs (and reset its password there) without knowing it.
	confirm := self && upd.Email != nil && !strings.EqualFold(*upd.Email, u.Email)
	if confirm && deref(in.CurrentPassword) == "" {
		v.Add("/current_password", "current_password is required to change your own email")
	}
	if in.Password != nil {
		v.Add("/password", "passwords are changed with PUT /api/v1/auth/password")
	}
	if !a.Can(fleetwatch.RoleOrgAdmin) && (in.Role != nil || in.IsActive != nil || in.OrganizationID != nil) {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only organization admins change roles, activation or organizations.")
	}
	if !a.IsAdmin() && fleetwatch.RoleRank(u.Role) > fleetwatch.RoleRank(a.Role) {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "You cannot change a user with a higher role than yours.")
	}
	orgID := u.OrganizationID
	if in.OrganizationID != nil {
		if orgID, err = s.targetOrganization(ctx, a, in.OrganizationID, &v); err != nil {
			return nil, err
		}
		upd.OrganizationID = &orgID
	}
	role := u.Role
	if in.Role != nil {
		role = *in.Role
		checkRole(&v, "/role", role)
		upd.Role = in.Role
	}
	if in.Role != nil || in.OrganizationID != nil {
		s.checkRoleGrant(a, role, orgID, &v)
	}
	if self && in.Role != nil && role != u.Role {
		v.Add("/role", "you cannot change your own role")
	}
	if self && in.IsActive != nil && !*in.IsActive {
		v.Add("/is_active", "you cannot deactivate yourself")
	}
	upd.IsActive = in.IsActive
	if err := v.Err(); err != nil {
		return nil, err
	}
	if confirm {
		if s.Auth == nil {
			return nil, errors.New("users: no Auth to check the current password")
		}
		// u is the caller, read above with their password hash.
		if err := s.Auth.verifyPassword(ctx, u, "/current_password", *in.CurrentPassword); err != nil {
			return nil, err
		}
	}
	updated, err := s.Store.UpdateUser(ctx, u.ID, upd, a.UserID)
	if err != nil {
		return nil, err
	}
	if updated.Role != u.Role {
		s.Activity.Record(ctx, "user.role_changed", "user", u.UUID, updated.OrganizationID, map[string]any{"from": u.Role, "to": updated.Role})
	}
	if updated.Email != u.Email {
		s.Activity.Record(ctx, "user.email_changed", "user", u.UUID, updated.OrganizationID, map[string]any{"from": u.Email, "to": updated.Email})
	}
	if updated.IsActive != u.IsActive {
		s.Activity.Record(ctx, "user.activation_changed", "user", u.UUID, updated.OrganizationID, map[string]any{"is_active": updated.IsActive})
	}
	return updated, nil
}

// Delete soft-deletes a user; nobody deletes themselves or a more powerful user.
func (s *Users) Delete(ctx context.Context, uuid string) error {
	u, err := s.Get(ctx, uuid)
	if err != nil {
		return err
	}
	a := fleetwatch.ActorFromContext(ctx)
	switch {
	case !a.Can(fleetwatch.RoleOrgAdmin):
		return fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only organization admins delete users.")
	case u.ID == a.UserID:
		return fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "You cannot delete yourself.")
	case !a.IsAdmin() && fleetwatch.RoleRank(u.Role) > fleetwatch.RoleRank(a.Role):
		return fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "You cannot delete a user with a higher role than yours.")
	}
	if err := s.Store.DeleteUser(ctx, u.ID, a.UserID); err != nil {
		return err
	}
	s.Activity.Record(ctx, "user.deleted", "user", u.UUID, u.OrganizationID, map[string]any{"email": u.Email})
	return nil
}

// targetOrganization resolves the organization a user is put in. Org admins
// may only name their own; an unknown or invisible organization is a
// validation error on the field.
func (s *Users) targetOrganization(ctx context.Context, a *fleetwatch.Actor, uuid *string, v *fleetwatch.Validation) (int64, error) {
	if !a.IsAdmin() {
		if uuid != nil && *uuid != "" {
			o, err := s.Store.FindOrganizationByUUID(ctx, *uuid)
			if err != nil && fleetwatch.ErrorCode(err) != fleetwatch.ENOTFOUND {
				return 0, err
			}
			if err != nil || o.ID != a.OrganizationID {
				v.Add("/organization_id", "organization not found")
			}
		}
		return a.OrganizationID, nil
	}
	if uuid == nil || *uuid == "" {
		return 0, nil
	}
	o, err := s.Store.FindOrganizationByUUID(ctx, *uuid)
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
		v.Add("/organization_id", "organization not found")
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	return o.ID, nil
}

// checkRoleGrant enforces who may grant which role where.
func (s *Users) checkRoleGrant(a *fleetwatch.Actor, role string, orgID int64, v *fleetwatch.Validation) {
	if fleetwatch.RoleRank(role) == 0 {
		return
	}
	if role == fleetwatch.RoleAdmin && !a.IsAdmin() {
		v.Add("/role", "only platform admins grant the admin role")
	}
	if role != fleetwatch.RoleAdmin && orgID == 0 {
		v.Add("/organization_id", "a %s must belong to an organization", role)
	}
}

// orgFinder finds an organization by its uuid (fleetwatch.OrganizationStore).
type orgFinder interface {
	FindOrganizationByUUID(ctx context.Context, uuid string) (*fleetwatch.Organization, error)
}

// resolveOrgFilter turns an organization_id filter into the organization
// the list is bounded by. visible is false when the actor cannot see the
// named organization: the list is then empty, as if it did not exist.
func resolveOrgFilter(ctx context.Context, store orgFinder, a *fleetwatch.Actor, orgUUID string) (id int64, visible bool, err error) {
	if orgUUID == "" {
		return a.ScopeOrganization(), a.IsAdmin() || a.OrganizationID != 0, nil
	}
	o, err := store.FindOrganizationByUUID(ctx, orgUUID)
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
		return 0, false, nil
	} else if err != nil {
		return 0, false, err
	}
	if !a.IsAdmin() && o.ID != a.OrganizationID {
		return 0, false, nil
	}
	return o.ID, true, nil
}
