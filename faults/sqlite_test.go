//go:build faults

package faults

import (
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// smallDisk mounts a tmpfs of size at a new directory, unmounted when the
// test ends (after the servers it started stopped). It needs root; without
// it the test skips, except under CI=true.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		msg := "cannot mount a size-limited tmpfs (needs root): " + err.Error() + " " + string(out)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fill writes file until the disk has no room left.
func fill(t *testing.T, file string) {
	t.Helper()
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return
			}
			t.Fatal(err)
		}
	}
}

// TestFaults_SQLiteDiskFull: the disk under a SQLite database fills up in
// the middle of the load. Pushes are answered 507 (insufficient_storage)
// with Retry-After, nothing half-written: the database stays intact
// (PRAGMA integrity_check) and, once space is freed, the pushes are
// accepted again and every accepted one is applied exactly once.
func TestFaults_SQLiteDiskFull(t *testing.T) {
	dir := smallDisk(t, "32m")
	dbURL := "sqlite://" + filepath.Join(dir, "fleetwatch.db")
	s := startServe(t, dbURL)
	f := newFleet(t, dbURL, s.URL, 4)
	d := loadDuration(t)
	l := startLoad(t, f, []string{s.URL}, http.StatusInsufficientStorage)
	time.Sleep(d / 3)
	ballast := filepath.Join(dir, "ballast")
	full := l.during(http.StatusInsufficientStorage, func() {
		fill(t, ballast)
		time.Sleep(d / 3)
	})
	db := openDB(t, dbURL)
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check on the full disk: %q, %v", check, err)
	}
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	accepted := l.during(http.StatusAccepted, func() { time.Sleep(d / 3) })
	l.end()
	if full == 0 {
		t.Error("no push was answered 507 while the disk was full")
	}
	if accepted == 0 {
		t.Error("no push was accepted once space was freed")
	}
	t.Logf("%d pushes answered 507 while the disk was full, %d accepted after", full, accepted)
	l.checkExactlyOnce(db)
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check at the end: %q, %v", check, err)
	}
}
