package sqlstore

import (
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/fleetwatch/fleetwatch"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestClassifyPostgres(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, fleetwatch.EUNAVAILABLE},
		{"cut mid-answer", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), fleetwatch.EUNAVAILABLE},
		{"conn closed", fmt.Errorf("query: %w", pgconn.ErrConnClosed), fleetwatch.EUNAVAILABLE},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, fleetwatch.EUNAVAILABLE},
		{"starting up", &pgconn.PgError{Code: "57P03"}, fleetwatch.EUNAVAILABLE},
		{"connection exception", &pgconn.PgError{Code: "08006"}, fleetwatch.EUNAVAILABLE},
		{"disk full", &pgconn.PgError{Code: "53100"}, fleetwatch.ESTORAGEFULL},
		{"unique violation", &pgconn.PgError{Code: "23505"}, ""},
		{"syntax", &pgconn.PgError{Code: "42601"}, ""},
		{"other", errors.New("boom"), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := classifyPostgres(c.err); got != c.want {
				t.Fatalf("classifyPostgres(%v) = %q, want %q", c.err, got, c.want)
			}
			err := outage(classifyPostgres, c.err)
			if got := fleetwatch.ErrorCode(err); c.want != "" && got != c.want {
				t.Fatalf("outage code %q, want %q", got, c.want)
			}
			if !errors.Is(err, c.err) {
				t.Fatal("outage lost the cause")
			}
		})
	}
}
