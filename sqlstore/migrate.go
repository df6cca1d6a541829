package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// migrations are forward-only; each runs in a transaction.
//
//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrations embed.FS

// Migrate applies the migrations that the database lacks.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.migrationProvider()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s database: %w", s.d.name, err)
	}
	return nil
}

// MigrationVersion returns the version of the newest migration applied.
func (s *Store) MigrationVersion(ctx context.Context) (int64, error) {
	p, err := s.migrationProvider()
	if err != nil {
		return 0, err
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("migration version: %w", err)
	}
	return v, nil
}

func (s *Store) migrationProvider() (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, s.d.migrations)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	opts, err := s.d.gooseOptions()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	// Only the embedded SQL files and this package's Go migrations count,
	// never Go migrations registered globally by some other package.
	opts = append(opts, goose.WithDisableGlobalRegistry(true), goose.WithGoMigrations(
		goose.NewGoMigration(43, &goose.GoFunc{RunTx: s.moveReasons}, &goose.GoFunc{RunTx: s.restoreReasons})))
	p, err := goose.NewProvider(s.d.goose, s.db, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// MigrationsDigest returns a digest of the embedded migrations of both
// dialects: databases migrated by binaries with the same digest have the
// same schema. Tests name the template databases they copy after it.
func MigrationsDigest() string {
	h := sha256.New()
	err := fs.WalkDir(migrations, "migrations", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := migrations.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		panic(err) // the files are embedded: reading them does not fail
	}
	return hex.EncodeToString(h.Sum(nil))
}

// moveReasons is migration 00043: each distinct text of site_modules.reasons
// goes to verdict_reasons (00042) under its digest, which only Go computes,
// and the rows that hold it link it instead.
func (s *Store) moveReasons(ctx context.Context, tx *sql.Tx) error {
	column, raw, rawType := "reasons", "$1", "TEXT"
	if s.d == postgres {
		column, raw, rawType = "reasons::text", "$1::jsonb", "JSONB" // equal lists are equal JSONB, whatever their spacing
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT `+column+` FROM site_modules`)
	if err != nil {
		return err
	}
	texts, err := scanColumn[string](rows)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TEMPORARY TABLE reasons_moved (raw `+rawType+` NOT NULL, id BIGINT NOT NULL)`); err != nil {
		return err
	}
	var vs []*storedVerdict
	for _, text := range texts {
		var reasons []string
		if err := json.Unmarshal([]byte(text), &reasons); err != nil {
			return fmt.Errorf("site_modules.reasons %q: %w", text, err)
		}
		v := newStoredVerdict("", false, false, "", "", nil, "", nil, reasons)
		vs = append(vs, &v)
	}
	if err := linkReasons(ctx, tx, s.d, vs); err != nil {
		return err
	}
	for i, v := range vs {
		if v.reasonsID == 0 {
			continue // no reasons: NULL
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO reasons_moved (raw, id) VALUES (`+raw+`, $2)`, texts[i], v.reasonsID); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE site_modules SET reasons_id = m.id FROM reasons_moved m WHERE m.raw = site_modules.reasons`); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE reasons_moved`)
	return err
}

// restoreReasons is the Down of 00043: the rows hold their texts again
// (00044's Down added the column back).
func (s *Store) restoreReasons(ctx context.Context, tx *sql.Tx) error {
	text := "vr.reasons"
	if s.d == postgres {
		text = "vr.reasons::jsonb"
	}
	_, err := tx.ExecContext(ctx, `UPDATE site_modules SET reasons = (SELECT `+text+` FROM verdict_reasons vr WHERE vr.id = site_modules.reasons_id),
		reasons_id = NULL WHERE reasons_id IS NOT NULL`)
	return err
}
