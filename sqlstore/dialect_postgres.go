package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

var postgres = &dialect{
	name:       "postgres",
	goose:      goose.DialectPostgres,
	migrations: "migrations/postgres",
	ilike:      "ILIKE",
	gooseOptions: func() ([]goose.ProviderOption, error) {
		// Replicas that start together migrate one at a time.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		return []goose.ProviderOption{goose.WithSessionLocker(locker)}, nil
	},
	isUniqueViolation: func(err error, constraint string) bool {
		var pgErr *pgconn.PgError
		return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
	},
	forUpdate:  " FOR UPDATE",
	lockSite:   " FOR NO KEY UPDATE",
	skipLocked: " FOR UPDATE SKIP LOCKED",
}

// openPostgres opens one pool, used for reads and writes alike.
func openPostgres(databaseURL string) (*Store, error) {
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres database: %w", err)
	}
	db.SetMaxOpenConns(25)
	db.SetMaxIdleConns(25)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &Store{db: db, rdb: db, d: postgres}, nil
}
