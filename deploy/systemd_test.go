package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSystemd checks the unit with systemd-analyze verify (on a copy whose
// ExecStart names an executable that exists here) and that it has the
// hardening and state settings operators rely on.
func TestSystemd(t *testing.T) {
	analyze := tool(t, "systemd-analyze", "apt-get install systemd")
	unit, err := os.ReadFile(filepath.Join("systemd", "fleetwatch.service"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"DynamicUser=yes", "StateDirectory=fleetwatch", "ProtectSystem=strict", "NoNewPrivileges=yes",
		"EnvironmentFile=-/etc/fleetwatch/fleetwatch.env", "Restart=on-failure", "ExecStart=/usr/local/bin/fleetwatch serve",
		"Environment=FLEETWATCH_DATABASE_URL=sqlite:///var/lib/fleetwatch/fleetwatch.db"} {
		if !strings.Contains(string(unit), "\n"+want+"\n") {
			t.Errorf("fleetwatch.service lacks %s", want)
		}
	}

	dir := t.TempDir()
	bin := filepath.Join(dir, "fleetwatch")
	self, err := os.ReadFile(os.Args[0]) // any executable will do
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	verify := func(name, text string) (string, error) {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		out, errOut, err := tryTool(analyze, "verify", path)
		return strings.TrimSpace(string(out) + string(errOut)), err
	}
	copyUnit := strings.ReplaceAll(string(unit), "/usr/local/bin/fleetwatch", bin)
	if msg, err := verify("fleetwatch.service", copyUnit); err != nil || msg != "" {
		t.Errorf("systemd-analyze verify: %v\n%s", err, msg)
	}
	// The check would see a mistake: systemd-analyze only warns about an
	// unknown setting, which the test counts as a failure.
	if msg, _ := verify("typo.service", strings.Replace(copyUnit, "ProtectSystem=strict", "ProtectSystm=strict", 1)); !strings.Contains(msg, "ProtectSystm") {
		t.Errorf("a misspelt setting went unnoticed: %q", msg)
	}
}
