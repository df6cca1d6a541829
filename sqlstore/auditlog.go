package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// MaxAttempts is how many times a payload is claimed before the sweeper
// gives up on it and marks it failed: a payload that kills its worker every
// time must not kill every replica forever.
const MaxAttempts = 5

var errClaimLost = fleetwatch.Errorf(fleetwatch.ECONFLICT, "The payload is no longer claimed by this worker.")

// auditLogSortColumns maps fleetwatch.AuditLogSortFields to columns.
var auditLogSortColumns = map[string]string{
	"created_at":   "a.created_at",
	"processed_at": "a.processed_at",
	"status":       "a.status",
}

const auditLogColumns = `a.id, a.uuid, a.site_id, s.uuid, s.organization_id, o.uuid, a.kind,
	COALESCE(a.client_id, ''), a.status, a.attempts, a.error, COALESCE(length(a.data), 0),
	a.collected_at, a.created_at, a.claimed_at, a.processed_at`

const auditLogFrom = `FROM audit_logs a
	JOIN sites s ON s.id = a.site_id
	JOIN organizations o ON o.id = s.organization_id`

func scanAuditLog(sc interface{ Scan(...any) error }) (*fleetwatch.AuditLog, error) {
	var (
		l                               fleetwatch.AuditLog
		collected, claimed, processedAt sql.NullTime
	)
	if err := sc.Scan(&l.ID, &l.UUID, &l.SiteID, &l.SiteUUID, &l.OrganizationID, &l.OrganizationUUID, &l.Kind,
		&l.ClientID, &l.Status, &l.Attempts, &l.Error, &l.Size,
		&collected, &l.CreatedAt, &claimed, &processedAt); err != nil {
		return nil, err
	}
	l.CreatedAt = l.CreatedAt.UTC()
	l.CollectedAt, l.ClaimedAt, l.ProcessedAt = timePtr(collected), timePtr(claimed), timePtr(processedAt)
	return &l, nil
}

// EnqueueAuditLogs stores the payloads as queued in one transaction, so that
// a batch of pushes costs one commit. A payload whose (site, client id) is
// already stored gets the original's id, uuid and status, and Existing.
// The commit is durable (inDurableTx): the 202 that follows says so.
func (s *Store) EnqueueAuditLogs(ctx context.Context, logs []*fleetwatch.AuditLog) error {
	if len(logs) == 0 {
		return nil
	}
	t := s.clock()
	d := s.d
	return s.inDurableTx(ctx, func(tx *sql.Tx) error {
		if testHookEnqueueTx != nil {
			testHookEnqueueTx(tx)
		}
		// Multi-row INSERTs (small ones on SQLite) of the rows whose key is
		// valid; the rows the key check or a conflict skipped are looked
		// at after.
		ids := make(map[string]int64, len(logs))
		uuids := make([]string, len(logs))
		for i := range uuids {
			uuids[i] = newUUID()
		}
		n := d.rowBatch(9)
		for start := 0; start < len(logs); start += n {
			part := logs[start:min(start+n, len(logs))]
			if err := insertAuditLogs(ctx, tx, d, part, uuids[start:], t, ids); err != nil {
				return err
			}
		}
		for i, l := range logs {
			if id, ok := ids[uuids[i]]; ok {
				l.ID, l.UUID, l.Status, l.CreatedAt, l.Existing = id, uuids[i], fleetwatch.AuditQueued, t, false
				continue
			}
			// Skipped: its key is no longer valid (revoked, or its site or
			// organization deleted, since it was read), or its client id
			// was stored before (or earlier in this batch).
			if l.KeyID != 0 {
				var ok bool
				if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 `+validSiteKey("$1", "$2")+`)`, l.KeyID, l.SiteID).Scan(&ok); err != nil {
					return fmt.Errorf("check api key: %w", err)
				}
				if !ok {
					return keyRefusal(ctx, tx, l.KeyID)
				}
			}
			if l.ClientID == "" {
				return fmt.Errorf("insert audit log: the row of site %d was not stored", l.SiteID)
			}
			if err := tx.QueryRowContext(ctx, `SELECT id, uuid, status, created_at FROM audit_logs
				WHERE site_id = $1 AND client_id = $2`, l.SiteID, l.ClientID).Scan(&l.ID, &l.UUID, &l.Status, &l.CreatedAt); err != nil {
				return fmt.Errorf("find audit log by client id: %w", err)
			}
			l.CreatedAt = l.CreatedAt.UTC()
			l.Existing = true
		}
		return nil
	})
}

// insertAuditLogs inserts the logs whose key is valid, as queued, with
// the uuids beside them, in one statement, and notes their ids by uuid in
// ids; a conflict or an invalid key skips a row.
func insertAuditLogs(ctx context.Context, tx *sql.Tx, d *dialect, logs []*fleetwatch.AuditLog, uuids []string, t time.Time, ids map[string]int64) error {
	var c conds
	values := make([]string, len(logs))
	for i, l := range logs {
		var clientID, hash, collected any
		if l.ClientID != "" {
			clientID = l.ClientID
		}
		if l.SnapshotHash != "" {
			hash = l.SnapshotHash
		}
		if l.SnapshotCollectedAt != nil {
			collected = dbTime(*l.SnapshotCollectedAt)
		}
		values[i] = "(" + d.cast(c.arg(uuids[i]), "TEXT") + ", " + d.cast(c.arg(l.SiteID), "BIGINT") + ", " +
			d.cast(c.arg(l.KeyID), "BIGINT") + ", " + d.cast(c.arg(l.Kind), "TEXT") + ", " + d.cast(c.arg(clientID), "TEXT") + ", " +
			d.cast(c.arg(l.Data), "BYTEA") + ", " + d.cast(c.arg(t), "TIMESTAMPTZ") + ", " + d.cast(c.arg(hash), "TEXT") + ", " +
			d.cast(c.arg(collected), "TIMESTAMPTZ") + ")"
	}
	rows, err := tx.QueryContext(ctx, `WITH v (uuid, site_id, key_id, kind, client_id, data, created_at, hash, collected) AS (VALUES `+strings.Join(values, ", ")+`)
		INSERT INTO audit_logs (uuid, site_id, kind, client_id, data, status, created_at, snapshot_hash, snapshot_collected_at)
		SELECT v.uuid, v.site_id, v.kind, v.client_id, v.data, 'queued', v.created_at, v.hash, v.collected FROM v
		WHERE v.key_id = 0 OR EXISTS (SELECT 1 `+validSiteKey("v.key_id", "v.site_id")+`)
		ON CONFLICT (site_id, client_id) DO NOTHING
		RETURNING id, uuid`, c.args...)
	if err != nil {
		return fmt.Errorf("insert audit log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var u string
		if err := rows.Scan(&id, &u); err != nil {
			return fmt.Errorf("insert audit log: %w", err)
		}
		ids[u] = id
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("insert audit log: %w", err)
	}
	return nil
}

// errKeyInvalid answers a push whose site key was revoked, or whose site or
// organization was deleted, after the key was read.
var errKeyInvalid = fleetwatch.Errorf(fleetwatch.EUNAUTHORIZED, "The API key is invalid or revoked.")

// keyRefusal is the answer to a push whose key stopped being usable after
// it was read: its organization was deactivated (EORGINACTIVE), or the key
// was revoked or its site or organization deleted.
func keyRefusal(ctx context.Context, tx *sql.Tx, keyID int64) error {
	var inactive bool
	err := tx.QueryRowContext(ctx, `SELECT NOT o.is_active `+apiKeyOwners+` WHERE k.id = $1 AND k.revoked_at IS NULL AND `+apiKeyVisible, keyID).Scan(&inactive)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("check api key: %w", err)
	}
	if inactive {
		return fleetwatch.ErrOrganizationInactive
	}
	return errKeyInvalid
}

// ClaimAuditLogs marks up to n queued logs processing, oldest first, and
// returns them with their data. On PostgreSQL concurrent claimers skip each
// other's rows; on SQLite the single writer runs one claim at a time.
func (s *Store) ClaimAuditLogs(ctx context.Context, n int, at time.Time) ([]*fleetwatch.AuditLog, error) {
	rows, err := s.db.QueryContext(ctx, `UPDATE audit_logs
		SET status = 'processing', claimed_at = $1, attempts = attempts + 1
		WHERE id IN (SELECT id FROM audit_logs WHERE status = 'queued' ORDER BY id LIMIT $2`+s.d.skipLocked+`)
		RETURNING id, uuid, site_id, kind, COALESCE(client_id, ''), data, attempts, created_at, COALESCE(snapshot_hash, ''), snapshot_collected_at`, dbTime(at), n)
	if err != nil {
		return nil, fmt.Errorf("claim audit logs: %w", err)
	}
	defer rows.Close()
	var out []*fleetwatch.AuditLog
	for rows.Next() {
		l := &fleetwatch.AuditLog{Status: fleetwatch.AuditProcessing}
		var collected sql.NullTime
		if err := rows.Scan(&l.ID, &l.UUID, &l.SiteID, &l.Kind, &l.ClientID, &l.Data, &l.Attempts, &l.CreatedAt, &l.SnapshotHash, &collected); err != nil {
			return nil, fmt.Errorf("scan claimed audit log: %w", err)
		}
		l.CreatedAt = l.CreatedAt.UTC()
		if collected.Valid {
			at := collected.Time.UTC()
			l.SnapshotCollectedAt = &at
		}
		claimed := dbTime(at)
		l.ClaimedAt = &claimed
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim audit logs: %w", err)
	}
	slices.SortFunc(out, func(a, b *fleetwatch.AuditLog) int { return int(a.ID - b.ID) })
	return out, nil
}

// finishClaim marks a claimed log processed inside tx, which also locks its
// row until the transaction ends. The claim is identified by its attempt
// number: a log the sweeper requeued and another worker claimed again has a
// higher one, and errClaimLost rolls this application back.
func finishClaim(ctx context.Context, tx *sql.Tx, l *fleetwatch.AuditLog, collectedAt any, t time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE audit_logs
		SET status = 'processed', processed_at = $1, error = '', collected_at = $2
		WHERE id = $3 AND status = 'processing' AND attempts = $4`, t, collectedAt, l.ID, l.Attempts)
	return claimUpdated("finish audit log", res, err)
}

// claimUpdated is the outcome of an update of a claimed log's row by its
// claim: errClaimLost when the claim no longer held it.
func claimUpdated(what string, res sql.Result, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	} else if n == 0 {
		return errClaimLost
	}
	return nil
}

// FailAuditLog marks a claimed log failed with msg, or queued again when
// requeue is set; ECONFLICT when the claim was lost meanwhile.
func (s *Store) FailAuditLog(ctx context.Context, l *fleetwatch.AuditLog, msg string, requeue bool) error {
	status, processedAt := fleetwatch.AuditFailed, any(now())
	if requeue {
		status, processedAt = fleetwatch.AuditQueued, nil
	}
	res, err := s.db.ExecContext(ctx, `UPDATE audit_logs
		SET status = $1, error = $2, processed_at = $3, claimed_at = CASE WHEN $1 = 'queued' THEN NULL ELSE claimed_at END
		WHERE id = $4 AND status = 'processing' AND attempts = $5`, status, msg, processedAt, l.ID, l.Attempts)
	return claimUpdated("fail audit log", res, err)
}

// ReleaseAuditLog returns a claimed log to the queue with msg as its error,
// taking back the attempt its claim counted; ECONFLICT when the claim was
// lost meanwhile.
func (s *Store) ReleaseAuditLog(ctx context.Context, l *fleetwatch.AuditLog, msg string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE audit_logs
		SET status = 'queued', error = $1, claimed_at = NULL, attempts = attempts - 1
		WHERE id = $2 AND status = 'processing' AND attempts = $3`, msg, l.ID, l.Attempts)
	return claimUpdated("release audit log", res, err)
}

// RequeueStuckAuditLogs returns logs claimed before claimedBefore to the
// queue (a worker or replica died holding them); those claimed MaxAttempts
// times already are marked failed instead.
func (s *Store) RequeueStuckAuditLogs(ctx context.Context, claimedBefore time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE audit_logs
			SET status = 'failed', error = 'abandoned: its worker stopped during each of its attempts',
				processed_at = $1, claimed_at = NULL
			WHERE status = 'processing' AND claimed_at < $2 AND attempts >= $3`, now(), dbTime(claimedBefore), MaxAttempts); err != nil {
			return fmt.Errorf("abandon stuck audit logs: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE audit_logs SET status = 'queued', claimed_at = NULL
			WHERE status = 'processing' AND claimed_at < $1`, dbTime(claimedBefore))
		if err != nil {
			return fmt.Errorf("requeue stuck audit logs: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// PruneAuditLogs drops the raw data of at most limit logs processed before
// processedBefore. Failed logs keep theirs, to be retried.
func (s *Store) PruneAuditLogs(ctx context.Context, processedBefore time.Time, limit int) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE audit_logs SET data = NULL
		WHERE id IN (SELECT id FROM audit_logs
			WHERE status = 'processed' AND processed_at < $1 AND data IS NOT NULL
			ORDER BY id LIMIT $2)`, dbTime(processedBefore), limit)
	if err != nil {
		return 0, fmt.Errorf("prune audit logs: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune audit logs: %w", err)
	}
	return int(n), nil
}

// RetryAuditLog queues a failed log again; ENOTFOUND for an unknown log,
// ECONFLICT when it is not failed or its data is gone.
func (s *Store) RetryAuditLog(ctx context.Context, id int64) (*fleetwatch.AuditLog, error) {
	var l *fleetwatch.AuditLog
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE audit_logs
			SET status = 'queued', error = '', claimed_at = NULL, processed_at = NULL
			WHERE id = $1 AND status = 'failed' AND data IS NOT NULL`, id)
		if err != nil {
			return fmt.Errorf("retry audit log: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("retry audit log: %w", err)
		}
		l, err = findAuditLog(ctx, tx, "a.id = $1", id)
		if err != nil {
			return err
		}
		if n == 0 {
			if l.Status != fleetwatch.AuditFailed {
				return fleetwatch.Errorf(fleetwatch.ECONFLICT, "Only failed payloads can be retried; this one is %s.", l.Status)
			}
			return fleetwatch.Errorf(fleetwatch.ECONFLICT, "The payload's data was pruned; it cannot be retried.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// FindAuditLogByUUID returns the log without its data; ENOTFOUND for an
// unknown log or one of a hidden site.
func (s *Store) FindAuditLogByUUID(ctx context.Context, uuid string) (*fleetwatch.AuditLog, error) {
	return findAuditLog(ctx, s.rdb, "a.uuid = $1", uuid)
}

func findAuditLog(ctx context.Context, q querier, cond string, arg any) (*fleetwatch.AuditLog, error) {
	l, err := scanAuditLog(q.QueryRowContext(ctx, `SELECT `+auditLogColumns+` `+auditLogFrom+`
		WHERE `+cond+` AND `+siteVisible, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Audit log not found.")
	} else if err != nil {
		return nil, fmt.Errorf("find audit log: %w", err)
	}
	return l, nil
}

// FindAuditLogs returns a page of the logs that match f, newest first by
// default, without their data. Q matches the client id.
func (s *Store) FindAuditLogs(ctx context.Context, f fleetwatch.AuditLogFilter) ([]*fleetwatch.AuditLog, int, error) {
	var c conds
	c.add(siteVisible)
	if f.OrganizationID != 0 {
		c.add("s.organization_id = " + c.arg(f.OrganizationID))
	}
	if f.SiteID != 0 {
		c.add("a.site_id = " + c.arg(f.SiteID))
	}
	if f.Status != "" {
		c.add("a.status = " + c.arg(f.Status))
	}
	if f.Kind != "" {
		c.add("a.kind = " + c.arg(f.Kind))
	}
	c.search(s.d, f.Q, "a.client_id")
	order, err := orderBy(f.Sort, auditLogSortColumns, []fleetwatch.SortField{{Field: "created_at", Desc: true}}, "a.id")
	if err != nil {
		return nil, 0, fmt.Errorf("find audit logs: %w", err)
	}
	var total int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) `+auditLogFrom+` `+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit logs: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+auditLogColumns+` `+auditLogFrom+` `+c.sql()+` `+order+` `+c.page(f.ListOptions), c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find audit logs: %w", err)
	}
	defer rows.Close()
	logs := []*fleetwatch.AuditLog{}
	for rows.Next() {
		l, err := scanAuditLog(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan audit log: %w", err)
		}
		logs = append(logs, l)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find audit logs: %w", err)
	}
	return logs, total, nil
}
