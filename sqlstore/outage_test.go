package sqlstore_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// TestStore_DiskFull fills the SQLite database (its page limit stands in
// for a full disk: SQLite reports both as SQLITE_FULL) during a push: the
// write fails with ESTORAGEFULL and Retry-After, stores nothing, leaves the
// file intact, and pushes succeed again once there is room. PostgreSQL's
// disk_full is mapped by its code (TestClassifyPostgres); a test cannot fill
// its disk.
func TestStore_DiskFull(t *testing.T) {
	ctx := context.Background()
	s := sqlstoretest.MustOpen(t, sqlstoretest.SQLite)
	org := mustCreateOrganization(t, s, "acme", 0)
	site := mustCreateSite(t, s, org.ID, "one")
	before := &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindInventory, ClientID: "snapshot:before", Data: []byte(`{}`)}
	if err := s.EnqueueAuditLogs(ctx, []*fleetwatch.AuditLog{before}); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := s.WriterDB().QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriterDB().ExecContext(ctx, `PRAGMA max_page_count = `+strconv.Itoa(pages)); err != nil {
		t.Fatal(err)
	}
	big := []byte(`{"filler":"` + strings.Repeat("x", 256<<10) + `"}`)
	full := []*fleetwatch.AuditLog{
		{SiteID: site.ID, Kind: fleetwatch.KindInventory, ClientID: "snapshot:a", Data: big},
		{SiteID: site.ID, Kind: fleetwatch.KindInventory, ClientID: "snapshot:b", Data: big},
	}
	err := s.EnqueueAuditLogs(ctx, full)
	wantCode(t, err, fleetwatch.ESTORAGEFULL)
	var fe *fleetwatch.Error
	if errors.As(err, &fe); fe.RetryAfter <= 0 {
		t.Errorf("disk full without Retry-After: %+v", fe)
	}
	if _, n, err := s.FindAuditLogs(ctx, fleetwatch.AuditLogFilter{ListOptions: fleetwatch.ListOptions{PerPage: 10}}); err != nil || n != 1 {
		t.Fatalf("after the failed push: %d audit logs, %v; want the 1 from before", n, err)
	}
	assertIntegrity(t, s)

	if _, err := s.WriterDB().ExecContext(ctx, `PRAGMA max_page_count = 4294967294`); err != nil {
		t.Fatal(err)
	}
	if err := s.EnqueueAuditLogs(ctx, full); err != nil {
		t.Fatalf("with room again: %v", err)
	}
	if _, n, err := s.FindAuditLogs(ctx, fleetwatch.AuditLogFilter{ListOptions: fleetwatch.ListOptions{PerPage: 10}}); err != nil || n != 3 {
		t.Fatalf("with room again: %d audit logs, %v; want 3", n, err)
	}
	assertIntegrity(t, s)
}

// assertIntegrity fails unless SQLite's integrity check finds the file sound.
func assertIntegrity(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	var res string
	if err := s.WriterDB().QueryRowContext(context.Background(), `PRAGMA integrity_check`).Scan(&res); err != nil {
		t.Fatal(err)
	}
	if res != "ok" {
		t.Fatalf("integrity_check: %s", res)
	}
}
