package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

var errAPIKeyNotFound = fleetwatch.Errorf(fleetwatch.ENOTFOUND, "API key not found.")

// apiKeySortColumns maps fleetwatch.APIKeySortFields to columns.
var apiKeySortColumns = map[string]string{
	"name":         "lower(k.name)",
	"created_at":   "k.created_at",
	"last_used_at": "k.last_used_at",
}

const apiKeyColumns = `k.id, k.uuid, k.kind, k.name, k.scope, k.prefix, k.key_hash, k.organization_id, o.uuid,
	k.site_id, st.uuid, k.created_at, cb.uuid, k.last_used_at, k.revoked_at, o.is_active`

// apiKeyOwners joins what a key belongs to; keys of deleted sites and
// organizations are hidden through apiKeyVisible. apiKeyFrom adds who
// created it.
const (
	apiKeyOwners = `FROM api_keys k
	JOIN organizations o ON o.id = k.organization_id
	LEFT JOIN sites st ON st.id = k.site_id`
	apiKeyFrom = apiKeyOwners + `
	LEFT JOIN users cb ON cb.id = k.created_by`
)

const apiKeyVisible = `NOT o.is_deleted AND (k.site_id IS NULL OR NOT st.is_deleted)`

// validSiteKey is the FROM and WHERE of a usable site key, as
// FindAPIKeyByHash finds keys: key its id and site its site (SQL
// expressions), not revoked, visible, of an active organization.
func validSiteKey(key, site string) string {
	return apiKeyOwners + ` WHERE k.id = ` + key + ` AND k.site_id = ` + site + ` AND k.revoked_at IS NULL AND ` + apiKeyVisible + ` AND o.is_active`
}

func scanAPIKey(sc interface{ Scan(...any) error }) (*fleetwatch.APIKey, error) {
	var (
		k                 fleetwatch.APIKey
		siteID            sql.NullInt64
		siteUUID, cb      sql.NullString
		lastUsed, revoked sql.NullTime
	)
	if err := sc.Scan(&k.ID, &k.UUID, &k.Kind, &k.Name, &k.Scope, &k.Prefix, &k.Hash, &k.OrganizationID, &k.OrganizationUUID,
		&siteID, &siteUUID, &k.CreatedAt, &cb, &lastUsed, &revoked, &k.OrganizationActive); err != nil {
		return nil, err
	}
	k.SiteID, k.SiteUUID, k.CreatedBy = siteID.Int64, stringPtr(siteUUID), stringPtr(cb)
	k.CreatedAt, k.LastUsedAt, k.RevokedAt = k.CreatedAt.UTC(), timePtr(lastUsed), timePtr(revoked)
	return &k, nil
}

// CreateAPIKey stores a key (its hash only) and fills ID, UUID and CreatedAt.
func (s *Store) CreateAPIKey(ctx context.Context, k *fleetwatch.APIKey, by int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO api_keys (uuid, kind, name, scope, prefix, key_hash, organization_id, site_id, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			newUUID(), k.Kind, k.Name, k.Scope, k.Prefix, k.Hash, k.OrganizationID, nullID(k.SiteID), now(), nullID(by),
		).Scan(&id); err != nil {
			return fmt.Errorf("insert api key: %w", err)
		}
		created, err := findAPIKey(ctx, tx, "k.id = $1", id)
		if err != nil {
			return err
		}
		*k = *created
		return nil
	})
}

// FindAPIKeyByHash returns the usable key with the hash: not revoked, its
// site and organization not deleted; ENOTFOUND otherwise.
func (s *Store) FindAPIKeyByHash(ctx context.Context, hash string) (*fleetwatch.APIKey, error) {
	return findAPIKey(ctx, s.rdb, "k.key_hash = $1 AND k.revoked_at IS NULL", hash)
}

// FindAPIKeyByUUID returns the key, revoked or not; ENOTFOUND when unknown
// or when its site or organization is deleted.
func (s *Store) FindAPIKeyByUUID(ctx context.Context, uuid string) (*fleetwatch.APIKey, error) {
	return findAPIKey(ctx, s.rdb, "k.uuid = $1", uuid)
}

// FindAPIKeyByID returns the key, revoked or not; ENOTFOUND when unknown or
// when its site or organization is deleted.
func (s *Store) FindAPIKeyByID(ctx context.Context, id int64) (*fleetwatch.APIKey, error) {
	return findAPIKey(ctx, s.rdb, "k.id = $1", id)
}

func findAPIKey(ctx context.Context, q querier, cond string, arg any) (*fleetwatch.APIKey, error) {
	k, err := scanAPIKey(q.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` `+apiKeyFrom+` WHERE `+apiKeyVisible+` AND `+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errAPIKeyNotFound
	} else if err != nil {
		return nil, fmt.Errorf("find api key: %w", err)
	}
	return k, nil
}

// FindAPIKeys lists keys, revoked ones included, newest first by default.
func (s *Store) FindAPIKeys(ctx context.Context, f fleetwatch.APIKeyFilter) ([]*fleetwatch.APIKey, int, error) {
	var c conds
	c.add(apiKeyVisible)
	if f.OrganizationID != 0 {
		c.add("k.organization_id = " + c.arg(f.OrganizationID))
	}
	if f.SiteID != 0 {
		c.add("k.site_id = " + c.arg(f.SiteID))
	}
	if f.Kind != "" {
		c.add("k.kind = " + c.arg(f.Kind))
	}
	c.search(s.d, f.Q, "k.name", "k.prefix")
	order, err := orderBy(f.Sort, apiKeySortColumns, []fleetwatch.SortField{{Field: "created_at", Desc: true}}, "k.id")
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) `+apiKeyFrom+` `+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count api keys: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+apiKeyColumns+` `+apiKeyFrom+` `+c.sql()+` `+order+` `+c.page(f.ListOptions), c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list api keys: %w", err)
	}
	defer rows.Close()
	var keys []*fleetwatch.APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan api key: %w", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list api keys: %w", err)
	}
	return keys, total, nil
}

// RevokeAPIKey revokes a key; ENOTFOUND when unknown or already revoked.
func (s *Store) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, dbTime(at), id)
	if err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errAPIKeyNotFound
	}
	return nil
}

// TouchAPIKey records the key's use at at.
func (s *Store) TouchAPIKey(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE api_keys SET last_used_at = $1 WHERE id = $2`, dbTime(at), id); err != nil {
		return fmt.Errorf("touch api key: %w", err)
	}
	return nil
}
