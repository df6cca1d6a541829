package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
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

// classifyPostgres: a failed connect, a connection lost (reset, closed, cut
// mid-answer), a server shutting down or refusing connections is
// EUNAVAILABLE; disk_full is ESTORAGEFULL.
func classifyPostgres(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "53100":
			return fleetwatch.ESTORAGEFULL
		case strings.HasPrefix(pgErr.Code, "08"), pgErr.Code == "53300", pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03":
			return fleetwatch.EUNAVAILABLE
		}
		return ""
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	if errors.As(err, &connectErr) || errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, pgconn.ErrConnClosed) {
		return fleetwatch.EUNAVAILABLE
	}
	return ""
}

// openPostgres opens one pool, used for reads and writes alike.
func openPostgres(databaseURL string) (*Store, error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres database: %w", err)
	}
	db := sql.OpenDB(outageConnector{Connector: stdlib.GetConnector(*cfg), classify: classifyPostgres})
	db.SetMaxOpenConns(25)
	db.SetMaxIdleConns(25)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &Store{db: db, rdb: db, d: postgres}, nil
}
