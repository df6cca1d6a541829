package sqlstore

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
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
	// Only the embedded SQL files count, never Go migrations registered
	// globally by some other package.
	opts = append(opts, goose.WithDisableGlobalRegistry(true))
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
