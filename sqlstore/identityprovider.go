package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/fleetwatch/fleetwatch"
)

var (
	errIdentityProviderNotFound = fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Identity provider not found.")
	errIdentityProviderSlug     = &fleetwatch.Error{Code: fleetwatch.ECONFLICT, Message: "Another identity provider has this slug.",
		Fields: []fleetwatch.FieldError{{Pointer: "/slug", Message: "slug is taken"}}}
)

const identityProviderColumns = `id, uuid, slug, name, issuer_url, client_id, client_secret, scopes, groups_claim,
	enabled, allow_email_linking, auto_provision, mfa_amr_values, created_at, updated_at`

func scanIdentityProvider(sc interface{ Scan(...any) error }) (*fleetwatch.IdentityProvider, error) {
	var (
		p           fleetwatch.IdentityProvider
		scopes, amr string
	)
	if err := sc.Scan(&p.ID, &p.UUID, &p.Slug, &p.Name, &p.IssuerURL, &p.ClientID, &p.ClientSecret, &scopes, &p.GroupsClaim,
		&p.Enabled, &p.AllowEmailLinking, &p.AutoProvision, &amr, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	p.Scopes, p.MFAValues = strings.Fields(scopes), strings.Fields(amr)
	p.ClientSecretSet = p.ClientSecret != ""
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	p.GroupMappings = []fleetwatch.GroupMapping{}
	return &p, nil
}

// isSlugTaken matches the unique constraint on the slug in either dialect.
func (s *Store) isSlugTaken(err error) bool {
	return s.d.isUniqueViolation(err, "identity_providers_slug_key") || s.d.isUniqueViolation(err, "identity_providers.slug")
}

// CreateIdentityProvider stores a provider and its mappings, and fills
// its ID, UUID and timestamps.
func (s *Store) CreateIdentityProvider(ctx context.Context, p *fleetwatch.IdentityProvider) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		p.UUID, p.CreatedAt = newUUID(), s.clock()
		p.UpdatedAt = p.CreatedAt
		err := tx.QueryRowContext(ctx, `
			INSERT INTO identity_providers (uuid, slug, name, issuer_url, client_id, client_secret, scopes, groups_claim,
				enabled, allow_email_linking, auto_provision, mfa_amr_values, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
			p.UUID, p.Slug, p.Name, p.IssuerURL, p.ClientID, p.ClientSecret, strings.Join(p.Scopes, " "), p.GroupsClaim,
			p.Enabled, p.AllowEmailLinking, p.AutoProvision, strings.Join(p.MFAValues, " "), p.CreatedAt,
		).Scan(&p.ID)
		if s.isSlugTaken(err) {
			return errIdentityProviderSlug
		} else if err != nil {
			return fmt.Errorf("insert identity provider: %w", err)
		}
		p.ClientSecretSet = p.ClientSecret != ""
		return replaceGroupMappings(ctx, tx, p)
	})
}

func replaceGroupMappings(ctx context.Context, tx *sql.Tx, p *fleetwatch.IdentityProvider) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM identity_provider_groups WHERE provider_id = $1`, p.ID); err != nil {
		return fmt.Errorf("delete group mappings: %w", err)
	}
	for i, m := range p.GroupMappings {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO identity_provider_groups (provider_id, position, group_name, organization_id, role)
			VALUES ($1, $2, $3, $4, $5)`, p.ID, i, m.Group, nullID(m.OrganizationID), m.Role); err != nil {
			return fmt.Errorf("insert group mapping: %w", err)
		}
	}
	if p.GroupMappings == nil {
		p.GroupMappings = []fleetwatch.GroupMapping{}
	}
	return nil
}

// FindIdentityProviders returns every provider, by name, with its mappings.
func (s *Store) FindIdentityProviders(ctx context.Context) ([]*fleetwatch.IdentityProvider, error) {
	return s.findIdentityProviders(ctx, "TRUE", nil)
}

// FindIdentityProviderByUUID returns ENOTFOUND for an unknown provider.
func (s *Store) FindIdentityProviderByUUID(ctx context.Context, uuid string) (*fleetwatch.IdentityProvider, error) {
	return s.findIdentityProvider(ctx, "uuid = $1", uuid)
}

// FindIdentityProviderBySlug returns ENOTFOUND for an unknown provider.
func (s *Store) FindIdentityProviderBySlug(ctx context.Context, slug string) (*fleetwatch.IdentityProvider, error) {
	return s.findIdentityProvider(ctx, "slug = $1", slug)
}

// FindIdentityProviderByID returns ENOTFOUND for an unknown provider.
func (s *Store) FindIdentityProviderByID(ctx context.Context, id int64) (*fleetwatch.IdentityProvider, error) {
	return s.findIdentityProvider(ctx, "id = $1", id)
}

func (s *Store) findIdentityProvider(ctx context.Context, cond string, arg any) (*fleetwatch.IdentityProvider, error) {
	ps, err := s.findIdentityProviders(ctx, cond, []any{arg})
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, errIdentityProviderNotFound
	}
	return ps[0], nil
}

func (s *Store) findIdentityProviders(ctx context.Context, cond string, args []any) ([]*fleetwatch.IdentityProvider, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+identityProviderColumns+` FROM identity_providers WHERE `+cond+` ORDER BY name, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("find identity providers: %w", err)
	}
	defer rows.Close()
	var out []*fleetwatch.IdentityProvider
	byID := map[int64]*fleetwatch.IdentityProvider{}
	for rows.Next() {
		p, err := scanIdentityProvider(rows)
		if err != nil {
			return nil, fmt.Errorf("scan identity provider: %w", err)
		}
		out = append(out, p)
		byID[p.ID] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find identity providers: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	// The mappings of every provider found, with their organizations'
	// uuids; a mapping to a deleted organization maps to nothing.
	mrows, err := s.rdb.QueryContext(ctx, `
		SELECT g.provider_id, g.group_name, g.organization_id, o.uuid, g.role
		FROM identity_provider_groups g LEFT JOIN organizations o ON o.id = g.organization_id AND NOT o.is_deleted
		ORDER BY g.provider_id, g.position`)
	if err != nil {
		return nil, fmt.Errorf("find group mappings: %w", err)
	}
	defer mrows.Close()
	for mrows.Next() {
		var (
			pid   int64
			m     fleetwatch.GroupMapping
			orgID sql.NullInt64
			uuid  sql.NullString
		)
		if err := mrows.Scan(&pid, &m.Group, &orgID, &uuid, &m.Role); err != nil {
			return nil, fmt.Errorf("scan group mapping: %w", err)
		}
		p := byID[pid]
		if p == nil || (orgID.Valid && !uuid.Valid) {
			continue
		}
		m.OrganizationID, m.OrganizationUUID = orgID.Int64, stringPtr(uuid)
		p.GroupMappings = append(p.GroupMappings, m)
	}
	if err := mrows.Err(); err != nil {
		return nil, fmt.Errorf("find group mappings: %w", err)
	}
	return out, nil
}

// UpdateIdentityProvider replaces the provider's settings and mappings.
func (s *Store) UpdateIdentityProvider(ctx context.Context, p *fleetwatch.IdentityProvider) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		p.UpdatedAt = s.clock()
		res, err := tx.ExecContext(ctx, `
			UPDATE identity_providers SET slug = $2, name = $3, issuer_url = $4, client_id = $5, client_secret = $6,
				scopes = $7, groups_claim = $8, enabled = $9, allow_email_linking = $10, auto_provision = $11,
				mfa_amr_values = $12, updated_at = $13
			WHERE id = $1`,
			p.ID, p.Slug, p.Name, p.IssuerURL, p.ClientID, p.ClientSecret, strings.Join(p.Scopes, " "), p.GroupsClaim,
			p.Enabled, p.AllowEmailLinking, p.AutoProvision, strings.Join(p.MFAValues, " "), p.UpdatedAt)
		if s.isSlugTaken(err) {
			return errIdentityProviderSlug
		} else if err != nil {
			return fmt.Errorf("update identity provider: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errIdentityProviderNotFound
		}
		p.ClientSecretSet = p.ClientSecret != ""
		return replaceGroupMappings(ctx, tx, p)
	})
}

// DeleteIdentityProvider removes the provider, its mappings and its users'
// links to it (the users stay).
func (s *Store) DeleteIdentityProvider(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM identity_providers WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete identity provider: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errIdentityProviderNotFound
	}
	return nil
}

// FindUserIdentity returns the link of a provider's subject to a user.
func (s *Store) FindUserIdentity(ctx context.Context, providerID int64, subject string) (*fleetwatch.UserIdentity, error) {
	id := fleetwatch.UserIdentity{ProviderID: providerID, Subject: subject}
	err := s.rdb.QueryRowContext(ctx, `SELECT user_id, email, created_at FROM user_identities WHERE provider_id = $1 AND subject = $2`,
		providerID, subject).Scan(&id.UserID, &id.Email, &id.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fleetwatch.Errorf(fleetwatch.ENOTFOUND, "No user is linked to this identity.")
	} else if err != nil {
		return nil, fmt.Errorf("find user identity: %w", err)
	}
	id.CreatedAt = id.CreatedAt.UTC()
	return &id, nil
}

// LinkUserIdentity links a provider's subject to a user.
func (s *Store) LinkUserIdentity(ctx context.Context, id *fleetwatch.UserIdentity) error {
	id.CreatedAt = s.clock()
	_, err := s.db.ExecContext(ctx, `INSERT INTO user_identities (provider_id, subject, user_id, email, created_at) VALUES ($1, $2, $3, $4, $5)`,
		id.ProviderID, id.Subject, id.UserID, id.Email, id.CreatedAt)
	if s.d.isUniqueViolation(err, "user_identities_subject_key") || s.d.isUniqueViolation(err, "user_identities.provider_id") {
		return fleetwatch.Errorf(fleetwatch.ECONFLICT, "This identity is already linked to a user.")
	} else if err != nil {
		return fmt.Errorf("link user identity: %w", err)
	}
	return nil
}

// CreateSSOSession remembers which provider opened a session.
func (s *Store) CreateSSOSession(ctx context.Context, ss *fleetwatch.SSOSession) error {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO sso_sessions (session_id, provider_id, id_token) VALUES ($1, $2, $3)`,
		ss.SessionID, ss.ProviderID, ss.IDToken); err != nil {
		return fmt.Errorf("insert sso session: %w", err)
	}
	return nil
}

// FindSSOSession returns ENOTFOUND for a session not opened through a
// provider (or whose provider was deleted).
func (s *Store) FindSSOSession(ctx context.Context, sessionID int64) (*fleetwatch.SSOSession, error) {
	ss := fleetwatch.SSOSession{SessionID: sessionID}
	err := s.rdb.QueryRowContext(ctx, `SELECT provider_id, id_token FROM sso_sessions WHERE session_id = $1`, sessionID).
		Scan(&ss.ProviderID, &ss.IDToken)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fleetwatch.Errorf(fleetwatch.ENOTFOUND, "The session was not opened through an identity provider.")
	} else if err != nil {
		return nil, fmt.Errorf("find sso session: %w", err)
	}
	return &ss, nil
}

// PasswordSignInDisabled reports the organization's policy (false for no
// organization).
func (s *Store) PasswordSignInDisabled(ctx context.Context, orgID int64) (bool, error) {
	var disabled bool
	err := s.rdb.QueryRowContext(ctx, `SELECT password_sign_in_disabled FROM organization_sign_in_policies WHERE organization_id = $1`, orgID).Scan(&disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("find sign-in policy: %w", err)
	}
	return disabled, nil
}

// SetPasswordSignInDisabled sets the organization's policy.
func (s *Store) SetPasswordSignInDisabled(ctx context.Context, orgID int64, disabled bool, by int64) error {
	if _, err := s.db.ExecContext(ctx, `
		INSERT INTO organization_sign_in_policies (organization_id, password_sign_in_disabled, updated_at, updated_by)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (organization_id) DO UPDATE SET password_sign_in_disabled = excluded.password_sign_in_disabled,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		orgID, disabled, s.clock(), nullID(by)); err != nil {
		return fmt.Errorf("set sign-in policy: %w", err)
	}
	return nil
}
