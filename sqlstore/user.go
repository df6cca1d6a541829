package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// userSortColumns maps fleetwatch.UserSortFields to columns.
var userSortColumns = map[string]string{
	"name":       "lower(u.name)",
	"email":      "lower(u.email)",
	"role":       "u.role",
	"created_at": "u.created_at",
	"updated_at": "u.updated_at",
	"last_login": "u.last_login",
}

// userEmailKey is the unique index on lower(email) of the users that exist.
const userEmailKey = "users_email_key"

const userColumns = `u.id, u.uuid, u.name, u.email, u.organization_id, o.uuid, u.role,
	u.is_active, u.last_login, u.notification_preferences, u.totp_enabled,
	u.created_at, u.updated_at, cb.uuid, ub.uuid, u.hashed_password, u.totp_secret, COALESCE(o.is_active, TRUE)`

// userFrom hides deleted users and the users of deleted organizations; users
// without an organization (admins) are visible.
const userFrom = `FROM users u
	LEFT JOIN organizations o ON o.id = u.organization_id
	LEFT JOIN users cb ON cb.id = u.created_by
	LEFT JOIN users ub ON ub.id = u.updated_by`

const userVisible = `NOT u.is_deleted AND (u.organization_id IS NULL OR NOT o.is_deleted)`

func scanUser(sc interface{ Scan(...any) error }) (*fleetwatch.User, error) {
	var (
		u              fleetwatch.User
		orgID          sql.NullInt64
		orgUUID        sql.NullString
		lastLogin      sql.NullTime
		prefs          []byte
		cb, ub         sql.NullString
		hashedPassword string
	)
	if err := sc.Scan(&u.ID, &u.UUID, &u.Name, &u.Email, &orgID, &orgUUID, &u.Role,
		&u.IsActive, &lastLogin, &prefs, &u.TOTPEnabled,
		&u.CreatedAt, &u.UpdatedAt, &cb, &ub, &hashedPassword, &u.TOTPSecret, &u.OrganizationActive); err != nil {
		return nil, err
	}
	u.OrganizationID, u.OrganizationUUID = orgID.Int64, stringPtr(orgUUID)
	u.LastLogin = timePtr(lastLogin)
	u.NotificationPreferences = prefs
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	u.CreatedBy, u.UpdatedBy = stringPtr(cb), stringPtr(ub)
	u.HashedPassword = hashedPassword
	return &u, nil
}

// FindUserByUUID returns the user, or ENOTFOUND for an unknown or deleted
// user or one whose organization is deleted.
func (s *Store) FindUserByUUID(ctx context.Context, uuid string) (*fleetwatch.User, error) {
	return findUser(ctx, s.rdb, "u.uuid = $1", uuid)
}

// FindUserByID returns the user, or ENOTFOUND like FindUserByUUID.
func (s *Store) FindUserByID(ctx context.Context, id int64) (*fleetwatch.User, error) {
	return findUser(ctx, s.rdb, "u.id = $1", id)
}

// FindUserByEmail returns the user with the e-mail address, matched
// case-insensitively, or ENOTFOUND.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (*fleetwatch.User, error) {
	return findUser(ctx, s.rdb, "lower(u.email) = lower($1)", email)
}

func findUser(ctx context.Context, q querier, cond string, arg any) (*fleetwatch.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` `+userFrom+`
		WHERE `+cond+` AND `+userVisible, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fleetwatch.Errorf(fleetwatch.ENOTFOUND, "User not found.")
	} else if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// FindUsers returns a page of the users that match f, and how many match in
// all. Q searches name and e-mail; Email matches exactly, ignoring case.
func (s *Store) FindUsers(ctx context.Context, f fleetwatch.UserFilter) ([]*fleetwatch.User, int, error) {
	var c conds
	c.add(userVisible)
	if f.OrganizationID != 0 {
		c.add("u.organization_id = " + c.arg(f.OrganizationID))
	}
	if f.Role != "" {
		c.add("u.role = " + c.arg(f.Role))
	}
	if f.IsActive != nil {
		c.add("u.is_active = " + c.arg(*f.IsActive))
	}
	if f.Email != "" {
		c.add("lower(u.email) = lower(" + c.arg(f.Email) + ")")
	}
	c.search(s.d, f.Q, "u.name", "u.email")
	order, err := orderBy(f.Sort, userSortColumns, []fleetwatch.SortField{{Field: "name"}}, "u.id")
	if err != nil {
		return nil, 0, fmt.Errorf("find users: %w", err)
	}

	var total int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM users u
		LEFT JOIN organizations o ON o.id = u.organization_id `+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+userColumns+` `+userFrom+` `+
		c.sql()+` `+order+` `+c.page(f.ListOptions), c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find users: %w", err)
	}
	defer rows.Close()
	users := []*fleetwatch.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan user: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find users: %w", err)
	}
	return users, total, nil
}

// CreateUser inserts u and fills its ID, UUID, timestamps, OrganizationUUID
// and CreatedBy/UpdatedBy. ECONFLICT when the e-mail address is taken,
// ENOTFOUND when the organization is unknown or deleted.
func (s *Store) CreateUser(ctx context.Context, u *fleetwatch.User, by int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if u.OrganizationID != 0 {
			if _, err := findOrganization(ctx, tx, "o.id = $1", u.OrganizationID); err != nil {
				return err
			}
		}
		t := now()
		var id int64
		err := tx.QueryRowContext(ctx, `
			INSERT INTO users (uuid, name, email, hashed_password, organization_id, role, is_active,
				last_login, notification_preferences, totp_secret, totp_enabled,
				created_at, updated_at, created_by, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $13)
			RETURNING id`,
			newUUID(), u.Name, u.Email, u.HashedPassword, nullID(u.OrganizationID), u.Role, u.IsActive,
			dbTimePtr(u.LastLogin), jsonOr(u.NotificationPreferences, "{}"), u.TOTPSecret, u.TOTPEnabled,
			t, nullID(by),
		).Scan(&id)
		if s.d.isUniqueViolation(err, userEmailKey) {
			return fleetwatch.Errorf(fleetwatch.ECONFLICT, "Email is already in use.")
		} else if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		created, err := findUser(ctx, tx, "u.id = $1", id)
		if err != nil {
			return err
		}
		*u = *created
		return nil
	})
}

// UpdateUser changes the fields of upd that are not nil and returns the
// user. ENOTFOUND for an unknown or hidden user or organization, ECONFLICT
// when the new e-mail address is taken.
func (s *Store) UpdateUser(ctx context.Context, id int64, upd fleetwatch.UserUpdate, by int64) (*fleetwatch.User, error) {
	var u *fleetwatch.User
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := findUser(ctx, tx, "u.id = $1", id); err != nil {
			return err
		}
		var c conds
		set := []string{"updated_at = " + c.arg(now()), "updated_by = " + c.arg(nullID(by))}
		if upd.Name != nil {
			set = append(set, "name = "+c.arg(*upd.Name))
		}
		if upd.Email != nil {
			set = append(set, "email = "+c.arg(*upd.Email))
		}
		if upd.Role != nil {
			set = append(set, "role = "+c.arg(*upd.Role))
		}
		if upd.IsActive != nil {
			set = append(set, "is_active = "+c.arg(*upd.IsActive))
			// Deactivation ends every session: reactivating the user
			// later does not bring its tokens back.
			if !*upd.IsActive {
				if err := revokeSessions(ctx, tx, now(), `user_id = $2`, id); err != nil {
					return err
				}
			}
		}
		if upd.OrganizationID != nil {
			if *upd.OrganizationID != 0 {
				if _, err := findOrganization(ctx, tx, "o.id = $1", *upd.OrganizationID); err != nil {
					return err
				}
			}
			set = append(set, "organization_id = "+c.arg(nullID(*upd.OrganizationID)))
		}
		if upd.HashedPassword != nil {
			set = append(set, "hashed_password = "+c.arg(*upd.HashedPassword))
		}
		err := execUpdate(ctx, tx, "users", "User", set, &c, id)
		if s.d.isUniqueViolation(err, userEmailKey) {
			return fleetwatch.Errorf(fleetwatch.ECONFLICT, "Email is already in use.")
		} else if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		u, err = findUser(ctx, tx, "u.id = $1", id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// DeleteUser soft-deletes the user, which frees the e-mail address;
// ENOTFOUND when the user is already gone.
func (s *Store) DeleteUser(ctx context.Context, id int64, by int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := findUser(ctx, tx, "u.id = $1", id); err != nil {
			return err
		}
		t := now()
		if _, err := tx.ExecContext(ctx, `UPDATE users
			SET is_deleted = TRUE, deleted_at = $1, updated_at = $1, updated_by = $2
			WHERE id = $3`, t, nullID(by), id); err != nil {
			return fmt.Errorf("delete user: %w", err)
		}
		return nil
	})
}

// SetLastLogin records a successful login at at; ENOTFOUND for an unknown or
// hidden user. It leaves updated_at alone: a login is not an edit.
func (s *Store) SetLastLogin(ctx context.Context, id int64, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := findUser(ctx, tx, "u.id = $1", id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET last_login = $1 WHERE id = $2`, dbTime(at), id); err != nil {
			return fmt.Errorf("set last login: %w", err)
		}
		return nil
	})
}
