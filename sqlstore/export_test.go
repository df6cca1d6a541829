package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// Test hooks, visible to package sqlstore_test only.

func (s *Store) WriterDB() *sql.DB { return s.db }
func (s *Store) ReaderDB() *sql.DB { return s.rdb }

var EscapeLike = escapeLike

// SetEnqueueHook calls f inside each EnqueueAuditLogs transaction until
// the returned function is called.
func SetEnqueueHook(f func(*sql.Tx)) (reset func()) {
	testHookEnqueueTx = f
	return func() { testHookEnqueueTx = nil }
}

// MigrateTo applies the migrations up to version, for tests of a migration
// on data written before it.
func (s *Store) MigrateTo(ctx context.Context, version int64) error {
	p, err := s.migrationProvider()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// SiteModuleWrite is one row for WriteSiteModules: a project of the site
// at a version (both in the catalog), whether the writer believes the site
// had the project, the verdict (Analyzed: it has one; Severity "" when
// unknown) and the history interval it links (HistoryID 0: none).
type SiteModuleWrite struct {
	ModuleID, VersionID int64
	Existed             bool
	Analyzed            bool
	Status, Severity    string
	SecurityUpdates     []string
	Reasons             []string
	HistoryID           int64
	HistoryFrom         time.Time
}

// WriteSiteModules writes rows for the site as a change does, in one
// transaction, so that tests can give the writer beliefs no plan gives it.
func (s *Store) WriteSiteModules(ctx context.Context, siteID int64, ws []SiteModuleWrite, t time.Time) error {
	rows := make([]siteModuleRow, len(ws))
	for i, w := range ws {
		rows[i] = siteModuleRow{siteID: siteID, moduleID: w.ModuleID, versionID: w.VersionID, verdict: unknownVerdict, existed: w.Existed,
			historyID: w.HistoryID, historyFrom: w.HistoryFrom}
		if w.Analyzed {
			rows[i].analyzed = true
			rows[i].verdict = newStoredVerdict(w.Status, false, w.Status == "not_secure", "", "", w.SecurityUpdates, w.Severity, nil, w.Reasons)
		}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return writeSiteModules(ctx, tx, s.d, rows, nil, nil, t) })
}

// MigrateDownTo rolls the migrations back down to version, for tests of a
// migration's Down.
func (s *Store) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := s.migrationProvider()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}
