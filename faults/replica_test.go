//go:build faults

package faults

import (
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// TestFaults_ReplicaKilled: two replicas on one PostgreSQL database share
// the load; one is SIGKILLed in the middle of it, holding claims (each
// payload is held a while before it is applied). The pushers move to the
// other replica, which takes the dead one's claims over: every accepted
// push is applied exactly once.
func TestFaults_ReplicaKilled(t *testing.T) {
	dbURL := sqlstoretest.NewDatabaseURL(t, sqlstoretest.Postgres)
	hold := "FLEETWATCH_TEST_INGEST_DELAY=20ms"
	a := startServe(t, dbURL, hold)
	b := startServe(t, dbURL, hold)
	f := newFleet(t, dbURL, a.URL, 6)
	d := loadDuration(t)
	l := startLoad(t, f, []string{a.URL, b.URL})
	time.Sleep(d / 2)
	db := openDB(t, dbURL)
	// Kill while the replicas hold claims.
	var claimed int
	for deadline := time.Now().Add(d); ; time.Sleep(20 * time.Millisecond) {
		if err := db.QueryRow(`SELECT count(*) FROM audit_logs WHERE status = 'processing'`).Scan(&claimed); err != nil {
			t.Fatal(err)
		}
		if claimed >= 20 || time.Now().After(deadline) {
			break
		}
	}
	b.Kill(t)
	t.Logf("killed a replica with %d payloads claimed among the two", claimed)
	time.Sleep(d / 2)
	l.end()
	if l.counts[0] == 0 {
		t.Error("no push met the killed replica")
	}
	l.checkExactlyOnce(db)
	var retaken int
	if err := db.QueryRow(`SELECT count(*) FROM audit_logs WHERE attempts > 1`).Scan(&retaken); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d payloads claimed again after their claim was taken back", retaken)
	if retaken == 0 {
		t.Error("no claim of the killed replica was taken over")
	}
}
